package occapi

import "qlink/internal/source"

// The fast path: the wire types read by a source.Reader in one pass. A
// document they cannot read exactly as encoding/json would is refused as a
// whole and decoded by encoding/json (decodePage, decodeSingle);
// TestFastMatchesEncodingJSON and FuzzFastDecode hold the two to the same
// result. Each member list names the json tags of its type in the order of
// its fields, and each DecodeJSON passes the fields in that order
// (TestFastFieldsMatchTags).

// readCollection decodes a collection document with the fast path.
func readCollection[A any](body []byte, doc *collection[A]) bool {
	r := source.NewReader(body)
	r.Members(documentFields, (*resources[A])(&doc.Data), &doc.Links)
	return r.Done()
}

// readSingle decodes a document holding one resource with the fast path.
func readSingle[A any](body []byte, doc *single[A]) bool {
	r := source.NewReader(body)
	r.Members(documentFields, &doc.Data, &doc.Links)
	return r.Done()
}

var documentFields = source.NewFields("data", "links")

// Slices of wire types, as Members targets.
type (
	resources[A any] []resource[A]
	texts            []text
	refs             []ref
	programmeRefs    []programmeRef
)

func (s *resources[A]) DecodeJSON(r *source.Reader) { source.List(r, (*[]resource[A])(s)) }
func (s *texts) DecodeJSON(r *source.Reader)        { source.List(r, (*[]text)(s)) }
func (s *refs) DecodeJSON(r *source.Reader)         { source.List(r, (*[]ref)(s)) }
func (s *programmeRefs) DecodeJSON(r *source.Reader) {
	source.List(r, (*[]programmeRef)(s))
}

func (res *resource[A]) DecodeJSON(r *source.Reader) {
	r.Members(resourceFields, &res.Type, &res.ID, any(&res.Attributes).(source.Decoder), &res.Meta, &res.Relationships, &res.Links)
}

var resourceFields = source.NewFields("type", "id", "attributes", "meta", "relationships", "links")

func (l *links) DecodeJSON(r *source.Reader) {
	r.Members(linksFields, &l.Self, &l.Next, &l.HEI, &l.Ounit, &l.Programme, &l.Course, &l.Instance)
}

var linksFields = source.NewFields("self", "next", "hei", "ounit", "programme", "course", "instance")

func (l *link) DecodeJSON(r *source.Reader) { r.Members(linkFields, &l.Href) }

var linkFields = source.NewFields("href")

func (t *text) DecodeJSON(r *source.Reader) {
	r.Members(textFields, &t.String, &t.Multiline, &t.URI, &t.Lang)
}

var textFields = source.NewFields("string", "multiline", "uri", "lang")

func (x *ref) DecodeJSON(r *source.Reader) { r.Members(refFields, &x.Type, &x.ID) }

var refFields = source.NewFields("type", "id")

// refData and refsData are the relationships' {data: …} wrappers.
type (
	refData  struct{ Data *ref }
	refsData struct{ Data []ref }
)

func (d *refData) DecodeJSON(r *source.Reader) {
	r.Members(dataFields, source.PtrTo(&d.Data))
}

func (d *refsData) DecodeJSON(r *source.Reader) { r.Members(dataFields, (*refs)(&d.Data)) }

func (rel *relationships) DecodeJSON(r *source.Reader) {
	r.Members(relationshipsFields, (*refsData)(&rel.RelatedProgramme), (*refData)(&rel.Course))
}

var (
	relationshipsFields = source.NewFields("relatedProgramme", "course")
	dataFields          = source.NewFields("data")
)

// eqfData is meta.global.
type eqfData struct{ EQFLevel *float64 }

func (g *eqfData) DecodeJSON(r *source.Reader) { r.Members(globalFields, &g.EQFLevel) }

func (m *meta) DecodeJSON(r *source.Reader) {
	r.Members(metaFields, (*programmeRefs)(&m.RelatedProgramme), (*programmeRefs)(&m.Programme), (*eqfData)(&m.Global))
}

var (
	metaFields   = source.NewFields("relatedProgramme", "programme", "global")
	globalFields = source.NewFields("eqfLevel")
)

func (p *programmeRef) DecodeJSON(r *source.Reader) { r.Members(programmeRefFields, &p.ProgrammeID) }

var programmeRefFields = source.NewFields("programmeId")

func (a *specAttrs) DecodeJSON(r *source.Reader) {
	r.Members(specAttrsFields, (*texts)(&a.Title), &a.Code, &a.ECTS, &a.LanguageOfInstruction, &a.LastModified,
		(*texts)(&a.Description), (*texts)(&a.LearningOutcomes), (*texts)(&a.Prerequisites), &a.LearningOpportunity,
		&a.ModeOfLearning, &a.ISCEDCode, (*texts)(&a.URL), &a.Deprecated, &a.EQFLevelProvided, &a.ValidUntil)
}

var specAttrsFields = source.NewFields("title", "code", "ects", "languageOfInstruction", "lastModified", "description",
	"learningOutcomes", "prerequisites", "elmLearningOpportunityType", "elmModeOfLearning", "iscedCode", "url",
	"deprecated", "eqfLevelProvided", "validUntil")

func (a *instanceAttrs) DecodeJSON(r *source.Reader) {
	r.Members(instanceAttrsFields, &a.StartDate, &a.EndDate, &a.LanguageOfInstruction, &a.ModeOfLearning, &a.LastModified)
}

var instanceAttrsFields = source.NewFields("startDate", "endDate", "languageOfInstruction", "elmModeOfLearning", "lastModified")

func (a *heiAttrs) DecodeJSON(r *source.Reader) {
	r.Members(heiAttrsFields, &a.HeiID, (*texts)(&a.Title))
}

var heiAttrsFields = source.NewFields("heiId", "title")

func (a *ounitAttrs) DecodeJSON(r *source.Reader) { r.Members(ounitAttrsFields) }

var ounitAttrsFields = source.NewFields()
