package elm

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
	"qlink/internal/vocab"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenSpecs are a programme and one of its courses with an offering,
// covering every field the writer emits.
func goldenSpecs() []model.Specification {
	capacity, enrolled, minimum := 40, 12, 8
	course := model.Specification{
		ID:          "urn:schac:uniqueCourseId:uni.test:INF-101",
		Identifiers: []model.Identifier{{Scheme: SchemeELM, Value: "INF-101"}, {Scheme: "ooapi:courseId", Value: "2f6e-11"}, {Scheme: SchemeIRI, Value: "https://uni.test/courses/INF-101"}},
		Type:        vocab.LearningOpportunityTypes.URI("course"),
		Title:       model.Text{"en": "Linked Data", "nl-BE": "Gelinkte data"},
		Description: model.Text{"en": "RDF, \"SPARQL\" and SHACL.\nTwo lines."},
		LearningOutcomes: []model.Text{
			{"en": "Explain RDF.", "nl-BE": "RDF uitleggen."},
			{"en": "Write SPARQL queries."},
		},
		Languages:         []string{"en", "nl"},
		ISCEDF:            []string{"0612"},
		EQFLevel:          6,
		Credits:           []model.Credit{{System: model.CreditECTS, Value: 7.5}},
		Homepage:          "https://www.uni.test/inf-101",
		EntryRequirements: model.Text{"en": "Programming 1."},
		Active:            true,
		Version:           "2",
		Modified:          time.Date(2026, 2, 1, 10, 30, 0, 0, time.UTC),
		PublisherID:       testProvider.ID,
		PartOf:            []string{"urn:schac:uniqueCourseId:uni.test:B-INF"},
		Instances: []model.Instance{{
			ID:                  "urn:schac:uniqueCourseId:uni.test:INF-101:offering:INF-101-26S",
			Identifiers:         []model.Identifier{{Scheme: "ooapi:offeringId", Value: "77aa"}},
			SpecificationID:     "urn:schac:uniqueCourseId:uni.test:INF-101",
			Title:               model.Text{"en": "Linked Data (spring 2026)"},
			Start:               time.Date(2026, 2, 9, 0, 0, 0, 0, time.UTC),
			End:                 time.Date(2026, 6, 26, 0, 0, 0, 0, time.UTC),
			Modes:               []string{vocab.Modes.URI("presential"), vocab.Modes.URI("online")},
			DefaultLanguage:     "en",
			ProviderIDs:         []string{testProvider.ID},
			RegistrationPortal:  "https://apply.uni.test/inf-101",
			ApplicationDeadline: time.Date(2026, 1, 15, 23, 59, 0, 0, time.UTC),
			Capacity:            &capacity,
			Enrolled:            &enrolled,
			Minimum:             &minimum,
			Homepage:            "https://www.uni.test/inf-101/2026",
			Location:            model.Text{"und": "Ghent"},
		}},
	}
	programme := model.Specification{
		ID:          "urn:schac:uniqueCourseId:uni.test:B-INF",
		Identifiers: []model.Identifier{{Scheme: "ooapi:programCode", Value: "B-INF"}},
		Type:        vocab.LearningOpportunityTypes.URI("programme"),
		Title:       model.Text{"en": "Bachelor of Informatics"},
		Languages:   []string{"sh"},
		ISCEDF:      []string{"06", "061"},
		EQFLevel:    6,
		Credits:     []model.Credit{{System: model.CreditECTS, Value: 180}},
		Active:      false,
		PublisherID: testProvider.ID,
		HasPart:     []string{course.ID},
	}
	return []model.Specification{course, programme}
}

func TestWriteGolden(t *testing.T) {
	for _, f := range []rdf.Format{rdf.FormatTurtle, rdf.FormatNQuads, rdf.FormatJSONLD} {
		t.Run(f.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, f, goldenSpecs(), []model.Provider{testProvider}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden"+f.Extension())
			if *update {
				os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from the output (go test -update rewrites it):\n%s", path, buf.String())
			}
		})
	}
}

