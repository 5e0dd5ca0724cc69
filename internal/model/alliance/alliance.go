// Package alliance reads alliance data: groups of institutions such as the
// European Universities alliances, as QualityLink Turtle or CSV, or as an
// operator enters one by hand. It fetches nothing; registry.LoadAlliances
// fetches a file or URL and hands it here.
package alliance

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"

	"qlink/internal/model"
	"qlink/internal/rdf"
	"qlink/internal/rdf/turtle"
)

// Alliance data comes as QualityLink Turtle (ql:EuropeanUniversityAlliance
// resources, members linked with ql:isMemberOf) or as CSV with one row per
// member: alliance,name,lang,website,member (name, lang and website may be
// given on one row of the alliance only; member may be blank on a row that
// only names the alliance). Members are any reference model.MemberKey
// reads: DEQAR institution IRIs and ids, ETER ids, SCHAC codes, provider IDs.

// Vocabulary of the alliance data.
const (
	qlNS           = "http://data.quality-link.eu/ontology/v1#"
	qlAlliance     = qlNS + "EuropeanUniversityAlliance"
	qlIsMemberOf   = qlNS + "isMemberOf"
	admsIdentifier = "http://www.w3.org/ns/adms#identifier"
	skosNotation   = "http://www.w3.org/2004/02/skos/core#notation"
	skosPrefLabel  = "http://www.w3.org/2004/02/skos/core#prefLabel"
	foafHomepage   = "http://xmlns.com/foaf/0.1/homepage"
)

// maxAllianceStatements bounds a Turtle alliance file: the whole of
// Europe's alliances with their members is a few thousand statements.
const maxAllianceStatements = 200_000

// maxAllianceRows bounds a CSV alliance file likewise.
const maxAllianceRows = 100_000

// Parse reads alliance data; the format comes from the content
// type, else the name's extension, else the content itself.
func Parse(body []byte, where, contentType string) ([]model.Alliance, []string, error) {
	if isCSV(body, where, contentType) {
		return parseCSV(body, where)
	}
	return parseTurtle(body, where)
}

func isCSV(body []byte, where, contentType string) bool {
	switch {
	case strings.Contains(contentType, "csv"):
		return true
	case strings.Contains(contentType, "turtle"):
		return false
	}
	switch strings.ToLower(path.Ext(where)) {
	case ".csv":
		return true
	case ".ttl":
		return false
	}
	first, _, _ := bytes.Cut(bytes.TrimSpace(body), []byte("\n"))
	return bytes.HasPrefix(bytes.ToLower(first), []byte("alliance,"))
}

func parseTurtle(body []byte, where string) ([]model.Alliance, []string, error) {
	g := allianceGraph{names: map[string]model.Text{}, ids: map[string]string{}, notations: map[string]string{},
		homepages: map[string]string{}, members: map[string][]string{}}
	opts := rdf.Options{Base: where, Limits: rdf.Limits{MaxStatements: maxAllianceStatements}}
	if !strings.Contains(where, "://") {
		opts.Base = "file:///" + strings.TrimPrefix(where, "/")
	}
	if err := turtle.Parse(bytes.NewReader(body), opts, g.add); err != nil {
		return nil, nil, fmt.Errorf("alliances: %s: %w", where, err)
	}
	return g.alliances(where)
}

// allianceGraph collects the statements alliance data is made of, in
// whatever order the file gives them.
type allianceGraph struct {
	declared  []string
	names     map[string]model.Text
	ids       map[string]string // alliance IRI → identifier node
	notations map[string]string // identifier node → notation
	homepages map[string]string
	members   map[string][]string // alliance IRI → member IRIs
}

func (g *allianceGraph) add(q rdf.Quad) error {
	s, p, o := q.S.Value, q.P.Value, q.O
	switch {
	case p == rdf.RDFType && o.Value == qlAlliance:
		g.declared = append(g.declared, s)
	case p == skosPrefLabel && o.IsLiteral():
		if g.names[s] == nil {
			g.names[s] = model.Text{}
		}
		lang := o.Lang
		if lang == "" {
			lang = model.LangUnstated
		}
		g.names[s][lang] = o.Value
	case p == admsIdentifier:
		g.ids[s] = o.Value
	case p == skosNotation && o.IsLiteral():
		g.notations[s] = o.Value
	case p == foafHomepage && o.IsIRI():
		g.homepages[s] = o.Value
	case p == qlIsMemberOf && o.IsIRI():
		g.members[o.Value] = append(g.members[o.Value], s)
	}
	return nil
}

