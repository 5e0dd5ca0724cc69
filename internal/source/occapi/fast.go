// How to add a field to the OCCAPI wire types (wire.go):
//
//  1. Add it to the struct with its json tag, in the place it belongs. Use
//     jsonread's lenient types (Number, Strings) for values servers send
//     sloppily, and read dates and links in the mapping with ParseTime and
//     HTTPURL; write no private copy of them.
//  2. Pass its address to the type's r.Members call below, at the same
//     position as in the struct: the Fields table (specAttrsFields,
//     instanceAttrsFields, … made by jsonread.FieldsOf) lists the members in
//     struct order, and Members matches them by position. A field of a type
//     of its own needs a DecodeJSON that reads exactly what its
//     UnmarshalJSON reads, or calls r.Fail() for anything else.
//  3. Run the tests that hold the fast path and encoding/json to the same
//     result: TestFastEveryMember (give the member a value in fast_test.go),
//     TestFastMatchesEncodingJSON, and the fuzz target:
//     go test -run '^$' -fuzz FuzzFastDecode ./internal/source/occapi.
//     A lenient value also belongs in the cross-adapter behaviour table,
//     internal/source/lenient_test.go.

package occapi

import "qlink/internal/jsonread"

// The fast path: documents read into the wire types by a jsonread.Reader in
// one pass (jsonread.Decode). A document they cannot read exactly as
// encoding/json would is refused as a whole and decoded by encoding/json
// (decodePage, decodeSingle); TestFastMatchesEncodingJSON and
// FuzzFastDecode hold the two to the same result. Each DecodeJSON passes
// its type's fields to Members in the order of the type's fields
// (TestFastEveryMember).

func (doc *collection[A]) DecodeJSON(r *jsonread.Reader) {
	r.Members(documentFields, (*resources[A])(&doc.Data), &doc.Links)
}

var documentFields = jsonread.FieldsOf[collection[ounitAttrs]]() // the same for any attributes, and for single

func (doc *single[A]) DecodeJSON(r *jsonread.Reader) {
	r.Members(documentFields, &doc.Data, &doc.Links)
}

// Slices of wire types, as Members targets.
type (
	resources[A any] []resource[A]
	texts            []text
	refs             []ref
	programmeRefs    []programmeRef
)

func (s *resources[A]) DecodeJSON(r *jsonread.Reader) { jsonread.List(r, (*[]resource[A])(s)) }
func (s *texts) DecodeJSON(r *jsonread.Reader)        { jsonread.List(r, (*[]text)(s)) }
func (s *refs) DecodeJSON(r *jsonread.Reader)         { jsonread.List(r, (*[]ref)(s)) }
func (s *programmeRefs) DecodeJSON(r *jsonread.Reader) {
	jsonread.List(r, (*[]programmeRef)(s))
}

func (res *resource[A]) DecodeJSON(r *jsonread.Reader) {
	r.Members(resourceFields, &res.Type, &res.ID, any(&res.Attributes).(jsonread.Decoder), &res.Meta, &res.Relationships, &res.Links)
}

var resourceFields = jsonread.FieldsOf[resource[ounitAttrs]]() // the same for any attributes

func (l *links) DecodeJSON(r *jsonread.Reader) {
	r.Members(linksFields, &l.Self, &l.Next, &l.HEI, &l.Ounit, &l.Programme, &l.Course, &l.Instance)
}

var linksFields = jsonread.FieldsOf[links]()

func (l *link) DecodeJSON(r *jsonread.Reader) { r.Members(linkFields, &l.Href) }

var linkFields = jsonread.FieldsOf[link]()

func (t *text) DecodeJSON(r *jsonread.Reader) {
	r.Members(textFields, &t.String, &t.Multiline, &t.URI, &t.Lang)
}

var textFields = jsonread.FieldsOf[text]()

func (x *ref) DecodeJSON(r *jsonread.Reader) { r.Members(refFields, &x.Type, &x.ID) }

var refFields = jsonread.FieldsOf[ref]()

// refData and refsData are the relationships' {data: …} wrappers.
type (
	refData struct {
		Data *ref `json:"data"`
	}
	refsData struct {
		Data []ref `json:"data"`
	}
)

func (d *refData) DecodeJSON(r *jsonread.Reader) {
	r.Members(dataFields, jsonread.PtrTo(&d.Data))
}

var dataFields = jsonread.FieldsOf[refData]()

func (d *refsData) DecodeJSON(r *jsonread.Reader) { r.Members(dataFields, (*refs)(&d.Data)) }

func (rel *relationships) DecodeJSON(r *jsonread.Reader) {
	r.Members(relationshipsFields, (*refsData)(&rel.RelatedProgramme), (*refData)(&rel.Course))
}

var relationshipsFields = jsonread.FieldsOf[relationships]()

// eqfData is meta.global.
type eqfData struct {
	EQFLevel *float64 `json:"eqfLevel"`
}

func (g *eqfData) DecodeJSON(r *jsonread.Reader) { r.Members(globalFields, &g.EQFLevel) }

var globalFields = jsonread.FieldsOf[eqfData]()

func (m *meta) DecodeJSON(r *jsonread.Reader) {
	r.Members(metaFields, (*programmeRefs)(&m.RelatedProgramme), (*programmeRefs)(&m.Programme), (*eqfData)(&m.Global))
}

var metaFields = jsonread.FieldsOf[meta]()

func (p *programmeRef) DecodeJSON(r *jsonread.Reader) { r.Members(programmeRefFields, &p.ProgrammeID) }

var programmeRefFields = jsonread.FieldsOf[programmeRef]()

func (a *specAttrs) DecodeJSON(r *jsonread.Reader) {
	r.Members(specAttrsFields, (*texts)(&a.Title), &a.Code, &a.ECTS, &a.LanguageOfInstruction, &a.LastModified,
		(*texts)(&a.Description), (*texts)(&a.LearningOutcomes), (*texts)(&a.Prerequisites), &a.LearningOpportunity,
		&a.ModeOfLearning, &a.ISCEDCode, (*texts)(&a.URL), &a.Deprecated, &a.EQFLevelProvided, &a.ValidUntil, &a.LearningSchedule)
}

var specAttrsFields = jsonread.FieldsOf[specAttrs]()

func (a *instanceAttrs) DecodeJSON(r *jsonread.Reader) {
	r.Members(instanceAttrsFields, &a.StartDate, &a.EndDate, &a.LanguageOfInstruction, &a.ModeOfLearning, &a.LastModified,
		&a.AcademicTermID, &a.ECTS, &a.EngagementHours, &a.GradingScheme)
}

var instanceAttrsFields = jsonread.FieldsOf[instanceAttrs]()

func (g *gradingScheme) DecodeJSON(r *jsonread.Reader) {
	r.Members(gradingSchemeFields, (*texts)(&g.Label), (*texts)(&g.Description))
}

var gradingSchemeFields = jsonread.FieldsOf[gradingScheme]()

func (a *heiAttrs) DecodeJSON(r *jsonread.Reader) {
	r.Members(heiAttrsFields, &a.HeiID, (*texts)(&a.Title))
}

var heiAttrsFields = jsonread.FieldsOf[heiAttrs]()

func (a *ounitAttrs) DecodeJSON(r *jsonread.Reader) { r.Members(ounitAttrsFields) }

var ounitAttrsFields = jsonread.FieldsOf[ounitAttrs]()
