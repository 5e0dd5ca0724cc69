package store

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"qlink/internal/model"
)

// DecodeCourse reads documents with another implementation than the
// encoding/json that wrote them; it must read them as encoding/json does.
// Specifications are filled at random, every exported field reached by
// reflection (so a field added later is covered too), written by
// json.Marshal, and read back both ways.
func TestDecodeCourseAsEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 3000 {
		var sp model.Specification
		fill(r, reflect.ValueOf(&sp).Elem(), 0)
		doc, err := json.Marshal(sp)
		if err != nil {
			t.Fatal(err)
		}
		checkDecodedAsEncodingJSON(t, doc)
		if i == 0 {
			t.Logf("one of the documents: %s", doc)
		}
	}
}

// Documents not as json.Marshal writes them now: written by hand, by an
// older qlink (a text's value without a language under ""), or
// reformatted by a database (PostgreSQL's jsonb spaces them out).
func TestDecodeCourseHandWritten(t *testing.T) {
	for _, doc := range []string{
		`{"id":"c1","title":{"":"Untagged","en":"Tagged"},"active":true,"publisherId":"p"}`,
		`{"id": "c2", "title": {"en": "Spaced \u00e9 \"quoted\"", "nl": "x"}, "active": false, "publisherId": "p"}`,
		`{"ID":"c3","TITLE":{"en":"Names in another case"},"PublisherId":"p","eqflevel":6}`,
		`{"id":"c4","title":null,"languages":null,"instances":[{"id":"i","specificationId":"c4","start":"2026-09-01T00:00:00+02:00","capacity":null}],"publisherId":"p"}`,
		`{"id":"c5","title":{"en":"Unknown fields"},"future":{"nested":[1,2,3]},"publisherId":"p","schedule":"s","gradingScheme":{"title":{"en":"Pass/fail"}}}`,
		`{"id":"c6","title":{"en":"a"},"title":{"nl":"b"},"publisherId":"p"}`,
		`{"id":"c7","title":{"en":"Invalid \xff UTF-8"},"publisherId":"p"}`,
	} {
		checkDecodedAsEncodingJSON(t, []byte(doc))
	}
}

func checkDecodedAsEncodingJSON(t *testing.T, doc []byte) {
	t.Helper()
	var want model.Specification
	werr := json.Unmarshal(doc, &want)
	var got Course
	gerr := DecodeCourse(&got, "c", doc, []byte(`{"score":80,"violations":[]}`), true)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("encoding/json: %v, DecodeCourse: %v, document %s", werr, gerr, doc)
	}
	if werr != nil {
		return
	}
	if !sameSpec(got.Spec, want) {
		t.Fatalf("document %s\nencoding/json read %+v\nDecodeCourse read  %+v", doc, want, got.Spec)
	}
	if got.Quality == nil || got.Quality.Score != 80 || !got.Quality.Flagged {
		t.Fatalf("quality report read as %+v", got.Quality)
	}
}

// sameSpec compares two specifications, times by their instant and
// offset (two readers may name the same fixed zone by different
// *time.Location values).
func sameSpec(a, b model.Specification) bool {
	ja, erra := json.Marshal(a)
	jb, errb := json.Marshal(b)
	if erra != nil || errb != nil || string(ja) != string(jb) {
		return false
	}
	norm := func(s *model.Specification) {
		s.Modified = canonicalTime(s.Modified)
		for i := range s.Instances {
			in := &s.Instances[i]
			in.Start, in.End, in.ApplicationDeadline = canonicalTime(in.Start), canonicalTime(in.End), canonicalTime(in.ApplicationDeadline)
		}
	}
	norm(&a)
	norm(&b)
	return reflect.DeepEqual(a, b)
}

func canonicalTime(t time.Time) time.Time {
	_, offset := t.Zone()
	return t.In(time.FixedZone("", offset))
}

// Strings that JSON writes with escapes, or not at all as given.
var tricky = []string{"", "plain", "é ü ß 中文", `quote " and \ backslash`, "<b>&amp;</b>", "line\nbreak\ttab",
	"\u2028\u2029", "bad \xff byte", "emoji 🎓", "\x00\x1f"}

// fill sets v, and everything it holds, at random.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		if r.IntN(4) > 0 {
			zones := []*time.Location{time.UTC, time.FixedZone("", 2*3600), time.FixedZone("", -5*3600-1800)}
			t := time.Unix(r.Int64N(4e9), r.Int64N(1e9)*int64(r.IntN(2))).In(zones[r.IntN(len(zones))])
			v.Set(reflect.ValueOf(t))
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(tricky[r.IntN(len(tricky))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int64:
		v.SetInt(r.Int64N(2000) - 1000)
	case reflect.Float64:
		v.SetFloat([]float64{0, 1, 7.5, 1e-7, 123456789.25, -3}[r.IntN(6)])
	case reflect.Pointer:
		if r.IntN(2) == 1 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(r, v.Elem(), depth+1)
		}
	case reflect.Slice:
		if n := r.IntN(4); n > 0 || r.IntN(2) == 1 {
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				fill(r, v.Index(i), depth+1)
			}
		}
	case reflect.Map:
		if n := r.IntN(4); n > 0 || r.IntN(2) == 1 {
			v.Set(reflect.MakeMap(v.Type()))
			for range n {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				fill(r, k, depth+1)
				if r.IntN(3) == 0 {
					k.SetString([]string{"en", "nl", "und", "de-CH", "zh-Hant"}[r.IntN(5)])
				}
				fill(r, e, depth+1)
				v.SetMapIndex(k, e)
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth+1)
			}
		}
	default:
		panic("fill: no rule for " + v.Type().String())
	}
}
