package elm

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/vocab"
)

// normalized returns s in a form where equal content compares equal with
// reflect.DeepEqual: empty texts and slices nil, identifiers, instances
// and providers in a fixed order.
func normalized(s model.Specification) model.Specification {
	text := func(t model.Text) model.Text {
		if len(t) == 0 {
			return nil
		}
		return t
	}
	ids := func(ids []model.Identifier) []model.Identifier {
		if len(ids) == 0 {
			return nil
		}
		ids = slices.Clone(ids)
		slices.SortFunc(ids, func(a, b model.Identifier) int {
			return cmp.Or(cmp.Compare(a.Scheme, b.Scheme), cmp.Compare(a.Value, b.Value))
		})
		return ids
	}
	nilIfEmpty := func(xs []string) []string {
		if len(xs) == 0 {
			return nil
		}
		return xs
	}
	s.Title, s.Description, s.EntryRequirements = text(s.Title), text(s.Description), text(s.EntryRequirements)
	s.Identifiers = ids(s.Identifiers)
	s.Languages, s.ISCEDF, s.PartOf, s.HasPart = nilIfEmpty(s.Languages), nilIfEmpty(s.ISCEDF), nilIfEmpty(s.PartOf), nilIfEmpty(s.HasPart)
	if len(s.LearningOutcomes) == 0 {
		s.LearningOutcomes = nil
	}
	if len(s.Credits) == 0 {
		s.Credits = nil
	}
	study := func(st model.Study) model.Study {
		if st.GradingScheme != nil {
			g := model.GradingScheme{Title: text(st.GradingScheme.Title), Description: text(st.GradingScheme.Description)}
			st.GradingScheme = &g
		}
		return st
	}
	s.Study = study(s.Study)
	ins := slices.Clone(s.Instances)
	for i := range ins {
		in := &ins[i]
		in.Title, in.Description, in.Location = text(in.Title), text(in.Description), text(in.Location)
		in.AcademicTerm, in.Study = text(in.AcademicTerm), study(in.Study)
		if len(in.Credits) == 0 {
			in.Credits = nil
		}
		in.Identifiers = ids(in.Identifiers)
		in.Modes, in.ProviderIDs = nilIfEmpty(in.Modes), nilIfEmpty(in.ProviderIDs)
	}
	slices.SortFunc(ins, func(a, b model.Instance) int { return cmp.Compare(a.ID, b.ID) })
	if len(ins) == 0 {
		ins = nil
	}
	s.Instances = ins
	return s
}

// randomSpecs generates n specifications of provider p with every field
// the mapping carries, each present or absent at random, and texts in
// several languages with characters that need escaping.
func randomSpecs(r *rand.Rand, p model.Provider, n int) []model.Specification {
	specs := make([]model.Specification, n)
	for i := range specs {
		specs[i] = randomSpec(r, p, i)
	}
	for i := range specs { // link some courses into programmes
		if i > 0 && r.IntN(3) == 0 {
			j := r.IntN(i)
			specs[i].PartOf = append(specs[i].PartOf, specs[j].ID)
			specs[j].HasPart = append(specs[j].HasPart, specs[i].ID)
		}
	}
	return specs
}

var (
	testLangs  = []string{"en", "en-GB", "de-AT", "nl", "fr", "sr-Latn", "pt-BR", ""}
	testValues = []string{`Linked "Open" Data`, "Ökologie & Umwelt\nTeil 2", "<p>HTML <b>kept</b></p>", "Ελληνικά", "tab\tand \\ backslash", "😀 emoji"}
)

func randomText(r *rand.Rand, maxLangs int) model.Text {
	t := model.Text{}
	for range r.IntN(maxLangs + 1) {
		t.Set(testLangs[r.IntN(len(testLangs))], fmt.Sprintf("%s %d", testValues[r.IntN(len(testValues))], r.IntN(1000)))
	}
	return t
}

func randomTime(r *rand.Rand) time.Time {
	if r.IntN(4) == 0 {
		return time.Time{}
	}
	return time.Date(2020+r.IntN(10), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), 0, time.UTC)
}

func pickSome[T any](r *rand.Rand, xs []T, max int) []T {
	var out []T
	for _, i := range r.Perm(len(xs))[:r.IntN(max+1)] {
		out = append(out, xs[i])
	}
	return out
}

