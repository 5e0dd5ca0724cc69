package jsonld

// The embedded contexts are built from term tables rather than stored as
// files: each row says what a term means (its IRI and how its values are
// read), which is all a JSON-LD context states. qlink authored these
// tables for the terms ELM course data uses; they are not copies of the
// EC's files.

// Context and frame URLs the offline loader serves.
const (
	// EDCAPContextURL is the EC's JSON-LD context for ELM 3.0–3.2 data
	// (the "EDC application profile"); ELM files in the wild refer to it.
	EDCAPContextURL = "http://data.europa.eu/snb/model/context/edc-ap"
	// VCv1ContextURL is the W3C Verifiable Credentials 1.0 context, which
	// European Digital Credentials use together with EDC-AP.
	VCv1ContextURL = "https://www.w3.org/2018/credentials/v1"
	// QLinkContextURL is qlink's context for ELM 3.3 plus QualityLink terms.
	QLinkContextURL = "urn:qlink:context:elm-3.3"
	// QLinkFrameURL is the frame that shapes one learning opportunity
	// specification with its instances, for JSON-LD output.
	QLinkFrameURL = "urn:qlink:frame:learning-opportunity"
)

// Namespaces.
const (
	nsELM32 = "http://data.europa.eu/snb/model/elm/"
	nsELM33 = "http://data.europa.eu/snb/model/ontology/"
	nsQL    = "http://data.quality-link.eu/ontology/v1#"
	nsCred  = "https://www.w3.org/2018/credentials#"
)

var prefixes = map[string]string{
	"adms":    "http://www.w3.org/ns/adms#",
	"dcterms": "http://purl.org/dc/terms/",
	"foaf":    "http://xmlns.com/foaf/0.1/",
	"locn":    "http://www.w3.org/ns/locn#",
	"org":     "http://www.w3.org/ns/org#",
	"owl":     "http://www.w3.org/2002/07/owl#",
	"person":  "http://www.w3.org/ns/person#",
	"rdf":     "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
	"rdfs":    "http://www.w3.org/2000/01/rdf-schema#",
	"rov":     "http://www.w3.org/ns/regorg#",
	"skos":    "http://www.w3.org/2004/02/skos/core#",
	"xsd":     "http://www.w3.org/2001/XMLSchema#",
	"cred":    nsCred,
}

// How a term's values are read.
type kind uint8

const (
	class kind = iota // a type name: the term is just an IRI
	ref               // values are IRIs ("@type": "@id")
	lang              // values are language maps ("@container": "@language")
	plain             // values are plain JSON literals
	typed             // values are literals of the row's datatype
)

type term struct {
	name, iri string
	kind      kind
	datatype  string // for typed: a CURIE such as "xsd:dateTime"
}

