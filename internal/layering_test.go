// The layering test: the import rules of README's package table and
// DESIGN.md's "Rules of the house", checked on the source. Data flows one
// way: foundations ← the door ← stages ← harvest ← schedule/cmd, with store
// and search written only from harvest and read by web.
package internal_test

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "qlink"

// Groups of packages, as patterns: "x" is that package, "x/..." it and
// everything below.
var (
	foundations = []string{"internal/model/...", "internal/vocab", "internal/rdf/...", "internal/markup", "internal/jsonread", "internal/redact", "internal/gencache",
		"internal/migration"}
	door   = []string{"internal/fetch", "internal/fetch/auth", "internal/keys"}
	stages = []string{"internal/discovery", "internal/manifest", "internal/registry", "internal/shacl",
		"internal/quality", "internal/source", "internal/source/..."}
	storage = []string{"internal/store/...", "internal/search/..."}
)

// rule says which qlink packages the packages matching from may import in
// production code. The first rule that matches a package applies; a
// package no rule matches fails the test, so a new package gets a row.
type rule struct {
	from  string
	allow [][]string
	why   string
}

var rules = []rule{
	// Test support may use anything; who may import it is checked below.
	{"internal/testfed", all(), "the simulated federation (used by tests and qlink demo)"},
	{"internal/sharedtest", none(), "test support"},
	{"internal/...test", all(), "test support (sourcetest, storetest): imported by tests only"},
	{"cmd/...", all(), "cmd/qlink wires everything together"},
	{"bench/...", all(), "benchmark programs"},

	{"internal/vocab/refresh", list(foundations), "vocab/refresh gets a Getter from cmd; it does not import fetch"},
	{"internal/rdf/internal/rdftest", list(foundations, []string{"internal/sharedtest"}), "test support for the RDF parsers"},
	{"internal/config", list(foundations), "config is read by cmd/qlink and passed down as plain values; it imports only foundations"},

	{"internal/fetch", list(foundations), "the door imports nothing upstream"},
	{"internal/fetch/auth", list(foundations, door), "the door takes its own config types, not manifests"},
	{"internal/keys", list(foundations), "the door imports nothing upstream"},

	{"internal/discovery", list(foundations, door, []string{"internal/manifest"}),
		"stages know only foundations and the door (discovery parses what it finds with manifest)"},
	{"internal/source/...", list(foundations, door, []string{"internal/source"}),
		"adapters know only foundations, the door and the adapter contract"},
	{"internal/manifest", list(foundations, door), "stages know only foundations and the door"},
	{"internal/registry", list(foundations, door), "stages know only foundations and the door"},
	{"internal/shacl", list(foundations, door), "stages know only foundations and the door"},
	{"internal/quality", list(foundations, []string{"internal/shacl"}),
		"quality checks records with the SHACL engine over foundations alone; it fetches nothing"},

	{"internal/store/...", list(foundations, []string{"internal/store/..."}), "store knows only the model"},
	{"internal/search/...", list(foundations, []string{"internal/search/..."}), "search knows only the model"},

	{"internal/check", list(foundations, []string{"internal/discovery", "internal/manifest"}),
		"the check report: the types and text harvest, cmd and web share; it fetches nothing"},
	{"internal/harvest", list(foundations, door, stages, storage, []string{"internal/check"}), "harvest is the one orchestrator"},
	{"internal/schedule/...", list(foundations, door, stages, storage, []string{"internal/harvest", "internal/schedule/..."}),
		"schedule calls harvest"},
	{"internal/export/...", list(foundations, storage, []string{"internal/export/..."}), "export reads the store"},
	{"internal/web/...", list(foundations, storage, []string{"internal/keys", "internal/manifest", "internal/check", "internal/export/...", "internal/web/..."}),
		"web reads store and search; it never fetches, harvests or adapts (it validates pasted manifests, shows check reports and serves the dataset files export writes)"},

	{"internal/model/...", list(foundations), "foundations import only foundations"},
	{"internal/vocab", list(foundations), "foundations import only foundations"},
	{"internal/rdf/...", list(foundations), "foundations import only foundations"},
	{"internal/markup", list(foundations), "foundations import only foundations"},
	{"internal/jsonread", list(foundations), "foundations import only foundations"},
	{"internal/redact", none(), "foundations import only foundations"},
	{"internal/gencache", none(), "foundations import only foundations"},
	{"internal/migration", none(), "the goose helpers every database shares import no qlink package"},
}

func all() [][]string  { return [][]string{{"..."}} }
func none() [][]string { return nil }

func list(groups ...[]string) [][]string { return groups }