func randomCount(r *rand.Rand) *int {
	if r.IntN(3) == 0 {
		return nil
	}
	v := r.IntN(300)
	return &v
}

func randomSpec(r *rand.Rand, p model.Provider, i int) model.Specification {
	local := []string{fmt.Sprintf("C%d", i), fmt.Sprintf("MATH %d/a:b", i), fmt.Sprintf("Ünï-%d", i)}[r.IntN(3)]
	id := model.CourseID(p.SCHAC, p.ID, local)
	var concepts = func(s *vocab.Scheme) []string {
		var out []string
		for _, c := range s.All() {
			out = append(out, c.URI)
		}
		return out
	}
	var iscedCodes []string
	for _, c := range vocab.ISCEDF.All() {
		iscedCodes = append(iscedCodes, c.Code)
	}
	s := model.Specification{
		ID: id,
		Identifiers: pickSome(r, []model.Identifier{{Scheme: SchemeELM, Value: local}, {Scheme: "ooapi:courseId", Value: fmt.Sprint(r.Uint64())},
			{Scheme: "https://scheme.test/codes", Value: "X" + fmt.Sprint(i)}, {Scheme: SchemeIRI, Value: fmt.Sprintf("https://old.test/course/%d", i)}}, 4),
		Title:             randomText(r, 3),
		Description:       randomText(r, 2),
		Languages:         pickSome(r, []string{"en", "de", "nl", "sh", "fr", "mul"}, 3),
		ISCEDF:            pickSome(r, iscedCodes, 2),
		EQFLevel:          r.IntN(9),
		Homepage:          []string{"", fmt.Sprintf("https://www.uni.test/courses/%d?lang=en&x=1", i)}[r.IntN(2)],
		EntryRequirements: randomText(r, 1),
		Active:            r.IntN(5) != 0,
		Version:           []string{"", "1.0", "2026-rev3"}[r.IntN(3)],
		Modified:          randomTime(r),
		PublisherID:       p.ID,
	}
	if s.Title.IsEmpty() {
		s.Title.Set("en", "Course "+local) // every specification has a title; Read warns otherwise
	}
	if r.IntN(4) != 0 {
		s.Type = concepts(vocab.LearningOpportunityTypes)[r.IntN(len(vocab.LearningOpportunityTypes.All()))]
	}
	for range r.IntN(5) {
		if t := randomText(r, 3); !t.IsEmpty() {
			s.LearningOutcomes = append(s.LearningOutcomes, t)
		}
	}
	if r.IntN(3) != 0 {
		s.Credits = []model.Credit{{System: concepts(vocab.CreditSystems)[r.IntN(2)], Value: []float64{1, 2.5, 6, 7.5, 30, 0.25}[r.IntN(6)]}}
	}
	if r.IntN(4) == 0 {
		s.Kind = model.KindActivity
	}
	randomStudy := func() model.Study {
		st := model.Study{VolumeOfLearning: []string{"", "PT150H", "P1Y2M", "PT7H30M"}[r.IntN(4)]}
		if r.IntN(2) == 0 {
			st.Schedule = concepts(vocab.LearningSchedules)[r.IntN(3)]
		}
		if g := (model.GradingScheme{Title: randomText(r, 2), Description: randomText(r, 1)}); r.IntN(2) == 0 && !g.IsEmpty() {
			st.GradingScheme = &g
		}
		return st
	}
	s.Study = randomStudy()
	for j := range r.IntN(4) {
		in := model.Instance{
			ID:                  model.InstanceID(id, fmt.Sprintf("O%d-%d", i, j)),
			Identifiers:         pickSome(r, []model.Identifier{{Scheme: "ooapi:offeringId", Value: fmt.Sprint(r.Uint64())}}, 1),
			SpecificationID:     id,
			Title:               randomText(r, 2),
			Description:         randomText(r, 1),
			Start:               randomTime(r),
			End:                 randomTime(r),
			Modes:               pickSome(r, concepts(vocab.Modes), 2),
			DefaultLanguage:     []string{"", "en", "de", "sh"}[r.IntN(4)],
			ProviderIDs:         []string{p.ID},
			RegistrationPortal:  []string{"", fmt.Sprintf("https://apply.uni.test/%d/%d", i, j)}[r.IntN(2)],
			ApplicationDeadline: randomTime(r),
			Capacity:            randomCount(r),
			Enrolled:            randomCount(r),
			Minimum:             randomCount(r),
			Homepage:            []string{"", fmt.Sprintf("https://www.uni.test/o/%d/%d", i, j)}[r.IntN(2)],
			Location:            []model.Text{nil, {"und": "Ghent"}, {"nl": "Gent", "fr": "Gand"}}[r.IntN(3)],
			AcademicTerm:        []model.Text{nil, {"und": "2025/2026-1/2"}, {"en": "Fall 2026", "de": "Herbst 2026"}}[r.IntN(3)],
			Study:               randomStudy(),
		}
		if r.IntN(2) == 0 {
			in.Credits = []model.Credit{{System: model.CreditECTS, Value: 5}}
		}
		s.Instances = append(s.Instances, in)
	}
	return s
}

