package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheckArgumentMessages(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"check"}, []string{"check needs the institution's domain or its manifest URL", "e.g. qlink check example.org"}},
		{[]string{"check", "a.example", "b.example"}, []string{"not 2 arguments", "qlink check example.org"}},
		{[]string{"check", "not a domain!"}, []string{`not a domain name or URL: "not a domain!"`, "try qlink check example.org or qlink check https://…/manifest"}},
		{[]string{"check", "https://not a domain!/manifest"}, []string{"not a domain name or URL"}},
		// Every command of one argument says what it needs and how to type it.
		{[]string{"quality"}, []string{"qlink quality needs the provider ID", "e.g. qlink quality uni-a"}},
		{[]string{"runs", "show", "1", "2"}, []string{"takes one argument, the run ID, not 2", "e.g. qlink runs show"}},
		{[]string{"keys", "encrypt"}, []string{"needs the secret to encrypt", "e.g. printf"}},
		{[]string{"credentials", "delete"}, []string{"needs the provider ID", "usage: qlink credentials delete <provider-id>"}},
	}
	for _, tc := range cases {
		out, err := run(t, "", tc.args...)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%q: got %v, want an error containing %q", tc.args, err, w)
			}
		}
		if strings.Contains(out, "/.well-known/") {
			t.Errorf("%q: probed something:\n%s", tc.args, out)
		}
	}
}

// TestCheckAllowPrivate: a manifest on a private (here loopback) address is
// refused as the aggregator refuses it, unless --allow-private is given on
// the command line, which the report then says. The environment cannot
// switch it on.
func TestCheckAllowPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"sources":[{"type":"ooapi","path":"https://api.staging.example/ooapi"}]}`))
	}))
	defer srv.Close()
	target := srv.URL + "/manifest.json"
	t.Setenv("QLINK_ALLOW_PRIVATE", "true")

	out, err := run(t, "", "check", "--data-dir", t.TempDir(), target)
	if err == nil || !strings.Contains(out, "blocked") || strings.Contains(out, "private addresses allowed") {
		t.Errorf("without the flag: %v\n%s", err, out)
	}
	out, _ = run(t, "", "check", "--allow-private", "--data-dir", t.TempDir(), target)
	if !strings.Contains(out, "private addresses allowed (--allow-private)") || !strings.Contains(out, "Manifest "+target) {
		t.Errorf("with --allow-private:\n%s", out)
	}
	out, _ = run(t, "", "check", "--allow-private", "--json", "--data-dir", t.TempDir(), target)
	if !strings.Contains(out, `"allowPrivate": true`) {
		t.Errorf("the JSON report should say so:\n%s", out)
	}
}

func TestDiscoverSaysWhatIsNotInTheRegistry(t *testing.T) {
	_, err := run(t, "", "discover", "DEQARINST0001", "--data-dir", newInstance(t))
	for _, w := range []string{`"DEQARINST0001" is not a provider in the registry`, "no registry has been imported",
		"qlink harvest --registry-url", "qlink discover uni-lindenau.de"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("got %v, want an error containing %q", err, w)
		}
	}
}
