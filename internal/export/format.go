package export

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"qlink/internal/model"
	"qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/rdf/jsonld"
)

// Format is one of the dataset's serialisations.
type Format string

// The formats of the dataset. The CSV table of courses and the one of
// offerings are two formats: each is a file of its own.
const (
	NQuads       Format = "nq"
	Turtle       Format = "ttl"
	JSONLD       Format = "jsonld"
	CoursesCSV   Format = "courses.csv"
	OfferingsCSV Format = "offerings.csv"
)

// Formats lists every format, in the order the dataset page shows them.
var Formats = []Format{NQuads, Turtle, JSONLD, CoursesCSV, OfferingsCSV}

// ParseFormat reads a format as the CLI takes it: nq, ttl, jsonld, csv
// (the courses table) or offerings.csv.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "nq", "nquads":
		return NQuads, nil
	case "ttl", "turtle":
		return Turtle, nil
	case "jsonld", "json-ld":
		return JSONLD, nil
	case "csv", "courses.csv":
		return CoursesCSV, nil
	case "offerings.csv", "offerings":
		return OfferingsCSV, nil
	}
	return "", fmt.Errorf("unknown format %q: choose nq, ttl, jsonld, csv (courses) or offerings.csv", s)
}

// MediaType is the IANA media type of the uncompressed content.
func (f Format) MediaType() string {
	switch f {
	case NQuads:
		return rdf.FormatNQuads.MediaType()
	case Turtle:
		return rdf.FormatTurtle.MediaType()
	case JSONLD:
		return rdf.FormatJSONLD.MediaType()
	}
	return "text/csv"
}

// Name says in words what the format holds.
func (f Format) Name() string {
	switch f {
	case NQuads:
		return "N-Quads"
	case Turtle:
		return "Turtle"
	case JSONLD:
		return "JSON-LD"
	case CoursesCSV:
		return "CSV (courses)"
	}
	return "CSV (offerings)"
}

// encoder writes one format: a header, each course, a footer. It holds the
// state of one output (whether a separator is due, which institutions it
// named) so several outputs of a format can share the encoded bytes of a
// course (see courseBytes).
type encoder struct {
	format Format
	out    io.Writer
	// records counts the courses (RDF formats) or rows (CSV) written.
	records int
	// providers are the institutions whose courses this output holds:
	// RDF outputs describe them at the end.
	providers map[string]model.Provider
	// first and last are the earliest start and latest end of the
	// offerings written: the dataset's temporal coverage.
	first, last time.Time
}

func newEncoder(f Format, out io.Writer) *encoder {
	return &encoder{format: f, out: out, providers: map[string]model.Provider{}}
}

func (e *encoder) begin() error {
	var err error
	switch e.format {
	case Turtle:
		_, err = e.out.Write(turtlePrefixes())
	case JSONLD:
		err = writeJSONLDHead(e.out)
	case CoursesCSV:
		err = writeCSVRow(e.out, CourseColumns.names())
	case OfferingsCSV:
		err = writeCSVRow(e.out, OfferingColumns.names())
	}
	return err
}

// course writes one course, encoded once per format in cb.
func (e *encoder) course(cb *courseBytes) error {
	data, rows, err := cb.encoded(e.format)
	if err != nil {
		return err
	}
	if e.format == JSONLD && e.records > 0 && len(data) > 0 {
		if _, err := io.WriteString(e.out, ",\n"); err != nil {
			return err
		}
	}
	if _, err := e.out.Write(data); err != nil {
		return err
	}
	for _, p := range cb.providers {
		e.providers[p.ID] = p
	}
	e.cover(cb.course.Spec.Instances)
	if e.format == CoursesCSV || e.format == OfferingsCSV {
		e.records += rows
	} else if len(data) > 0 {
		e.records++
	}
	return nil
}

// cover widens the temporal coverage to the offerings' dates.
func (e *encoder) cover(instances []model.Instance) {
	for i := range instances {
		in := &instances[i]
		for _, t := range []time.Time{in.Start, in.End} {
			if t.IsZero() {
				continue
			}
			if e.first.IsZero() || t.Before(e.first) {
				e.first = t
			}
			if t.After(e.last) {
				e.last = t
			}
		}
	}
}

// end describes the institutions the output named and closes it; cb
// encodes the description.
func (e *encoder) end(cb *courseBytes) error {
	if e.format == CoursesCSV || e.format == OfferingsCSV {
		return nil
	}
	ps := slices.SortedFunc(maps.Values(e.providers), func(a, b model.Provider) int { return cmp.Compare(a.ID, b.ID) })
	var quads []rdf.Quad
	elm.Emit(nil, ps, elm.WriteOptions{NamedGraphs: e.format == NQuads}, func(q rdf.Quad) { quads = append(quads, q) })
	data, err := cb.encodeQuads(e.format, quads)
	if err != nil {
		return err
	}
	if e.format == JSONLD {
		if e.records > 0 && len(data) > 0 {
			data = append([]byte(",\n"), data...)
		}
		data = append(data, "\n]}\n"...)
	}
	_, err = e.out.Write(data)
	return err
}

// courseBytes is one course with its encodings, computed once whatever the
// number of outputs (whole dataset, institution, country) it goes to.
type courseBytes struct {
	course    courseRow
	providers []model.Provider
	cache     map[Format][]byte
	rows      map[Format]int
	// compactor holds qlink's JSON-LD context, processed once per pass.
	compactor *jsonld.Compactor
	ldOptions jsonld.Options
	// Scratch space reused from course to course: the statements, and an
	// N-Quads writer with the buffer it writes into.
	quadBuf []rdf.Quad
	nq      *rdf.NQuadsWriter
	nqOut   bytes.Buffer
}