// matches reports whether pkg (relative to the module) matches pattern: an
// exact path, "x/..." (x and below), "..." (anything) or "x/...test" (a
// package under x whose name ends in "test").
func matches(pattern, pkg string) bool {
	switch {
	case pattern == "...":
		return true
	case strings.HasSuffix(pattern, "/...test"):
		prefix := strings.TrimSuffix(pattern, "...test")
		return strings.HasPrefix(pkg, prefix) && strings.HasSuffix(pkg, "test")
	case strings.HasSuffix(pattern, "/..."):
		base := strings.TrimSuffix(pattern, "/...")
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

// isTestSupport reports whether pkg exists for tests: production code
// (anything but cmd) must not import it.
func isTestSupport(pkg string) bool {
	return pkg == "internal/testfed" || (strings.HasPrefix(pkg, "internal/") && strings.HasSuffix(pkg, "test"))
}

// violations checks an import graph (package → qlink packages it imports,
// both relative to the module) against the rules.
func violations(graph map[string][]string) []string {
	var out []string
	for _, pkg := range sortedKeys(graph) {
		r, ok := ruleFor(pkg)
		if !ok {
			out = append(out, fmt.Sprintf("%s: no layering rule covers this package; add a row to rules in internal/layering_test.go", pkg))
			continue
		}
		for _, imp := range graph[pkg] {
			if isTestSupport(imp) && !isTestSupport(pkg) && !matches("cmd/...", pkg) {
				out = append(out, fmt.Sprintf("%s imports %s: production code never imports test support", pkg, imp))
				continue
			}
			if !allowed(r, imp) {
				out = append(out, fmt.Sprintf("%s imports %s: %s", pkg, imp, r.why))
			}
		}
	}
	return out
}

func ruleFor(pkg string) (rule, bool) {
	for _, r := range rules {
		if matches(r.from, pkg) {
			return r, true
		}
	}
	return rule{}, false
}

func allowed(r rule, imp string) bool {
	if matches(r.from, imp) && r.from != "internal/source/..." {
		return true // within its own subtree (adapters excepted: they stand alone)
	}
	for _, group := range r.allow {
		for _, pattern := range group {
			if matches(pattern, imp) {
				return true
			}
		}
	}
	return false
}

func TestLayering(t *testing.T) {
	graph, err := importGraph(moduleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(graph) < 20 {
		t.Fatalf("found only %d packages: is the walk broken?", len(graph))
	}
	for _, v := range violations(graph) {
		t.Error(v)
	}
}

// TestLayeringRulesBite feeds the checker imports that break each rule of
// the house: every one must be reported.
func TestLayeringRulesBite(t *testing.T) {
	broken := map[string][]string{
		"internal/fetch":            {"internal/manifest"},
		"internal/fetch/auth":       {"internal/config"},
		"internal/manifest":         {"internal/store"},
		"internal/source/ooapi":     {"internal/search", "internal/source/eduapi"},
		"internal/discovery":        {"internal/harvest"},
		"internal/web":              {"internal/fetch", "internal/harvest", "internal/source/ooapi"},
		"internal/vocab/refresh":    {"internal/fetch"},
		"internal/store/sqlite":     {"internal/testfed"},
		"internal/search/bleve":     {"internal/source/sourcetest"},
		"internal/model":            {"internal/vocab/refresh"},
		"internal/jsonread":         {"internal/source"},
		"internal/something/newish": nil,
	}
	want := 0
	for _, imps := range broken {
		want += max(len(imps), 1)
	}
	got := violations(broken)
	if len(got) != want {
		t.Errorf("%d violations reported, want %d:\n%s", len(got), want, strings.Join(got, "\n"))
	}
	fine := map[string][]string{
		"internal/harvest":      {"internal/store", "internal/search", "internal/fetch/auth", "internal/source/ooapi"},
		"internal/source/ooapi": {"internal/jsonread", "internal/source", "internal/fetch"},
		"cmd/qlink":             {"internal/testfed", "internal/config"},
		"internal/web":          {"internal/keys", "internal/store", "internal/web/admin"},
	}
	if got := violations(fine); len(got) > 0 {
		t.Errorf("allowed imports reported:\n%s", strings.Join(got, "\n"))
	}
}

// importGraph parses the imports of every non-test Go file under root.
func importGraph(root string) (map[string][]string, error) {
	graph := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		if _, ok := graph[pkg]; !ok {
			graph[pkg] = nil
		}
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			if local, ok := strings.CutPrefix(imp, module+"/"); ok && !slices.Contains(graph[pkg], local) {
				graph[pkg] = append(graph[pkg], local)
			}
		}
		return nil
	})
	return graph, err
}

// moduleRoot is the folder holding go.mod, above the test's folder.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