// elmTerms is shared by the EDC-AP and qlink contexts; "elm:" is bound to
// the 3.0–3.2 or the 3.3 namespace by the context that uses it.
var elmTerms = []term{
	// Classes.
	{"Accreditation", "elm:Accreditation", class, ""},
	{"Address", "elm:Address", class, ""},
	{"Agent", "elm:Agent", class, ""},
	{"Amount", "elm:Amount", class, ""},
	{"AwardingOpportunity", "elm:AwardingOpportunity", class, ""},
	{"AwardingProcess", "elm:AwardingProcess", class, ""},
	{"Claim", "elm:Claim", class, ""},
	{"Concept", "skos:Concept", class, ""},
	{"ConceptScheme", "skos:ConceptScheme", class, ""},
	{"ContactPoint", "elm:ContactPoint", class, ""},
	{"CreditPoint", "elm:CreditPoint", class, ""},
	{"DisplayDetail", "elm:DisplayDetail", class, ""},
	{"DisplayParameter", "elm:DisplayParameter", class, ""},
	{"EuropeanDigitalCredential", "elm:EuropeanDigitalCredential", class, ""},
	{"EuropeanDigitalPresentation", "elm:EuropeanDigitalPresentation", class, ""},
	{"Evidence", "elm:Evidence", class, ""},
	{"Geometry", "locn:Geometry", class, ""},
	{"GradingScheme", "elm:GradingScheme", class, ""},
	{"Grant", "elm:Grant", class, ""},
	{"Group", "elm:Group", class, ""},
	{"Identifier", "elm:Identifier", class, ""},
	{"IndividualDisplay", "elm:IndividualDisplay", class, ""},
	{"LearningAchievement", "elm:LearningAchievement", class, ""},
	{"LearningAchievementSpecification", "elm:LearningAchievementSpecification", class, ""},
	{"LearningActivity", "elm:LearningActivity", class, ""},
	{"LearningActivitySpecification", "elm:LearningActivitySpecification", class, ""},
	{"LearningAssessment", "elm:LearningAssessment", class, ""},
	{"LearningAssessmentSpecification", "elm:LearningAssessmentSpecification", class, ""},
	{"LearningEntitlement", "elm:LearningEntitlement", class, ""},
	{"LearningEntitlementSpecification", "elm:LearningEntitlementSpecification", class, ""},
	{"LearningOpportunity", "elm:LearningOpportunity", class, ""},
	{"LearningOutcome", "elm:LearningOutcome", class, ""},
	{"LegalIdentifier", "elm:LegalIdentifier", class, ""},
	{"Location", "dcterms:Location", class, ""},
	{"Mailbox", "elm:Mailbox", class, ""},
	{"MediaObject", "elm:MediaObject", class, ""},
	{"Note", "elm:Note", class, ""},
	{"Organisation", "elm:Organisation", class, ""},
	{"PeriodOfTime", "dcterms:PeriodOfTime", class, ""},
	{"Person", "elm:Person", class, ""},
	{"Phone", "elm:Phone", class, ""},
	{"PriceDetail", "elm:PriceDetail", class, ""},
	{"Qualification", "elm:Qualification", class, ""},
	{"ResultCategory", "elm:ResultCategory", class, ""},
	{"ResultDistribution", "elm:ResultDistribution", class, ""},
	{"ShaclValidator2017", "elm:ShaclValidator2017", class, ""},
	{"ShortenedGrading", "elm:ShortenedGrading", class, ""},
	{"Specification", "elm:Specification", class, ""},
	{"VerificationCheck", "elm:VerificationCheck", class, ""},
	{"WebResource", "elm:WebResource", class, ""},

	// Multilingual text.
	{"altLabel", "skos:altLabel", lang, ""},
	{"birthName", "person:birthName", lang, ""},
	{"category", "elm:category", lang, ""},
	{"definition", "skos:definition", lang, ""},
	{"description", "dcterms:description", lang, ""},
	{"familyName", "foaf:familyName", lang, ""},
	{"fullName", "foaf:fullName", lang, ""},
	{"geographicName", "elm:geographicName", lang, ""},
	{"givenName", "foaf:givenName", lang, ""},
	{"legalName", "rov:legalName", lang, ""},
	{"noteLiteral", "elm:noteLiteral", lang, ""},
	{"patronymicName", "person:patronymicName", lang, ""},
	{"prefLabel", "skos:prefLabel", lang, ""},
	{"schemeAgency", "adms:schemeAgency", lang, ""},
	{"title", "dcterms:title", lang, ""},

	// Links to other resources.
	{"additionalNote", "elm:additionalNote", ref, ""},
	{"accreditation", "elm:accreditation", ref, ""},
	{"accreditingAgent", "elm:accreditingAgent", ref, ""},
	{"address", "elm:address", ref, ""},
	{"admissionProcedure", "elm:admissionProcedure", ref, ""},
	{"amount", "elm:amount", ref, ""},
	{"assessedBy", "elm:assessedBy", ref, ""},
	{"attachment", "elm:attachment", ref, ""},
	{"awardedBy", "elm:awardedBy", ref, ""},
	{"awardingBody", "elm:awardingBody", ref, ""},
	{"awardingOpportunity", "elm:awardingOpportunity", ref, ""},
	{"bannerImage", "elm:bannerImage", ref, ""},
	{"contactPoint", "elm:contactPoint", ref, ""},
	{"countryCode", "elm:countryCode", ref, ""},
	{"credentialProfiles", "elm:credentialProfiles", ref, ""},
	{"creditPoint", "elm:creditPoint", ref, ""},
	{"creditReceived", "elm:creditReceived", ref, ""},
	{"dcType", "dcterms:type", ref, ""},
	{"displayParameter", "elm:displayParameter", ref, ""},
	{"educationLevel", "elm:educationLevel", ref, ""},
	{"educationSubject", "elm:educationSubject", ref, ""},
	{"educationalSystemNote", "elm:educationalSystemNote", ref, ""},
	{"eIDASIdentifier", "elm:eidasLegalIdentifier", ref, ""},
	{"emailAddress", "elm:emailAddress", ref, ""},
	{"entitlesTo", "elm:entitlesTo", ref, ""},
	{"entryRequirement", "elm:entryRequirement", ref, ""},
	{"eqfLevel", "elm:EQFLevel", ref, ""},
	{"framework", "elm:framework", ref, ""},
	{"gradingScheme", "elm:gradingScheme", ref, ""},
	{"grant", "elm:grant", ref, ""},
	{"hasClaim", "elm:hasClaim", ref, ""},
	{"hasPart", "elm:hasPart", ref, ""},
	{"homepage", "foaf:homepage", ref, ""},
	{"identifier", "adms:identifier", ref, ""},
	{"inScheme", "skos:inScheme", ref, ""},
	{"isPartOf", "elm:isPartOf", ref, ""},
	{"language", "dcterms:language", ref, ""},
	{"learningAchievementSpecification", "elm:learningAchievementSpecification", ref, ""},
	{"learningActivitySpecification", "elm:learningActivitySpecification", ref, ""},
	{"learningOpportunity", "elm:learningOpportunity", ref, ""},
	{"learningOutcome", "elm:learningOutcome", ref, ""},
	{"learningOutcomeSummary", "elm:learningOutcomeSummary", ref, ""},
	{"learningSchedule", "elm:learningSchedule", ref, ""},
	{"learningSetting", "elm:learningSetting", ref, ""},
	{"location", "elm:location", ref, ""},
	{"logo", "elm:logo", ref, ""},
	{"mode", "elm:mode", ref, ""},
	{"nqfLevel", "elm:NQFLevel", ref, ""},
	{"primaryLanguage", "elm:primaryLanguage", ref, ""},
	{"priceDetail", "elm:priceDetail", ref, ""},
	{"provenBy", "elm:provenBy", ref, ""},
	{"proves", "elm:proves", ref, ""},
	{"providedBy", "elm:providedBy", ref, ""},
	{"publisher", "dcterms:publisher", ref, ""},
	{"qualificationCode", "elm:qualificationCode", ref, ""},
	{"relatedESCOSkill", "elm:relatedESCOSkill", ref, ""},
	{"relatedSkill", "elm:relatedSkill", ref, ""},
	{"reusabilityLevel", "elm:reusabilityLevel", ref, ""},
	{"scheduleInformation", "elm:scheduleInformation", ref, ""},
	{"spatial", "dcterms:spatial", ref, ""},
	{"specialisationOf", "elm:specialisationOf", ref, ""},
	{"specifiedBy", "elm:specifiedBy", ref, ""},
	{"subject", "dcterms:subject", ref, ""},
	{"supplementaryDocument", "elm:supplementaryDocument", ref, ""},
	{"targetGroup", "elm:targetGroup", ref, ""},
	{"temporal", "dcterms:temporal", ref, ""},
	{"thematicArea", "elm:ISCEDFCode", ref, ""},
	{"unit", "elm:unit", ref, ""},

	// Typed and plain values.
	{"applicationDeadline", "elm:applicationDeadline", typed, "xsd:dateTime"},
	{"contentURL", "elm:contentUrl", typed, "xsd:anyURI"},
	{"dateModified", "dcterms:modified", typed, "xsd:dateTime"},
	{"duration", "elm:duration", typed, "xsd:duration"},
	{"endDate", "elm:endDate", typed, "xsd:dateTime"},
	{"isPartialQualification", "elm:isPartialQualification", typed, "xsd:boolean"},
	{"maximumDuration", "elm:maximumDuration", typed, "xsd:duration"},
	{"notation", "skos:notation", plain, ""},
	{"point", "elm:point", plain, ""},
	{"schemeId", "elm:schemeId", typed, "xsd:anyURI"},
	{"schemeName", "elm:schemeName", plain, ""},
	{"startDate", "elm:startDate", typed, "xsd:dateTime"},
	{"value", "elm:value", typed, "xsd:decimal"},
	{"volumeOfLearning", "elm:volumeOfLearning", typed, "xsd:duration"},
	{"workload", "elm:workload", typed, "xsd:duration"},
}

