package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
)

// foundMessage is a user-visible string found in the code, with where it is.
type foundMessage struct {
	id, plural, where string
}

// TestCataloguesCoverEveryMessage finds every message the templates
// ({{t "…"}}, {{th "…"}}, {{tn "…" "…" n}}) and the Go code (s.tr(r, "…"),
// trn, msg("…"), paramErrorf) write as a literal, and fails listing each
// one a PO file does not translate, ready to append to the file.
func TestCataloguesCoverEveryMessage(t *testing.T) {
	msgs := append(templateMessages(t), goMessages(t)...)
	if len(msgs) < 100 {
		t.Fatalf("found only %d messages; the scan is broken", len(msgs))
	}
	ls, err := embeddedLocales()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls.all[1:] {
		var missing []string
		seen := map[string]bool{}
		for _, m := range msgs {
			e, ok := l.msgs[m.id]
			if seen[m.id] || ok && e.translated() && (e.Plural != "") == (m.plural != "") {
				continue
			}
			seen[m.id] = true
			missing = append(missing, poStub(m))
		}
		if len(missing) > 0 {
			t.Errorf("locales/%s.po lacks %d translations; append them at the end of the file:\n\n%s",
				l.Code, len(missing), strings.Join(missing, "\n"))
		}
	}
}

// poStub is a missing message as a PO entry to fill in.
func poStub(m foundMessage) string {
	q := strconv.Quote
	if m.plural != "" {
		return fmt.Sprintf("#: %s\nmsgid %s\nmsgid_plural %s\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n", m.where, q(m.id), q(m.plural))
	}
	return fmt.Sprintf("#: %s\nmsgid %s\nmsgstr \"\"\n", m.where, q(m.id))
}

// templateMessages walks the parse trees of every page's templates.
func templateMessages(t *testing.T) []foundMessage {
	v, err := loadViews(&locales{all: []*locale{english}})
	if err != nil {
		t.Fatal(err)
	}
	var out []foundMessage
	for _, name := range pageNames {
		for _, tmpl := range v.pages[name].Templates() {
			if tmpl.Tree != nil {
				walkTemplate(tmpl.Tree.Root, tmpl.Tree.ParseName, &out)
			}
		}
	}
	return out
}

func walkTemplate(n parse.Node, where string, out *[]foundMessage) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walkTemplate(c, where, out)
			}
		}
	case *parse.ActionNode:
		walkTemplate(n.Pipe, where, out)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, where, out)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, where, out)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, where, out)
	case *parse.TemplateNode:
		walkTemplate(n.Pipe, where, out)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walkCommand(c, where, out)
			}
		}
	}
}

func walkBranch(b *parse.BranchNode, where string, out *[]foundMessage) {
	walkTemplate(b.Pipe, where, out)
	walkTemplate(b.List, where, out)
	walkTemplate(b.ElseList, where, out)
}

func walkCommand(c *parse.CommandNode, where string, out *[]foundMessage) {
	for _, a := range c.Args {
		if p, ok := a.(*parse.PipeNode); ok {
			walkTemplate(p, where, out)
		}
	}
	fn, ok := c.Args[0].(*parse.IdentifierNode)
	if !ok || !slices.Contains([]string{"t", "th", "tn"}, fn.Ident) || len(c.Args) < 2 {
		return
	}
	id, ok := c.Args[1].(*parse.StringNode)
	if !ok {
		return // a message from data, marked with msg in Go
	}
	m := foundMessage{id: id.Text, where: where}
	if fn.Ident == "tn" && len(c.Args) > 2 {
		if other, ok := c.Args[2].(*parse.StringNode); ok {
			m.plural = other.Text
		}
	}
	*out = append(*out, m)
}

// goMessages scans the package's Go files for literal messages.
func goMessages(t *testing.T) []foundMessage {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []foundMessage
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if m, ok := callMessage(call); ok {
					m.where = fset.Position(call.Pos()).String()
					out = append(out, m)
				}
			}
			return true
		})
	}
	return out
}

// callMessage reads the message of a translating call: the first string
// literal of tr, the first two of trn, the argument of msg, the format of
// paramErrorf.
func callMessage(call *ast.CallExpr) (foundMessage, bool) {
	var name string
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		name = fn.Sel.Name
	case *ast.Ident:
		name = fn.Name
	}
	var lits []string
	for i, a := range call.Args {
		lit, ok := a.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING || name == "paramErrorf" && i != 2 {
			continue
		}
		s, err := strconv.Unquote(lit.Value)
		if err == nil {
			lits = append(lits, s)
		}
	}
	switch {
	case len(lits) == 0:
		return foundMessage{}, false
	case name == "tr" || name == "msg" || name == "paramErrorf":
		return foundMessage{id: lits[0]}, true
	case (name == "trn" || name == "msgn") && len(lits) >= 2:
		return foundMessage{id: lits[0], plural: lits[1]}, true
	}
	return foundMessage{}, false
}
