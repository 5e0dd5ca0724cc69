package testfed

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHostileProfilesAll(t *testing.T) {
	all, err := HostileProfiles([]string{"all"})
	if err != nil || len(all) != len(Profiles) {
		t.Fatalf("all: %d institutions, %v; want one per profile (%d)", len(all), err, len(Profiles))
	}
	for _, h := range all {
		if !h.valid() {
			t.Errorf("%s cannot be shown in its first format %s", h.Misbehavior, h.Format)
		}
	}
	if _, err := HostileProfiles([]string{"slow", "gzip-bombs"}); err == nil || !strings.Contains(err.Error(), `"gzip-bombs"`) {
		t.Errorf("an unknown profile: %v", err)
	}
	opts := Options{Institutions: 2, Now: testNow, Hostile: all, Formats: allFormats}
	insts := Generate(opts)
	for _, in := range insts[2:] {
		p, _ := ProfileOf(in.Misbehavior)
		if in.Expect == nil || in.Expect.OK != p.Expect.OK {
			t.Errorf("%s (%s): expectation %+v, want the profile's %+v", in.SCHAC, in.Misbehavior, in.Expect, p.Expect)
		}
	}
	if insts[0].Expect != nil {
		t.Errorf("a well-behaved institution has an expectation: %+v", insts[0].Expect)
	}
	fed, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	fed.Close()
}

// The DNS misbehaviours: a host that does not resolve, and one that
// answers the institution's address once and the metadata address after.
func TestHostileDNS(t *testing.T) {
	hostile := []Hostile{{DNSFailure, FormatOOAPI}, {DNSRebinding, FormatOOAPI}}
	fed, err := Start(context.Background(), Options{Institutions: 1, Now: testNow, Hostile: hostile})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	insts := fed.Institutions()
	r := fed.Resolver()
	gone := "gone." + insts[1].SCHAC
	if !strings.Contains(insts[1].Sources[0].Path, gone) {
		t.Fatalf("dns-failure source at %s, want on %s", insts[1].Sources[0].Path, gone)
	}
	if addrs, err := r.LookupHost(context.Background(), gone); err == nil {
		t.Errorf("%s resolves to %v", gone, addrs)
	}
	rebind := "rebind." + insts[2].SCHAC
	var got []string
	for range 3 {
		addrs, err := r.LookupIPAddr(context.Background(), rebind)
		if err != nil || len(addrs) != 1 {
			t.Fatalf("%s: %v %v", rebind, addrs, err)
		}
		got = append(got, addrs[0].IP.String())
	}
	if want := loopback(3).String(); got[0] != want || got[1] != "169.254.169.254" || got[2] != "169.254.169.254" {
		t.Errorf("%s resolved to %v, want %s, then the metadata address", rebind, got, want)
	}
}

// With HostileLater a hostile server behaves until TurnHostile, and then
// ignores conditional requests: a client must meet the misbehaviour.
func TestHostileLater(t *testing.T) {
	fed, err := Start(context.Background(), Options{Institutions: 1, Now: testNow, HostileLater: true,
		Hostile: []Hostile{{InvalidUTF8, FormatOOAPI}}})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	c := client(t, fed)
	u := fed.Institutions()[1].Sources[0].Path + "courses"
	resp, body := get(t, c, u)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" || !utf8.Valid(body) {
		t.Fatalf("before TurnHostile: %s, ETag %q", resp.Status, etag)
	}
	fed.TurnHostile()
	if resp, body := get(t, c, u, "If-None-Match", etag); resp.StatusCode != http.StatusOK || utf8.Valid(body) {
		t.Errorf("after TurnHostile: %s, valid UTF-8 %v; want 200 and invalid UTF-8", resp.Status, utf8.Valid(body))
	}
}
