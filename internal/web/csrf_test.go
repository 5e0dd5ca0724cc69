package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// stateChangingRoutes lists every route outside /api/ that takes a method
// other than GET and HEAD, with who may use it: "anyone" (an anonymous
// form, still under a CSRF token), "admin" or "provider" (a session of
// that provider, or an operator). A route missing from this list fails
// TestEveryStateChangingRouteIsListed; add it here, and its protection is
// then tested by TestStateChangingRoutesNeedSessionAndToken.
var stateChangingRoutes = map[string]string{
	"POST /admin/login":                                        "anyone",
	"POST /admin/logout":                                       "anyone",
	"POST /institutions/{provider}/claim":                      "anyone",
	"POST /institutions/{provider}/claim/{challenge}/verify":   "anyone",
	"POST /manifest":                                           "anyone",
	"POST /manifest/validate":                                  "anyone",
	"POST /manifest/download":                                  "anyone",
	"POST /manifest/check":                                     "anyone",
	"POST /institutions/{id}/refresh":                          "anyone",
	"POST /dashboard/{provider}/refresh":                       "provider",
	"POST /dashboard/{provider}/sources/{source}/pause":        "provider",
	"POST /dashboard/{provider}/sources/{source}/resume":       "provider",
	"POST /admin/registry/import":                              "admin",
	"POST /admin/providers/{provider}/block":                   "admin",
	"POST /admin/providers/{provider}/allow":                   "admin",
	"POST /admin/providers/{provider}/sources/{source}/pause":  "admin",
	"POST /admin/providers/{provider}/sources/{source}/resume": "admin",
	"POST /admin/providers/{provider}/credentials":             "admin",
	"POST /admin/providers/{provider}/credentials/delete":      "admin",
	"POST /admin/keys/rotate":                                  "admin",
	"POST /admin/jobs/{job}/retry":                             "admin",
	"POST /admin/alliances":                                    "admin",
	"POST /admin/alliances/import":                             "admin",
	"POST /admin/alliances/{id}/delete":                        "admin",
}

// registeredPatterns reads the route patterns registered in this
// package's source: every string literal given to Handle or HandleFunc.
func registeredPatterns(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	must(t, err)
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		must(t, err)
		f, err := parser.ParseFile(fset, name, src, 0)
		must(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				p, _ := strconv.Unquote(lit.Value)
				out = append(out, p)
			}
			return true
		})
	}
	return out
}

func TestEveryStateChangingRouteIsListed(t *testing.T) {
	patterns := registeredPatterns(t)
	if !slices.Contains(patterns, "GET /admin/login") {
		t.Fatalf("the source scan found no routes: %v", patterns)
	}
	for _, p := range patterns {
		method, path, hasMethod := strings.Cut(p, " ")
		if !hasMethod {
			method, path = "", p // a pattern without a method takes every method
		}
		if strings.HasPrefix(path, "/api/") || method == "GET" || method == "HEAD" {
			continue
		}
		if _, ok := stateChangingRoutes[p]; !ok {
			t.Errorf("route %q changes state but is not in stateChangingRoutes: add it with who may use it", p)
		}
	}
	for p := range stateChangingRoutes {
		if !slices.Contains(patterns, p) {
			t.Errorf("stateChangingRoutes lists %q, which is not registered", p)
		}
	}
}

// routePath fills a pattern's wildcards with provider A's values.
func (f *accountsFixture) routePath(pattern string) (string, string) {
	method, path, _ := strings.Cut(pattern, " ")
	r := strings.NewReplacer("{provider}", "A", "{id}", "A", "{source}", f.src["A"].ID, "{challenge}", "1",
		"{run}", strconv.FormatInt(f.run["A"].ID, 10), "{seq}", "1", "{job}", "1", "{$}", "")
	path = r.Replace(path)
	if strings.Contains(path, "{") {
		panic("routePath: fill in the wildcard of " + pattern)
	}
	return method, path
}

func TestStateChangingRoutesNeedSessionAndToken(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	anon := f.browser(t)
	anonToken := anon.csrf("/admin/login")
	admin := f.browser(t)
	admin.login("ops", opsPassword)
	adminToken := admin.csrf("/admin/login")
	provider := f.signInProvider(t, "A", "a.test")
	providerToken := provider.csrf("/dashboard/A")
	for pattern, who := range stateChangingRoutes {
		method, path := f.routePath(pattern)
		refused := func(b *browser, what string, form url.Values) {
			t.Helper()
			if resp, body := b.do(method, path, form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403\n%s", pattern, what, resp.StatusCode, body)
			}
		}
		for name, b := range map[string]*browser{"anonymous": anon, "admin": admin, "provider": provider} {
			refused(b, name+" without a token", url.Values{})
			refused(b, name+" with a made-up token", url.Values{"csrf": {"AAAA"}})
		}
		refused(admin, "admin with an anonymous form's token", url.Values{"csrf": {anonToken}})
		refused(provider, "provider with the admin's token", url.Values{"csrf": {adminToken}})
		if who == "anyone" {
			continue
		}
		refused(anon, "without a session", url.Values{"csrf": {anonToken}})
		// With the right session and its token the route answers (not
		// 403), so the refusals above came from the missing session or
		// token. An operator's route refuses a provider's session.
		allowed, allowedToken := provider, providerToken
		if who == "admin" {
			refused(provider, "provider on an operator's route", url.Values{"csrf": {providerToken}})
			allowed, allowedToken = admin, adminToken
		}
		resp, body := allowed.do(method, path, url.Values{"csrf": {allowedToken}})
		if resp.StatusCode == http.StatusForbidden {
			t.Errorf("%s with the %s's session and token: 403\n%s", pattern, who, body)
		}
	}
}

func TestHTMXHeaderCarriesTheToken(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.signInProvider(t, "A", "a.test")
	tok := b.csrf("/dashboard/A")
	resp, _ := b.do("POST", "/dashboard/A/refresh", url.Values{}, "X-CSRF-Token", tok, "HX-Request", "true")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("refresh with the token in X-CSRF-Token: %d, want 303", resp.StatusCode)
	}
}
