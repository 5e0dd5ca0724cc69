package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"qlink/internal/check"
	"qlink/internal/config"
	"qlink/internal/discovery"
	"qlink/internal/testfed"
)

func TestCheckAgainstTheFederation(t *testing.T) {
	d := startDemo(t)
	cfg := config.Default()
	cfg.Fetch.AllowPrivateNetworks = true
	cfg.DataDir = t.TempDir()
	h, err := newChecker(context.Background(), cfg, network{resolver: d.fed.Resolver(),
		discovery: discovery.Options{Scheme: "http", Port: strconv.Itoa(d.fed.Port())}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	insts := d.fed.Institutions()
	byMisbehavior := map[testfed.Misbehavior]testfed.Institution{}
	for _, in := range insts {
		byMisbehavior[in.Misbehavior] = in
	}
	good := insts[0]

	t.Run("pass", func(t *testing.T) {
		var out bytes.Buffer
		err := printCheck(&out, h.Check(context.Background(), good.SCHAC), false)
		text := out.String()
		if err != nil || !strings.Contains(text, "Result: PASS") || !regexp.MustCompile(`first page\(s\): [1-9]\d* courses and programmes`).MatchString(text) {
			t.Fatalf("err %v\n%s", err, text)
		}
		if !strings.Contains(text, "found") || !strings.Contains(text, good.Discovery.ManifestURL) {
			t.Errorf("the report should show where the manifest was found:\n%s", text)
		}
	})
	t.Run("manifest URL", func(t *testing.T) {
		r := h.Check(context.Background(), good.Discovery.ManifestURL)
		if !r.Pass || len(r.Sources) != len(good.Sources) {
			t.Fatalf("%+v", r)
		}
	})
	// Every format's preview reads a first page and passes: a preview stops
	// at its page cap on purpose, and that is no problem of the source's.
	t.Run("every format passes", func(t *testing.T) {
		formats := map[string]bool{}
		for _, in := range insts {
			if in.Misbehavior != "" || in.Discovery.ManifestURL == "" {
				continue
			}
			r := h.Check(context.Background(), in.Discovery.ManifestURL)
			for _, src := range r.Sources {
				formats[src.Type] = true
				if len(src.Problems) > 0 {
					t.Errorf("%s: %s source %s: %+v", in.SCHAC, src.Type, src.Path, src.Problems)
				}
			}
		}
		if len(formats) < 4 {
			t.Errorf("previewed formats %v; the federation publishes four", formats)
		}
	})
	// Given a website host, check probes it, then without www. and the
	// registrable domain, as the harvest does for a provider's website.
	for _, v := range []testfed.Variant{testfed.VariantNoSCHACNoWWW, testfed.VariantNoSCHACRegistrable} {
		t.Run("website host "+string(v), func(t *testing.T) {
			var in *testfed.Institution
			for i := range insts {
				if insts[i].Discovery.Variant == v {
					in = &insts[i]
				}
			}
			if in == nil {
				t.Skipf("no %s institution in the federation", v)
			}
			host := strings.TrimSuffix(strings.TrimPrefix(in.Website, "https://"), "/")
			r := h.Check(context.Background(), host)
			// (Whether its sources pass is the preview's business, tested above.)
			if r.ManifestURL != in.Discovery.ManifestURL || len(r.Problems) > 0 {
				t.Fatalf("check %s: manifest %q (want %q), problems %+v", host, r.ManifestURL, in.Discovery.ManifestURL, r.Problems)
			}
			if r.Probes[0].Domain != host || r.Probes[len(r.Probes)-1].Domain != in.Discovery.Domain {
				t.Errorf("probes went from %s to %s; want %s to %s", r.Probes[0].Domain, r.Probes[len(r.Probes)-1].Domain, host, in.Discovery.Domain)
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		var out bytes.Buffer
		printCheck(&out, h.Check(context.Background(), good.SCHAC), true)
		var r check.Report
		if err := json.Unmarshal(out.Bytes(), &r); err != nil || !r.Pass || r.Sources[0].Courses == 0 {
			t.Fatalf("%v %+v", err, r)
		}
	})
	for _, tc := range []struct {
		name   string
		target string
		want   []string
	}{
		{"no manifest", byMisbehavior[testfed.NoManifest].SCHAC, []string{"no manifest found", "fix: Publish a DNS TXT record"}},
		{"malformed manifest", byMisbehavior[testfed.MalformedManifest].SCHAC, []string{"not a usable manifest", "YAML"}},
		{"unknown domain", "nowhere.test", []string{"NXDOMAIN", "fix:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := printCheck(&out, h.Check(context.Background(), tc.target), false)
			text := out.String()
			if !errors.Is(err, errCheckFailed) || !strings.Contains(text, "Result: FAIL") {
				t.Fatalf("err %v\n%s", err, text)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("missing %q in\n%s", w, text)
				}
			}
		})
	}
}