// TestWriteShape checks the QL profile's shape on the golden output:
// classes, datatypes and derived fields, statement by statement.
func TestWriteShape(t *testing.T) {
	qs := Quads(goldenSpecs(), []model.Provider{testProvider}, WriteOptions{NamedGraphs: true})
	var lines []string
	for _, q := range qs {
		lines = append(lines, q.String())
	}
	all := strings.Join(lines, "\n")
	graph := " <https://data.deqar.eu/institution/42> ."
	for _, want := range []string{
		`<urn:schac:uniqueCourseId:uni.test:INF-101> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://data.quality-link.eu/ontology/v1#LearningOpportunitySpecification>` + graph,
		`<http://data.europa.eu/snb/model/ontology/point> "7.5"` + graph,
		`<http://data.quality-link.eu/ontology/v1#ISCEDFBroadField> <http://data.europa.eu/snb/isced-f/06>` + graph,
		`<http://data.quality-link.eu/ontology/v1#ISCEDFNarrowField> <http://data.europa.eu/snb/isced-f/061>` + graph,
		`<http://purl.org/dc/terms/language> <http://publications.europa.eu/resource/authority/language/HBS>` + graph,
		`<http://data.europa.eu/snb/model/ontology/contentUrl> "https://www.uni.test/inf-101"^^<http://www.w3.org/2001/XMLSchema#anyURI>` + graph,
		`<http://data.europa.eu/snb/model/ontology/startDate> "2026-02-09T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>` + graph,
		`<http://data.quality-link.eu/ontology/v1#enrolmentCapacity> "40"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>` + graph,
		`<http://data.quality-link.eu/ontology/v1#registrationPortal> "https://apply.uni.test/inf-101"^^<http://www.w3.org/2001/XMLSchema#anyURI>` + graph,
		`<urn:schac:uniqueCourseId:uni.test:INF-101> <http://www.w3.org/2002/07/owl#sameAs> <https://uni.test/courses/INF-101>` + graph,
		`<http://data.europa.eu/snb/model/ontology/schemeId> <http://data.quality-link.eu/ontology/v1#Schac>` + graph,
		`<http://www.w3.org/2004/02/skos/core#notation> "BE0042"` + graph,
		`<http://data.europa.eu/snb/model/ontology/countryCode> <http://publications.europa.eu/resource/authority/country/BEL>` + graph,
		`<http://data.quality-link.eu/ontology/v1#isActive> "false"^^<http://www.w3.org/2001/XMLSchema#boolean>` + graph,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(all, "/model/elm/") {
		t.Error("output uses the ELM ≤3.2 namespace")
	}
}

// TestWriteDeterministic: the input order does not change the output, and
// a course keeps its blank node labels when other courses are added.
func TestWriteDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	specs := randomSpecs(r, testProvider, 30)
	write := func(specs []model.Specification) string {
		var buf bytes.Buffer
		if err := Write(&buf, rdf.FormatNQuads, specs, []model.Provider{testProvider}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	first := write(specs)
	shuffled := slices.Clone(specs)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if write(shuffled) != first {
		t.Error("output depends on the input order")
	}
	fewer := write(specs[10:])
	for _, line := range strings.Split(fewer, "\n") {
		if strings.HasPrefix(line, "_:") && !strings.Contains(first, line) {
			t.Fatalf("blank node statement changed when other courses were removed: %s", line)
		}
	}
}

func TestWriteUnsupportedFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, rdf.FormatRDFXML, goldenSpecs(), nil); err == nil || !strings.Contains(err.Error(), "Turtle, N-Quads or JSON-LD") {
		t.Errorf("err %v", err)
	}
}

// TestWriteJSONLDContext: JSON-LD output refers to qlink's context, which
// the offline loader serves, so a client can expand it.
func TestWriteJSONLDContext(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, rdf.FormatJSONLD, goldenSpecs()[:1], nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"@context": "`+jsonld.QLinkContextURL+`"`) {
		t.Errorf("no context reference:\n%s", buf.String())
	}
	if _, err := jsonld.NewLoader(nil).LoadDocument(jsonld.QLinkContextURL); err != nil {
		t.Error(err)
	}
}

func TestProviderIRI(t *testing.T) {
	cases := []struct {
		p    model.Provider
		want string
	}{
		{model.Provider{ID: "DEQARINST0042", DEQAR: "DEQARINST0042"}, "https://data.deqar.eu/institution/42"},
		{model.Provider{ID: "https://ror.test/x"}, "https://ror.test/x"},
		{model.Provider{ID: "uni.test"}, "urn:qlink:provider:uni.test"},
		{model.Provider{ID: "a b/c"}, "urn:qlink:provider:a%20b%2Fc"},
		{model.Provider{ID: "x", DEQAR: "DEQARINSTxx"}, "urn:qlink:provider:x"},
	}
	for _, tc := range cases {
		if got := ProviderIRI(tc.p); got != tc.want {
			t.Errorf("ProviderIRI(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}
