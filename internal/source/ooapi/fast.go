// How to add a field to the OOAPI wire types (wire.go):
//
//  1. Add it to the struct with its json tag, in the place it belongs. Use
//     jsonread's lenient types (Number, Strings) for values servers send
//     sloppily, and read dates and links in mapping.go with ParseTime and
//     HTTPURL; write no private copy of them.
//  2. Pass its address to the type's r.Members call below, at the same
//     position as in the struct: the Fields table (courseFields,
//     offeringFields, … made by jsonread.FieldsOf) lists the members in
//     struct order, and Members matches them by position. A field of a type
//     of its own needs a DecodeJSON that reads exactly what its
//     UnmarshalJSON reads, or calls r.Fail() for anything else.
//  3. Run the tests that hold the fast path and encoding/json to the same
//     result: TestFastEveryMember (add the member to everyMember in
//     fast_test.go), TestFastLenientShapes, TestFastMatchesEncodingJSON, and
//     the fuzz target: go test -run '^$' -fuzz FuzzFastDecode ./internal/source/ooapi.
//     A lenient value also belongs in the cross-adapter behaviour table,
//     internal/source/lenient_test.go.

package ooapi

import (
	"qlink/internal/jsonread"
)

// The fast path: pages read into the wire types by a jsonread.Reader in one
// pass (jsonread.Decode). encoding/json hands each lenient value to its
// UnmarshalJSON only after scanning it once more; here each lenient type
// reads the shapes well-formed pages use (its DecodeJSON below) and
// refuses the rest, which sends the whole page to encoding/json and the
// lenient types as before (decodePage). TestFastMatchesEncodingJSON,
// TestFastLenientShapes and FuzzFastDecode hold the two to the same
// result. Each DecodeJSON passes its type's fields to Members in the
// order of the type's fields (TestFastEveryMember).

// DecodeJSON reads the items, each a course or an offering.
func (p *itemPage[T]) DecodeJSON(r *jsonread.Reader) {
	r.Members(pageFields, &p.HasNextPage, jsonread.SliceOf(&p.Items, func(v *T) { any(v).(jsonread.Decoder).DecodeJSON(r) }))
}

var pageFields = jsonread.FieldsOf[itemPage[course]]() // the same for offerings

func (c *course) DecodeJSON(r *jsonread.Reader) {
	r.Members(courseFields, &c.CourseID, &c.ProgramID, &c.EducationSpecificationID, &c.PrimaryCode,
		(*codes)(&c.OtherCodes), &c.Name, &c.Abbreviation, &c.Description, &c.TeachingLanguage, &c.TeachingLanguages,
		jsonread.PtrTo(&c.StudyLoad), &c.FieldsOfStudy, &c.LearningOutcomes, &c.Level, &c.LevelOfQualification,
		&c.ProgramType, &c.EducationSpecType, &c.ModeOfDelivery, &c.ModesOfDelivery, &c.ModeOfStudy,
		&c.AdmissionRequirements, &c.Link, &c.ValidFrom, &c.ValidTo, &c.Organization, &c.Organisation,
		(*refs)(&c.Programs), (*refs)(&c.Programmes), &c.Parent, &c.EducationSpecification)
}

var courseFields = jsonread.FieldsOf[course]()

func (o *offering) DecodeJSON(r *jsonread.Reader) {
	r.Members(offeringFields, &o.OfferingID, &o.PrimaryCode, &o.Name, &o.Description, &o.TeachingLanguage,
		&o.TeachingLanguages, &o.ModeOfDelivery, &o.ModesOfDelivery, &o.StartDate, &o.EndDate, &o.EnrollEndDate,
		&o.MaxNumberStudents, &o.EnrolledNumberStudent, &o.MinNumberStudents, &o.Link, (*rawJSON)(&o.Consumers),
		(*addresses)(&o.Addresses))
}

var offeringFields = jsonread.FieldsOf[offering]()

// Slices of wire types, as Members targets.
type (
	codes     []code
	refs      []ref
	addresses []address
)

func (s *codes) DecodeJSON(r *jsonread.Reader)     { jsonread.List(r, (*[]code)(s)) }
func (s *refs) DecodeJSON(r *jsonread.Reader)      { jsonread.List(r, (*[]ref)(s)) }
func (s *addresses) DecodeJSON(r *jsonread.Reader) { jsonread.List(r, (*[]address)(s)) }

func (c *code) DecodeJSON(r *jsonread.Reader) { r.Members(codeFields, &c.CodeType, &c.Code) }

var codeFields = jsonread.FieldsOf[code]()

func (s *studyLoad) DecodeJSON(r *jsonread.Reader) { r.Members(studyLoadFields, &s.Unit, &s.Value) }

var studyLoadFields = jsonread.FieldsOf[studyLoad]()

func (a *address) DecodeJSON(r *jsonread.Reader) { r.Members(addressFields, &a.City, &a.CountryCode) }

var addressFields = jsonread.FieldsOf[address]()

// rawJSON is json.RawMessage, kept as encoding/json keeps it: the value's
// bytes, "null" included.
type rawJSON []byte

func (m *rawJSON) DecodeJSON(r *jsonread.Reader) { *m = append((*m)[:0], r.Raw()...) }

// DecodeJSON reads what jsonread.ReadLangValues reads by its fast path: an
// array of objects whose members are strings or null (null as ""), or a
// null.
func (l *langStrings) DecodeJSON(r *jsonread.Reader) {
	var out langStrings
	r.Array(func() {
		if r.Next() != '{' {
			r.Fail()
			return
		}
		out = append(out, jsonread.LangValue{})
		one := &out[len(out)-1]
		r.Object(func(k []byte) {
			switch string(k) {
			case "language":
				nullableString(r, &one.Lang)
			case "value":
				nullableString(r, &one.Value)
			default:
				nullableString(r, new(string))
			}
		})
	})
	*l = out
}

func nullableString(r *jsonread.Reader, dst *string) {
	switch r.Next() {
	case '"':
		r.String(dst)
	case 'n':
		r.Null()
		*dst = ""
	default:
		r.Fail()
	}
}

// DecodeJSON reads the v5 shape, an array of arrays of language strings
// (an empty or null inner array adds no outcome), or null.
func (o *outcomes) DecodeJSON(r *jsonread.Reader) {
	isArray := r.Array(func() {
		var ls langStrings
		if ls.DecodeJSON(r); len(ls) > 0 {
			*o = append(*o, ls)
		}
	})
	if !isArray {
		*o = nil
	}
}

// DecodeJSON reads an identifier given as a string, or null. An expanded
// object is left to UnmarshalJSON.
func (x *ref) DecodeJSON(r *jsonread.Reader) {
	if r.Next() == '{' {
		r.Fail()
		return
	}
	r.String((*string)(x))
}