// readBack parses serialised ELM and maps it again.
func readBack(t *testing.T, data []byte, f rdf.Format) Result {
	t.Helper()
	g, err := rdfio.LoadGraph(bytes.NewReader(data), f, rdf.Options{})
	if err != nil {
		t.Fatalf("%v: %v\n%s", f, err, data)
	}
	return Read(g, ReadOptions{Provider: testProvider})
}

// TestRoundTripModel: model → ELM → model gives the same specifications,
// in every output format, for random specifications (a property test over
// many seeds; -count and the seed loop widen it).
func TestRoundTripModel(t *testing.T) {
	for seed := range uint64(8) {
		r := rand.New(rand.NewPCG(seed, 99))
		specs := randomSpecs(r, testProvider, 25)
		for _, f := range []rdf.Format{rdf.FormatTurtle, rdf.FormatNQuads, rdf.FormatJSONLD} {
			var buf bytes.Buffer
			if err := Write(&buf, f, specs, []model.Provider{testProvider}); err != nil {
				t.Fatalf("seed %d %v: %v", seed, f, err)
			}
			res := readBack(t, buf.Bytes(), f)
			if len(res.Warnings) > 0 {
				t.Errorf("seed %d %v: warnings on qlink's own output:\n%s", seed, f, warningsText(res.Warnings))
			}
			compareSpecs(t, fmt.Sprintf("seed %d %v", seed, f), specs, res.Specs)
		}
	}
}

func compareSpecs(t *testing.T, label string, want, got []model.Specification) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d specifications back, want %d", label, len(got), len(want))
	}
	byID := map[string]model.Specification{}
	for _, s := range got {
		byID[s.ID] = normalized(s)
	}
	for _, w := range want {
		w = normalized(w)
		if g := byID[w.ID]; !equalJSON(g, w) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			t.Errorf("%s: %s\ngot  %s\nwant %s", label, w.ID, gj, wj)
		}
	}
}

// equalJSON compares through JSON so that time.Time locations and nil
// versus empty maps inside slices do not matter.
func equalJSON(a, b any) bool {
	aj, _ := json.Marshal(a)
	bj, _ := json.Marshal(b)
	return bytes.Equal(aj, bj)
}

// TestRoundTripELM: ELM → model → ELM keeps every statement the model
// maps. Input and output are flattened into (subject, property, value)
// strings where blank-node values are written as their own sorted
// statements; input subjects are renamed to the identifiers qlink gave
// them, and only statements carrying model data are compared.
func TestRoundTripELM(t *testing.T) {
	cases := []struct {
		file     string
		provider model.Provider
		stmts    int // mapped statements in the input, blank-node values counted as one
	}{
		{"minimal/minimal-elm33.ttl", model.Provider{ID: "p", SCHAC: "example.ac.at"}, 20},
		{"minimal/minimal-elm33.jsonld", model.Provider{ID: "p", SCHAC: "example.ac.at"}, 20},
		{"quality-link/AT0002.ttl", model.Provider{ID: "p", ETER: "AT0001"}, 18},
		{"quality-link/SI0001.ttl", model.Provider{ID: "p", ETER: "SI0001"}, 25},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			in, _ := NormalizeGraph(loadSample(t, tc.file))
			res := Read(in, ReadOptions{Provider: tc.provider})
			var buf bytes.Buffer
			if err := Write(&buf, rdf.FormatTurtle, res.Specs, []model.Provider{tc.provider}); err != nil {
				t.Fatal(err)
			}
			out, err := rdfio.LoadGraph(&buf, rdf.FormatTurtle, rdf.Options{})
			if err != nil {
				t.Fatal(err)
			}
			rename := renames(in, res, ProviderIRI(tc.provider))
			want := flatten(in, rename)
			got := map[string]bool{}
			for _, s := range flatten(out, nil) {
				got[s] = true
			}
			if len(want) != tc.stmts {
				t.Fatalf("%d mapped statements in the input, want %d: %v", len(want), tc.stmts, want)
			}
			for _, s := range want {
				if !got[s] {
					t.Errorf("lost: %s", s)
				}
			}
		})
	}
}

