package elm

import "strings"

// Namespaces. ELM moved from …/model/elm/ (3.0–3.2) to …/model/ontology/
// (3.3); qlink reads both and writes 3.3 only.
const (
	NS     = "http://data.europa.eu/snb/model/ontology/" // ELM 3.3
	NS32   = "http://data.europa.eu/snb/model/elm/"      // ELM 3.0–3.2
	LOQ    = "http://data.europa.eu/snb/model/application-profile/loq-constraints/"
	LOQ32  = "http://data.europa.eu/snb/model/ap/loq-constraints/"
	QL     = "http://data.quality-link.eu/ontology/v1#"
	DCT    = "http://purl.org/dc/terms/"
	ADMS   = "http://www.w3.org/ns/adms#"
	SKOS   = "http://www.w3.org/2004/02/skos/core#"
	FOAF   = "http://xmlns.com/foaf/0.1/"
	OWL    = "http://www.w3.org/2002/07/owl#"
	ROV    = "http://www.w3.org/ns/regorg#"
	XSD    = "http://www.w3.org/2001/XMLSchema#"
	RDFNS  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	snbURI = "http://data.europa.eu/snb/"
)

// Prefixes are the prefixes qlink's Turtle output declares.
var Prefixes = map[string]string{
	"elm": NS, "ql": QL, "dcterms": DCT, "adms": ADMS, "skos": SKOS,
	"foaf": FOAF, "owl": OWL, "rov": ROV, "xsd": XSD,
}

// Vocabulary bases of the concepts the mapping checks.
const (
	iscedBase    = snbURI + "isced-f/"
	eqfBase      = snbURI + "eqf/"
	typeBase     = snbURI + "learning-opportunity/"
	modeBase     = snbURI + "learning-assessment/"
	creditBase   = snbURI + "education-credit/"
	scheduleBase = snbURI + "learning-schedule/"
	activityBase = snbURI + "learning-activity/"
	deqarInstURI = "https://data.deqar.eu/institution/"
)

// Classes and properties, by the IRI they have in ELM 3.3.
const (
	rdfType = RDFNS + "type"

	qlLOS      = QL + "LearningOpportunitySpecification"
	qlLOI      = QL + "LearningOpportunityInstance"
	qlHEI      = QL + "HigherEducationInstitution"
	qlSchacID  = QL + "SchacIdentifier"
	qlOrgRegID = QL + "OrgRegIdentifier"
	qlSchac    = QL + "Schac"
	qlOrgReg   = QL + "OrgReg"
	qlLOSRef   = QL + "LearningOpportunitySpecificationReference"

	elmQualification = NS + "Qualification"
	elmLAS           = NS + "LearningAchievementSpecification"
	elmLActS         = NS + "LearningActivitySpecification"
	elmGradingScheme = NS + "GradingScheme"
	elmLO            = NS + "LearningOpportunity"
	elmIdentifier    = NS + "Identifier"
	elmLearnOutcome  = NS + "LearningOutcome"
	elmCreditPoint   = NS + "CreditPoint"
	elmWebResource   = NS + "WebResource"
	elmNote          = NS + "Note"
	elmAddress       = NS + "Address"
	dctPeriodOfTime  = DCT + "PeriodOfTime"
	dctLocation      = DCT + "Location"

	pIdentifier     = ADMS + "identifier"
	pNotation       = SKOS + "notation"
	pPrefLabel      = SKOS + "prefLabel"
	pSchemeName     = NS + "schemeName"
	pSchemeID       = NS + "schemeId"
	pTitle          = DCT + "title"
	pDescription    = DCT + "description"
	pLanguage       = DCT + "language"
	pType           = DCT + "type"
	pModified       = DCT + "modified"
	pPublisher      = DCT + "publisher"
	pTemporal       = DCT + "temporal"
	pHomepage       = FOAF + "homepage"
	pSameAs         = OWL + "sameAs"
	pLegalName      = ROV + "legalName"
	pLearnOutcome   = NS + "learningOutcome"
	pOutcomeSummary = NS + "learningOutcomeSummary"
	pNoteLiteral    = NS + "noteLiteral"
	pISCEDF         = NS + "ISCEDFCode"
	pEQF            = NS + "EQFLevel"
	pCreditPoint    = NS + "creditPoint"
	pFramework      = NS + "framework"
	pPoint          = NS + "point"
	pContentURL     = NS + "contentUrl"
	pEntryReq       = NS + "entryRequirement"
	pIsPartOf       = NS + "isPartOf"
	pHasPart        = NS + "hasPart"
	pLearningOpp    = NS + "learningOpportunity"
	pLAS            = NS + "learningAchievementSpecification"
	pLActS          = NS + "learningActivitySpecification"
	pSchedule       = NS + "learningSchedule"
	pVolume         = NS + "volumeOfLearning"
	pGrading        = NS + "gradingScheme"
	pMode           = NS + "mode"
	pDefaultLang    = NS + "defaultLanguage"
	pProvidedBy     = NS + "providedBy"
	pAppDeadline    = NS + "applicationDeadline"
	pLocation       = NS + "location"
	pGeoName        = NS + "geographicName"
	pAddress        = NS + "address"
	pCountryCode    = NS + "countryCode"
	pStartDate      = NS + "startDate"
	pEndDate        = NS + "endDate"
	pIsActive       = QL + "isActive"
	pVersion        = QL + "version"
	pBroadField     = QL + "ISCEDFBroadField"
	pNarrowField    = QL + "ISCEDFNarrowField"
	pRegPortal      = QL + "registrationPortal"
	pCapacity       = QL + "enrolmentCapacity"
	pEnrolled       = QL + "enrolledLearnerCount"
	pMinimum        = QL + "enrolmentMinimum"

	xsdString   = XSD + "string"
	xsdAnyURI   = XSD + "anyURI"
	xsdDateTime = XSD + "dateTime"
	xsdDate     = XSD + "date"
	xsdBoolean  = XSD + "boolean"
	xsdNonNeg   = XSD + "nonNegativeInteger"
	xsdDuration = XSD + "duration"
)

// Normalize rewrites an IRI in an older ELM or LOQ namespace to ELM 3.3.
// Every other IRI is returned unchanged.
func Normalize(iri string) string {
	if rest, ok := strings.CutPrefix(iri, NS32); ok {
		return NS + rest
	}
	if rest, ok := strings.CutPrefix(iri, LOQ32); ok {
		return LOQ + rest
	}
	return iri
}

// IsOldNamespace reports whether iri is in the ELM ≤3.2 or its LOQ namespace.
func IsOldNamespace(iri string) bool {
	return strings.HasPrefix(iri, NS32) || strings.HasPrefix(iri, LOQ32)
}

// curie shortens a property IRI for warnings ("elm:EQFLevel").
func curie(iri string) string {
	for _, p := range [...]struct{ prefix, ns string }{
		{"elm", NS}, {"ql", QL}, {"dcterms", DCT}, {"adms", ADMS}, {"skos", SKOS}, {"foaf", FOAF}, {"owl", OWL},
	} {
		if local, ok := strings.CutPrefix(iri, p.ns); ok {
			return p.prefix + ":" + local
		}
	}
	return "<" + iri + ">"
}