func (g *allianceGraph) alliances(where string) ([]model.Alliance, []string, error) {
	var out []model.Alliance
	var problems []string
	seen := map[string]bool{}
	for _, iri := range slices.Compact(slices.Sorted(slices.Values(g.declared))) {
		a := model.Alliance{ID: g.notations[g.ids[iri]], Name: g.names[iri], Website: g.homepages[iri]}
		if a.ID == "" { // no OrgReg notation: the IRI's last segment
			a.ID = path.Base(strings.TrimRight(iri, "/#"))
		}
		if seen[a.ID] {
			problems = append(problems, fmt.Sprintf("%s: alliance %s: identifier %s given twice; the second is left out", where, iri, a.ID))
			continue
		}
		seen[a.ID] = true
		for _, m := range g.members[iri] {
			key, ok := model.MemberKey(m)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: alliance %s: member %s is not an institution reference", where, a.ID, m))
				continue
			}
			a.Members = append(a.Members, key)
		}
		out = append(out, a)
		delete(g.members, iri)
	}
	for _, iri := range slices.Sorted(maps.Keys(g.members)) {
		problems = append(problems, fmt.Sprintf("%s: %d members of %s, which the data does not declare a ql:EuropeanUniversityAlliance", where, len(g.members[iri]), iri))
	}
	if len(out) == 0 {
		return nil, problems, fmt.Errorf("alliances: %s: no ql:EuropeanUniversityAlliance in the data", where)
	}
	return out, problems, nil
}

// allianceColumns are the CSV header's names; alliance and member are
// required.
var allianceColumns = []string{"alliance", "name", "lang", "website", "member"}

func parseCSV(body []byte, where string) ([]model.Alliance, []string, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("alliances: %s: no CSV header: %w", where, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"alliance", "member"} {
		if _, ok := col[need]; !ok {
			return nil, nil, fmt.Errorf("alliances: %s: the header lacks the %q column (columns: %s)", where, need, strings.Join(allianceColumns, ","))
		}
	}
	byID := map[string]*model.Alliance{}
	var order []string
	var problems []string
	for n := 2; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, problems, fmt.Errorf("alliances: %s: %w", where, err)
		}
		if n > maxAllianceRows+1 {
			return nil, problems, fmt.Errorf("alliances: %s: more than %d rows", where, maxAllianceRows)
		}
		field := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		id := field("alliance")
		if id == "" {
			problems = append(problems, fmt.Sprintf("%s line %d: no alliance identifier", where, n))
			continue
		}
		a := byID[id]
		if a == nil {
			a = &model.Alliance{ID: id, Name: model.Text{}}
			byID[id] = a
			order = append(order, id)
		}
		if name := field("name"); name != "" {
			lang := field("lang")
			if lang == "" {
				lang = model.LangUnstated
			}
			a.Name[lang] = name
		}
		if w := field("website"); w != "" {
			a.Website = w
		}
		if m := field("member"); m != "" {
			key, ok := model.MemberKey(m)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s line %d: member %q is not an institution reference", where, n, m))
				continue
			}
			a.Members = append(a.Members, key)
		}
	}
	if len(order) == 0 {
		return nil, problems, fmt.Errorf("alliances: %s: no alliance rows", where)
	}
	out := make([]model.Alliance, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out, problems, nil
}

// Manual is an alliance an operator enters by hand: an ID of
// letters, digits, dots, dashes and underscores (it is a path segment of
// /alliances/{id}), a name in lang (BCP 47; blank means unstated), and
// members as any reference model.MemberKey reads. Errors name the field.
func Manual(id, name, lang, website string, members []string) (model.Alliance, error) {
	a := model.Alliance{ID: strings.TrimSpace(id), Website: strings.TrimSpace(website), Name: model.Text{}}
	if !validAllianceID(a.ID) {
		return a, fmt.Errorf("alliance id %q: use 1 to 100 letters, digits, dots, dashes and underscores", id)
	}
	if name = strings.TrimSpace(name); name == "" {
		return a, errors.New("the alliance's name is required: the name readers see")
	}
	if a.Website != "" && !strings.HasPrefix(a.Website, "https://") && !strings.HasPrefix(a.Website, "http://") {
		return a, fmt.Errorf("website %q: give an http or https address", a.Website)
	}
	a.Name[cmp.Or(strings.TrimSpace(lang), model.LangUnstated)] = name
	for _, m := range members {
		if strings.TrimSpace(m) == "" {
			continue
		}
		key, ok := model.MemberKey(m)
		if !ok {
			return a, fmt.Errorf("member %q: not an institution reference (DEQAR IRI or id, ETER id, SCHAC code or provider ID)", m)
		}
		if !slices.Contains(a.Members, key) {
			a.Members = append(a.Members, key)
		}
	}
	return a, nil
}

func validAllianceID(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}