// vcTerms covers the Verifiable Credentials 1.0 terms an EDC envelope uses.
var vcTerms = []term{
	{"VerifiableCredential", "cred:VerifiableCredential", class, ""},
	{"VerifiablePresentation", "cred:VerifiablePresentation", class, ""},
	{"credentialSchema", "cred:credentialSchema", ref, ""},
	{"credentialStatus", "cred:credentialStatus", ref, ""},
	{"credentialSubject", "cred:credentialSubject", ref, ""},
	{"evidence", "cred:evidence", ref, ""},
	{"expirationDate", "cred:expirationDate", typed, "xsd:dateTime"},
	{"holder", "cred:holder", ref, ""},
	{"issuanceDate", "cred:issuanceDate", typed, "xsd:dateTime"},
	{"issuer", "cred:issuer", ref, ""},
	{"verifiableCredential", "cred:verifiableCredential", ref, ""},
}

// qlTerms adds QualityLink's ontology and the ELM 3.3 property names.
var qlTerms = []term{
	{"LearningOpportunitySpecification", "ql:LearningOpportunitySpecification", class, ""},
	{"LearningOpportunityInstance", "ql:LearningOpportunityInstance", class, ""},
	{"HigherEducationInstitution", "ql:HigherEducationInstitution", class, ""},
	{"GroupOfHEIs", "ql:GroupOfHEIs", class, ""},
	{"EuropeanUniversityAlliance", "ql:EuropeanUniversityAlliance", class, ""},
	{"SchacIdentifier", "ql:SchacIdentifier", class, ""},
	{"OrgRegIdentifier", "ql:OrgRegIdentifier", class, ""},
	{"LearnerGroupConditions", "ql:LearnerGroupConditions", class, ""},
	{"LearnerGroup", "ql:LearnerGroup", class, ""},
	{"ISCEDFCode", "elm:ISCEDFCode", ref, ""},
	{"EQFLevel", "elm:EQFLevel", ref, ""},
	{"NQFLevel", "elm:NQFLevel", ref, ""},
	{"contentUrl", "elm:contentUrl", typed, "xsd:anyURI"},
	{"defaultLanguage", "elm:defaultLanguage", ref, ""},
	{"modified", "dcterms:modified", typed, "xsd:dateTime"},
	{"ISCEDFBroadField", "ql:ISCEDFBroadField", ref, ""},
	{"ISCEDFNarrowField", "ql:ISCEDFNarrowField", ref, ""},
	{"entryRequirementLearningOpportunity", "ql:entryRequirementLearningOpportunity", ref, ""},
	{"entryRequirementLearningOutcome", "ql:entryRequirementLearningOutcome", ref, ""},
	{"enrolledLearnerCount", "ql:enrolledLearnerCount", typed, "xsd:nonNegativeInteger"},
	{"enrolmentCapacity", "ql:enrolmentCapacity", typed, "xsd:nonNegativeInteger"},
	{"enrolmentMinimum", "ql:enrolmentMinimum", typed, "xsd:nonNegativeInteger"},
	{"isActive", "ql:isActive", typed, "xsd:boolean"},
	{"isMemberOf", "ql:isMemberOf", ref, ""},
	{"learnerGroupConditions", "ql:learnerGroupConditions", ref, ""},
	{"passingRate", "ql:passingRate", typed, "xsd:decimal"},
	{"registrationPortal", "ql:registrationPortal", typed, "xsd:anyURI"},
	// qlink writes an identifier's scheme as an IRI (ql:Schac) and the
	// IRI a source gave a resource as owl:sameAs.
	{"sameAs", "owl:sameAs", ref, ""},
	{"schemeId", "elm:schemeId", ref, ""},
	{"superseded", "ql:superseded", ref, ""},
	{"version", "ql:version", plain, ""},
	{"virtualLearningEnvironment", "ql:virtualLearningEnvironment", ref, ""},
}