func (cb *courseBytes) reset(c courseRow, providers []model.Provider) {
	cb.course = c
	cb.providers = providers
	if cb.cache == nil {
		cb.cache, cb.rows = map[Format][]byte{}, map[Format]int{}
	}
	clear(cb.cache)
	clear(cb.rows)
}

func (cb *courseBytes) encoded(f Format) ([]byte, int, error) {
	if data, ok := cb.cache[f]; ok {
		return data, cb.rows[f], nil
	}
	var data []byte
	var rows int
	var err error
	switch f {
	case CoursesCSV:
		data, rows, err = courseCSV(&cb.course)
	case OfferingsCSV:
		data, rows, err = offeringsCSV(&cb.course)
	default:
		data, err = cb.encodeQuads(f, cb.quads(f == NQuads))
	}
	if err != nil {
		return nil, 0, fmt.Errorf("course %s: %w", cb.course.Spec.ID, err)
	}
	cb.cache[f], cb.rows[f] = data, rows
	return data, rows, nil
}

// quads are the course's ELM statements without the description of its
// institutions, which each output writes once at its end. Emit writes the
// specification first and the institutions after, so everything from the
// first statement about an institution on is theirs.
func (cb *courseBytes) quads(named bool) []rdf.Quad {
	subjects := make(map[rdf.Term]bool, len(cb.providers))
	for _, p := range cb.providers {
		subjects[rdf.IRI(elm.ProviderIRI(p))] = true
	}
	quads := cb.quadBuf[:0]
	described := false
	elm.Emit([]model.Specification{cb.course.Spec}, cb.providers, elm.WriteOptions{NamedGraphs: named}, func(q rdf.Quad) {
		if described = described || subjects[q.S]; !described {
			quads = append(quads, q)
		}
	})
	cb.quadBuf = quads
	return quads
}

// encodeQuads writes statements in an RDF format, without the file's
// header (Turtle prefixes, the JSON-LD context). The N-Quads it returns
// are valid until its next call.
func (cb *courseBytes) encodeQuads(f Format, quads []rdf.Quad) ([]byte, error) {
	if len(quads) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	switch f {
	case NQuads:
		if cb.nq == nil {
			cb.nq = rdf.NewNQuadsWriter(&cb.nqOut)
		}
		cb.nqOut.Reset()
		for _, q := range quads {
			if err := cb.nq.Write(q); err != nil {
				return nil, err
			}
		}
		if err := cb.nq.Flush(); err != nil {
			return nil, err
		}
		return cb.nqOut.Bytes(), nil
	case Turtle:
		g := rdf.NewGraph()
		for _, q := range quads {
			g.Add(q.Triple())
		}
		if err := rdf.WriteTurtle(&buf, g, elm.Prefixes); err != nil {
			return nil, err
		}
		return withoutPrefixes(buf.Bytes()), nil
	case JSONLD:
		if cb.compactor == nil {
			// One loader for the pass: building one builds qlink's contexts.
			cb.ldOptions = jsonld.Options{Loader: jsonld.NewLoader(nil)}
			c, err := jsonld.NewCompactor(jsonld.QLinkContextURL, cb.ldOptions)
			if err != nil {
				return nil, err
			}
			cb.compactor = c
		}
		return jsonLDNodes(cb.compactor, cb.ldOptions, quads)
	}
	return buf.Bytes(), nil
}

// turtlePrefixes is the Turtle file's header: every prefix the writer may
// use, declared once.
func turtlePrefixes() []byte {
	var b []byte
	for _, p := range slices.Sorted(maps.Keys(elm.Prefixes)) {
		b = fmt.Appendf(b, "@prefix %s: <%s> .\n", p, elm.Prefixes[p])
	}
	return append(b, '\n')
}

// withoutPrefixes drops the @prefix lines rdf.WriteTurtle starts a
// document with: the file declared them all once.
func withoutPrefixes(ttl []byte) []byte {
	for bytes.HasPrefix(ttl, []byte("@prefix ")) {
		_, rest, _ := bytes.Cut(ttl, []byte("\n"))
		ttl = rest
	}
	return bytes.TrimPrefix(ttl, []byte("\n"))
}

// writeJSONLDHead opens the document: qlink's context, inline so the file
// stands alone, and the @graph array the nodes go in.
func writeJSONLDHead(w io.Writer) error {
	doc, err := jsonld.NewLoader(nil).LoadDocument(jsonld.QLinkContextURL)
	if err != nil {
		return err
	}
	ctx, err := json.Marshal(doc.Document.(map[string]any)["@context"])
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "{\"@context\": %s,\n\"@graph\": [\n", ctx)
	return err
}

// jsonLDNodes compacts statements with qlink's context and returns their
// node objects, one per line, separated by commas.
func jsonLDNodes(c *jsonld.Compactor, o jsonld.Options, quads []rdf.Quad) ([]byte, error) {
	doc, err := jsonld.FromRDF(quads, o)
	if err != nil {
		return nil, err
	}
	nodes, err := c.Nodes(doc)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for i, n := range nodes {
		if i > 0 {
			buf.WriteString(",\n")
		}
		data, err := json.Marshal(n)
		if err != nil {
			return nil, err
		}
		buf.Write(data)
	}
	return buf.Bytes(), nil
}
