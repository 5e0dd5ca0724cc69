package sourcetest

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/source"
	"qlink/internal/testfed"
)

// FederationNow is the reference date of the federations started here:
// mid spring term, so courses have past, running and future offerings.
var FederationNow = time.Date(2026, time.March, 16, 0, 0, 0, 0, time.UTC)

// StartFederation serves a simulated federation of 12 institutions
// publishing in every format, plus the hostile institutions given, and
// returns a fetch client that reaches it. Both close with the test.
func StartFederation(t testing.TB, hostile ...testfed.Hostile) (*testfed.Federation, *fetch.Client) {
	t.Helper()
	fed, err := testfed.Start(context.Background(), testfed.Options{Institutions: 12, Now: FederationNow,
		Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI}, Hostile: hostile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fed.Close() })
	return fed, newClient(fed)
}

// newClient returns a fetch client that reaches the federation. It keeps
// one connection per host: a connection dialled but never used would hold
// up the federation's graceful shutdown for five seconds.
func newClient(fed *testfed.Federation) *fetch.Client {
	return fetch.New(fetch.Options{AllowPrivate: true, Resolver: fed.Resolver(), Timeout: 10 * time.Second, PerHost: 1})
}

// Config is the adapter configuration the harvest would give a source of
// the federation.
func Config(in testfed.Institution, src testfed.Source) source.Config {
	return source.Config{URL: src.Path, Version: src.Version, PageSize: src.PageSize, MaxPages: 100, Now: FederationNow,
		Provider: model.Provider{ID: in.DEQARID, SCHAC: in.SCHAC, DEQAR: in.DEQARID, ETER: in.ETERID}}
}

// HarvestSource harvests one source of the federation over HTTP.
func HarvestSource(a source.Adapter, client *fetch.Client, in testfed.Institution, src testfed.Source) (*Collector, error) {
	u, err := url.Parse(src.Path)
	if err != nil {
		return nil, err
	}
	out := &Collector{}
	err = a.Harvest(context.Background(), Config(in, src), HTTPGetter{Client: client, Host: u.Host}, out)
	return out, err
}

// Hostile is a misbehaving server for HarvestHostile, and what harvesting
// it must give.
type Hostile struct {
	Misbehavior testfed.Misbehavior
	// WantErr is part of the error the harvest must end with ("": none).
	WantErr string
	// Check, if set, looks at the outcome.
	Check func(t *testing.T, h HostileRun)
}

// HostileRun is the outcome of harvesting one hostile institution.
type HostileRun struct {
	In  testfed.Institution
	Src testfed.Source
	Out *Collector
	// Asked are the URLs the adapter asked its Getter for.
	Asked []string
}

// HarvestHostile starts a federation with one institution per case, each
// publishing in format and misbehaving as the case says, harvests each
// with a over HTTP, and checks the outcome.
func HarvestHostile(t *testing.T, a source.Adapter, format string, cases ...Hostile) {
	t.Helper()
	var hostile []testfed.Hostile
	for _, c := range cases {
		hostile = append(hostile, testfed.Hostile{Misbehavior: c.Misbehavior, Format: format})
	}
	fed, client := StartFederation(t, hostile...)
	insts := fed.Institutions()
	for i, c := range cases {
		t.Run(string(c.Misbehavior), func(t *testing.T) {
			in := insts[len(insts)-len(cases)+i]
			src := in.Sources[0]
			if in.Misbehavior != c.Misbehavior || src.Type != format {
				t.Fatalf("institution %s: %s %s", in.SCHAC, in.Misbehavior, src.Type)
			}
			u, _ := url.Parse(src.Path)
			get := &asking{Getter: HTTPGetter{Client: client, Host: u.Host}}
			out := &Collector{}
			err := a.Harvest(context.Background(), Config(in, src), get, out)
			if c.WantErr == "" && err != nil || c.WantErr != "" && (err == nil || !strings.Contains(err.Error(), c.WantErr)) {
				t.Fatalf("error %v, want %q", err, c.WantErr)
			}
			if c.Check != nil {
				c.Check(t, HostileRun{In: in, Src: src, Out: out, Asked: get.asked})
			}
		})
	}
}

// asking records the URLs asked of a Getter.
type asking struct {
	Getter source.Getter
	mu     sync.Mutex
	asked  []string
}

func (a *asking) Get(ctx context.Context, raw string) (*fetch.Response, error) {
	a.mu.Lock()
	a.asked = append(a.asked, raw)
	a.mu.Unlock()
	return a.Getter.Get(ctx, raw)
}

// EachSource starts a federation publishing every format, harvests each
// of its sources of format with a over HTTP, and calls check with the
// outcome. It fails when the federation has fewer than three such
// sources.
func EachSource(t *testing.T, a source.Adapter, format string, check func(t *testing.T, in testfed.Institution, src testfed.Source, out *Collector, err error)) {
	t.Helper()
	fed, client := StartFederation(t)
	seen := 0
	for _, in := range fed.Institutions() {
		for _, src := range in.Sources {
			if src.Type != format {
				continue
			}
			seen++
			out, err := HarvestSource(a, client, in, src)
			check(t, in, src, out, err)
		}
	}
	if seen < 3 {
		t.Errorf("only %d %s sources", seen, format)
	}
}