// buildContext turns term tables into a context object.
func buildContext(elmNS string, extra map[string]any, tables ...[]term) map[string]any {
	ctx := map[string]any{"id": "@id", "type": "@type", "elm": elmNS}
	for p, ns := range prefixes {
		ctx[p] = ns
	}
	for k, v := range extra {
		ctx[k] = v
	}
	for _, tab := range tables {
		for _, t := range tab {
			ctx[t.name] = t.definition()
		}
	}
	return map[string]any{"@context": ctx}
}

func (t term) definition() any {
	switch t.kind {
	case ref:
		return map[string]any{"@id": t.iri, "@type": "@id"}
	case lang:
		return map[string]any{"@id": t.iri, "@container": "@language"}
	case typed:
		return map[string]any{"@id": t.iri, "@type": t.datatype}
	case plain:
		return map[string]any{"@id": t.iri}
	}
	return t.iri
}

// edcAPContext stands in for the EC's EDC-AP context (ELM 3.0–3.2).
func edcAPContext() map[string]any { return buildContext(nsELM32, nil, elmTerms) }

// vcContext stands in for the W3C VC 1.0 context.
func vcContext() map[string]any {
	ctx := buildContext(nsELM32, nil, vcTerms)
	inner := ctx["@context"].(map[string]any)
	delete(inner, "elm")
	return ctx
}

