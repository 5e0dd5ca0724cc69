package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"qlink/internal/model"
	"qlink/internal/search"
	"qlink/internal/store"
	"qlink/internal/vocab"
)

// withCourses adds n courses of provider P3 ("Course 000"…, all in
// German, half of them about data) to the test server's store and index.
func withCourses(t testing.TB, n int) func(*Options) {
	return func(o *Options) {
		p := model.Provider{ID: "P3", SCHAC: "uni-c.test", Name: model.Text{"en": "University C"}, Country: "AT"}
		var specs []model.Specification
		for i := range n {
			title := fmt.Sprintf("Course %03d", i)
			if i%2 == 0 {
				title += " data"
			}
			specs = append(specs, model.Specification{ID: fmt.Sprintf("urn:schac:uniqueCourseId:uni-c.test:C%03d", i), Title: model.Text{"de": title},
				Languages: []string{"de"}, Active: true, Type: vocab.LearningOpportunityTypes.URI("course"), PublisherID: p.ID})
		}
		addCourses(t, o, p, specs)
	}
}

// addCourses stores provider p, with specs as the courses of one source
// of it, and indexes them.
func addCourses(t testing.TB, o *Options, p model.Provider, specs []model.Specification) {
	t.Helper()
	ctx := context.Background()
	if err := o.Store.UpsertProviders(ctx, []model.Provider{p}); err != nil {
		t.Fatal(err)
	}
	srcs, err := o.Store.SyncManifest(ctx, store.Manifest{ProviderID: p.ID, URL: "x", FetchedAt: time.Now(), Body: []byte(p.ID)},
		[]store.Source{{Key: "k", Type: "ooapi", URL: "https://x/"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Store.ApplyCourses(ctx, srcs[0].ID, 0, specs, true, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	docs := make([]search.Document, len(specs))
	for i, s := range specs {
		docs[i] = search.NewDocument(s, p)
	}
	if err := o.Index.Index(ctx, docs); err != nil {
		t.Fatal(err)
	}
}

type apiPage struct {
	Total  int    `json:"total"`
	Page   int    `json:"page"`
	Cursor string `json:"cursor"`
	Next   string `json:"next"`
	Items  []struct {
		ID string `json:"id"`
	} `json:"items"`
}

func TestCursorWalksEveryResultOnce(t *testing.T) {
	ts := newTestServer(t, withCourses(t, 45))
	for _, query := range []string{"country=AT", "q=data", ""} {
		seen := map[string]int{}
		u := ts.URL + "/api/v1/courses?limit=4&" + query
		total, steps := -1, 0
		for u != "" {
			resp, body := get(t, u)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", u, resp.StatusCode, body)
			}
			var pg apiPage
			if err := json.Unmarshal([]byte(body), &pg); err != nil {
				t.Fatal(err)
			}
			total = pg.Total
			for _, it := range pg.Items {
				seen[it.ID]++
			}
			if pg.Next != "" {
				if link := resp.Header.Get("Link"); link != "<"+pg.Next+`>; rel="next"` {
					t.Errorf("Link header %q", link)
				}
				// next names the public URL; the test server is elsewhere.
				u = ts.URL + strings.TrimPrefix(pg.Next, "https://catalogue.test")
				if !strings.Contains(u, "cursor="+pg.Cursor) {
					t.Errorf("next %s lacks the cursor %s", u, pg.Cursor)
				}
			} else {
				u = ""
			}
			if steps++; steps > 50 {
				t.Fatal("the walk does not end")
			}
		}
		if len(seen) != total || total < 20 {
			t.Errorf("%q: met %d courses, total %d", query, len(seen), total)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%q: %s met %d times", query, id, n)
			}
		}
	}
}

func TestCursorRefusals(t *testing.T) {
	ts := newTestServer(t, withCourses(t, 10))
	_, body := get(t, ts.URL+"/api/v1/courses?country=AT&limit=3")
	var pg apiPage
	if err := json.Unmarshal([]byte(body), &pg); err != nil || pg.Cursor == "" {
		t.Fatalf("no cursor: %s", body)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(pg.Cursor)
	raw[len(raw)/2] ^= 1
	tampered := base64.RawURLEncoding.EncodeToString(raw)
	for _, tc := range []struct{ query, want string }{
		{"country=AT&cursor=" + tampered, "cursor is damaged"},
		{"country=AT&cursor=not-base64!", "cursor is damaged"},
		{"country=AT&cursor=" + pg.Cursor[:len(pg.Cursor)-4], "cursor is damaged"},
		{"country=DE&cursor=" + pg.Cursor, "cursor belongs to another query"},
		{"country=AT&q=data&cursor=" + pg.Cursor, "cursor belongs to another query"},
		{"country=AT&page=2&cursor=" + pg.Cursor, "cursor and page cannot be used together"},
		{"country=AT&cursor=" + strings.Repeat("A", maxCursorBytes+1), "the limit is 2048"},
	} {
		resp, body := get(t, ts.URL+"/api/v1/courses?"+tc.query)
		if resp.StatusCode != 400 || !strings.Contains(body, tc.want) || !strings.Contains(body, `"parameter":"cursor"`) {
			t.Errorf("%.60s: %d %s", tc.query, resp.StatusCode, body)
		}
	}
	// The same cursor with another page size is fine.
	if resp, body := get(t, ts.URL+"/api/v1/courses?country=AT&limit=5&cursor="+url.QueryEscape(pg.Cursor)); resp.StatusCode != 200 {
		t.Errorf("another limit: %d %s", resp.StatusCode, body)
	}
	// page= keeps its cap.
	if resp, _ := get(t, ts.URL+"/api/v1/courses?limit=100&page=101"); resp.StatusCode != 400 {
		t.Errorf("page past the cap: %d", resp.StatusCode)
	}
}