// renames maps the input's specification and instance nodes to the IDs
// qlink minted (recorded as SchemeIRI identifiers) and publisher and
// provider nodes to the provider's IRI.
func renames(g *rdf.Graph, res Result, providerIRI string) map[rdf.Term]rdf.Term {
	m := map[rdf.Term]rdf.Term{}
	add := func(id string, ids []model.Identifier) {
		m[rdf.IRI(id)] = rdf.IRI(id)
		for _, x := range ids {
			if x.Scheme == SchemeIRI {
				m[rdf.IRI(x.Value)] = rdf.IRI(id)
			}
		}
	}
	for _, s := range res.Specs {
		add(s.ID, s.Identifiers)
		for _, in := range s.Instances {
			add(in.ID, in.Identifiers)
		}
	}
	for _, p := range []string{pPublisher, pProvidedBy} {
		for t := range g.Match(rdf.Term{}, rdf.IRI(p), rdf.Term{}) {
			m[t.O] = rdf.IRI(providerIRI)
		}
	}
	return m
}

// mapped lists the properties Read maps, per node kind; sub-node
// properties are compared inside their parent's value.
var mapped = map[string]bool{}

func init() {
	for _, p := range []string{pIdentifier, pNotation, pSchemeName, pSchemeID, pTitle, pDescription, pType, pLanguage,
		pISCEDF, pEQF, pCreditPoint, pFramework, pPoint, pLearnOutcome, pHomepage, pContentURL, pEntryReq, pNoteLiteral,
		pIsActive, pVersion, pModified, pPublisher, pIsPartOf, pHasPart, pLearningOpp, pSameAs, pLAS, pProvidedBy,
		pDefaultLang, pMode, pTemporal, pStartDate, pEndDate, pRegPortal, pAppDeadline, pCapacity, pEnrolled, pMinimum,
		pLocation, pGeoName} {
		mapped[p] = true
	}
}

// flatten describes the LOS and LOI nodes of g (those in rename, when
// given) as sorted statement strings.
func flatten(g *rdf.Graph, rename map[rdf.Term]rdf.Term) []string {
	name := func(t rdf.Term) rdf.Term {
		if n, ok := rename[t]; ok {
			return n
		}
		return t
	}
	var out []string
	for t := range g.Match(rdf.Term{}, rdf.IRI(rdfType), rdf.Term{}) {
		if !slices.Contains(losClasses, t.O.Value) && !slices.Contains(loiClasses, t.O.Value) {
			continue
		}
		if _, ok := rename[t.S]; rename != nil && !ok {
			continue
		}
		for st := range g.Match(t.S, rdf.Term{}, rdf.Term{}) {
			if v := value(g, st.O, name, 0); mapped[st.P.Value] && v != "" {
				out = append(out, name(t.S).Value+" "+curie(st.P.Value)+" "+v)
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// value renders an object: literals by lexical form and canonical
// language (the writer types URLs as xsd:anyURI where sources often do
// not), blank nodes as their mapped statements, "" for a sub-node with
// nothing mapped (a period with only a label, an untitled outcome).
func value(g *rdf.Graph, o rdf.Term, name func(rdf.Term) rdf.Term, depth int) string {
	switch {
	case o.IsLiteral():
		return fmt.Sprintf("%q@%s", o.Value, rdf.CanonicalLang(o.Lang))
	case !o.IsBlank() || depth > 2:
		return "<" + name(o).Value + ">"
	}
	var parts []string
	for st := range g.Match(o, rdf.Term{}, rdf.Term{}) {
		if v := value(g, st.O, name, depth+1); mapped[st.P.Value] && v != "" {
			parts = append(parts, curie(st.P.Value)+" "+v)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	sort.Strings(parts)
	return "[" + strings.Join(parts, "; ") + "]"
}
