package sourcetest

import (
	"context"
	"net/url"
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