// qlinkContext is ELM 3.3 + QualityLink. Where qlTerms names an IRI
// after the 3.3 ontology (EQFLevel), the EDC-AP alias (eqfLevel) is left
// out, so compaction has one term per IRI to choose.
func qlinkContext() map[string]any {
	renamed := map[string]bool{}
	for _, t := range qlTerms {
		renamed[t.iri] = true
	}
	var elm []term
	for _, t := range elmTerms {
		if !renamed[t.iri] {
			elm = append(elm, t)
		}
	}
	return buildContext(nsELM33, map[string]any{"ql": nsQL}, elm, qlTerms)
}

// qlinkFrame selects learning opportunity specifications (QL or ELM typed),
// embeds their instances through the reverse of
// elm:learningAchievementSpecification, and keeps controlled-vocabulary
// concepts as references.
func qlinkFrame() map[string]any {
	never := map[string]any{"@embed": "@never"}
	return map[string]any{
		"@context": []any{QLinkContextURL, map[string]any{
			"instances": map[string]any{"@reverse": "elm:learningAchievementSpecification"},
		}},
		"type":                             []any{"LearningOpportunitySpecification", "Qualification", "LearningAchievementSpecification"},
		"instances":                        map[string]any{"@embed": "@always"},
		"EQFLevel":                         never,
		"ISCEDFCode":                       never,
		"language":                         never,
		"publisher":                        never,
		"learningOpportunity":              never,
		"learningAchievementSpecification": never,
	}
}
