package quality

import (
	"strings"

	"qlink/internal/shacl"
)

// Source formats, as the manifest names them; the keys of Rule.Fields.
const (
	FormatOOAPI  = "ooapi"
	FormatEduAPI = "edu-api"
	FormatOCCAPI = "occapi"
)

// Rule is one requirement of the profile, in a provider's words.
type Rule struct {
	ID string `json:"id"`
	// Subject and Thing make the explanation: "The course has no title."
	Subject string `json:"-"`
	Thing   string `json:"-"`
	// Expect says what a value must be, for class, datatype, pattern and
	// the other value checks: "a concept of the EU EQF vocabulary".
	Expect string `json:"-"`
	// Property is the ELM property, as a prefixed name.
	Property string `json:"property"`
	// Fields names the property in each JSON source format, where the
	// adapter reads it from one field.
	Fields map[string]string `json:"fields,omitempty"`
}

// Field returns the name a provider publishing in format uses for the
// rule's property: the format's field where known, else the ELM property.
func (r Rule) Field(format string) string {
	if f, ok := r.Fields[format]; ok {
		return f
	}
	return r.Property
}

func fields(ooapi, eduapi, occapi string) map[string]string {
	m := map[string]string{}
	for k, v := range map[string]string{FormatOOAPI: ooapi, FormatEduAPI: eduapi, FormatOCCAPI: occapi} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

const (
	expectConcept   = "a concept of the EU controlled vocabulary"
	expectText      = "text with a language tag"
	expectDateTime  = "a date and time (xsd:dateTime)"
	expectDuration  = "a duration (xsd:duration, e.g. PT150H)"
	expectCount     = "a whole number of zero or more"
	expectWebPage   = "a web page described as elm:WebResource with an http(s) elm:contentUrl"
	expectInstitute = "a higher education institution described in the data (ql:HigherEducationInstitution)"
)

// rules has one entry per property shape of shapes.ttl (a test keeps the
// two in step) plus the policy rules.
var rules = indexRules([]Rule{
	{ID: "course-publisher", Subject: "course", Thing: "publisher", Expect: expectInstitute, Property: "dcterms:publisher",
		Fields: fields("organization", "organization", "")},
	{ID: "course-identifier", Subject: "course", Thing: "identifier", Expect: "an elm:Identifier with a skos:notation",
		Property: "adms:identifier", Fields: fields("primaryCode", "primaryCode", "code")},
	{ID: "course-title", Subject: "course", Thing: "title", Expect: expectText, Property: "dcterms:title",
		Fields: fields("name", "title", "title")},
	{ID: "course-description", Subject: "course", Thing: "description", Expect: expectText, Property: "dcterms:description",
		Fields: fields("description", "description", "description")},
	{ID: "course-homepage", Subject: "course", Thing: "homepage", Expect: expectWebPage, Property: "foaf:homepage",
		Fields: fields("link", "", "url")},
	{ID: "course-learning-outcome", Subject: "course", Thing: "learning outcome", Expect: "an elm:LearningOutcome",
		Property: "elm:learningOutcome", Fields: fields("learningOutcomes", "extensions.learningOutcomes", "learningOutcomes")},
	{ID: "course-language", Subject: "course", Thing: "language of instruction", Expect: expectConcept + " of languages",
		Property: "dcterms:language", Fields: fields("teachingLanguage", "teachingLanguage", "languageOfInstruction")},
	{ID: "course-isced-f", Subject: "course", Thing: "ISCED-F thematic area", Expect: expectConcept + " ISCED-F 2013",
		Property: "elm:ISCEDFCode", Fields: fields("fieldsOfStudy", "extensions.iscedF", "iscedCode")},
	{ID: "course-eqf", Subject: "course", Thing: "EQF level", Expect: expectConcept + " EQF",
		Property: "elm:EQFLevel", Fields: fields("level", "level", "eqfLevelProvided")},
	{ID: "course-credit", Subject: "course", Thing: "credit points", Expect: "an elm:CreditPoint",
		Property: "elm:creditPoint", Fields: fields("studyLoad", "creditsAwarded", "ects")},
	{ID: "course-type", Subject: "course", Thing: "type", Expect: expectConcept + " of learning opportunity types",
		Property: "dcterms:type", Fields: fields("educationSpecificationType", "courseType", "elmLearningOpportunityType")},
	{ID: "course-workload", Subject: "course", Thing: "workload", Expect: expectDuration, Property: "elm:volumeOfLearning"},
	{ID: "course-instance", Subject: "course", Thing: "offering", Expect: "a ql:LearningOpportunityInstance",
		Property: "elm:learningOpportunity"},
	{ID: "course-active", Subject: "course", Thing: "active flag", Expect: "true or false", Property: "ql:isActive"},
	{ID: "course-modified", Subject: "course", Thing: "last-modified date", Expect: expectDateTime, Property: "dcterms:modified",
		Fields: fields("", "dateLastModified", "lastModified")},

	{ID: "offering-course", Subject: "offering", Thing: "course",
		Expect:   "a course described in the data (ql:LearningOpportunitySpecification)",
		Property: "elm:learningAchievementSpecification", Fields: fields("course", "course", "course")},
	{ID: "offering-provider", Subject: "offering", Thing: "providing institution", Expect: expectInstitute,
		Property: "elm:providedBy", Fields: fields("organization", "", "")},
	{ID: "offering-title", Subject: "offering", Thing: "title", Expect: expectText, Property: "dcterms:title",
		Fields: fields("name", "title", "")},
	{ID: "offering-description", Subject: "offering", Thing: "description", Expect: expectText, Property: "dcterms:description",
		Fields: fields("description", "description", "")},
	{ID: "offering-homepage", Subject: "offering", Thing: "homepage", Expect: expectWebPage, Property: "foaf:homepage"},
	{ID: "offering-registration", Subject: "offering", Thing: "registration link", Expect: "a URL (xsd:anyURI)",
		Property: "ql:registrationPortal"},
	{ID: "offering-language", Subject: "offering", Thing: "language of delivery", Expect: expectConcept + " of languages",
		Property: "elm:defaultLanguage", Fields: fields("teachingLanguage", "teachingLanguage", "languageOfInstruction")},
	{ID: "offering-mode", Subject: "offering", Thing: "mode of learning", Expect: expectConcept + " of learning modes",
		Property: "elm:mode", Fields: fields("modeOfDelivery", "offeringFormat", "elmModeOfLearning")},
	{ID: "offering-schedule", Subject: "offering", Thing: "learning schedule", Expect: expectConcept + " of learning schedules",
		Property: "elm:learningSchedule", Fields: fields("", "", "elmLearningScheduleType")},
	{ID: "offering-term", Subject: "offering", Thing: "term", Expect: "a dcterms:PeriodOfTime", Property: "dcterms:temporal",
		Fields: fields("startDate", "startDate", "startDate")},
	{ID: "offering-duration", Subject: "offering", Thing: "duration", Expect: expectDuration, Property: "elm:duration"},
	{ID: "offering-deadline", Subject: "offering", Thing: "application deadline", Expect: expectDateTime,
		Property: "elm:applicationDeadline"},
	{ID: "offering-capacity", Subject: "offering", Thing: "enrolment capacity", Expect: expectCount,
		Property: "ql:enrolmentCapacity", Fields: fields("", "maxNumberStudents", "")},
	{ID: "offering-enrolled", Subject: "offering", Thing: "number of enrolled learners", Expect: expectCount,
		Property: "ql:enrolledLearnerCount", Fields: fields("", "enrolledNumberStudents", "")},
	{ID: "offering-minimum", Subject: "offering", Thing: "minimum enrolment", Expect: expectCount,
		Property: "ql:enrolmentMinimum", Fields: fields("", "minNumberStudents", "")},

	{ID: "outcome-title", Subject: "learning outcome", Thing: "title", Expect: expectText, Property: "dcterms:title",
		Fields: fields("learningOutcomes", "extensions.learningOutcomes", "learningOutcomes")},
	{ID: "identifier-notation", Subject: "identifier", Thing: "code (skos:notation)", Expect: "a literal",
		Property: "skos:notation", Fields: fields("primaryCode.code", "primaryCode.identifier", "code")},
	{ID: "schac-scheme", Subject: "SCHAC identifier", Thing: "scheme", Expect: "ql:Schac", Property: "elm:schemeId"},
	{ID: "orgreg-scheme", Subject: "OrgReg identifier", Thing: "scheme", Expect: "ql:OrgReg", Property: "elm:schemeId"},
	{ID: "orgreg-notation", Subject: "OrgReg identifier", Thing: "code",
		Expect: "an OrgReg code: two capital letters (or INT) and four digits, e.g. AT0001", Property: "skos:notation"},
	{ID: "institution-identifier", Subject: "institution", Thing: "SCHAC or OrgReg identifier",
		Expect: "a ql:SchacIdentifier or ql:OrgRegIdentifier", Property: "adms:identifier"},
	{ID: "web-page-url", Subject: "web page", Thing: "URL", Expect: "an http(s) URL", Property: "elm:contentUrl"},

	{ID: RuleOwner, Subject: "course", Thing: "publishing institution", Property: "dcterms:publisher",
		Expect: "the institution whose source published it (or one the operator allowed)",
		Fields: fields("organization", "organization", "")},
	{ID: RuleUniqueID, Subject: "course", Thing: "identifier", Property: "adms:identifier",
		Expect: "unique among the provider's courses", Fields: fields("primaryCode", "primaryCode", "code")},
	{ID: RuleRecordID, Subject: "course", Thing: "record identifier", Property: "@id",
		Expect: "an absolute IRI (qlink mints one from the provider's SCHAC code and the course code)"},
})

// The policy rules, which no shape expresses.
const (
	RuleOwner    = "policy-owner"
	RuleUniqueID = "policy-unique-identifier"
	RuleRecordID = "record-id"
)

// ruleOrder is each rule's place in the list above: reports list a
// record's violations in that order, so those of one rule stand together.
var ruleOrder = map[string]int{}

func indexRules(list []Rule) map[string]Rule {
	m := make(map[string]Rule, len(list))
	for i, r := range list {
		ruleOrder[r.ID] = i
		if _, dup := m[r.ID]; dup {
			panic("quality: rule " + r.ID + " listed twice")
		}
		m[r.ID] = r
	}
	return m
}

// LookupRule returns the rule with the given ID.
func LookupRule(id string) (Rule, bool) {
	r, ok := rules[id]
	return r, ok
}

// Component names, short: the SHACL constraint component without its
// namespace and suffix ("minCount", "class", "datatype"...).
func componentName(iri string) string {
	s := strings.TrimSuffix(strings.TrimPrefix(iri, shacl.NS), "ConstraintComponent")
	if s == "" {
		return iri
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Explain says in plain words what breaks rule r by component: "The
// course has no EQF level."
func (r Rule) Explain(component string) string {
	the := "The " + r.Subject
	switch component {
	case "minCount":
		return the + " has no " + r.Thing + "."
	case "maxCount":
		return the + " has more than one " + r.Thing + "."
	case "uniqueLang":
		return the + " has more than one " + r.Thing + " in the same language."
	}
	if r.Expect == "" {
		return the + "'s " + r.Thing + " is not valid."
	}
	return the + "'s " + r.Thing + " is not " + r.Expect + "."
}
