package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qlink/internal/fetch"
)

const record = `{"id":%d,"deqar_id":"DEQARINST%04d","eter_id":"DE%04d","name_primary":"Universität %d",
	"names":[{"name_official":"Universität %d","name_english":"University %d","acronym":"U%d"}],
	"identifiers":[{"identifier":"Uni-%d.test","resource":"SCHAC"}],"website_link":"https://www.uni-%d.test/",
	"locations":[{"city":"Lindenau","country":{"iso_3166_alpha2":"DE","iso_3166_alpha3":"DEU"}}]}`

func rec(i int) string { return fmt.Sprintf(record, i, i, i, i, i, i, i, i, i) }

func TestLoadDEQARPages(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("offset") {
		case "":
			fmt.Fprintf(w, `{"count":3,"next":%q,"previous":null,"results":[%s,%s]}`, srv.URL+"/providers/?offset=2", rec(1), rec(2))
		case "2":
			fmt.Fprintf(w, `{"count":3,"next":null,"previous":"x","results":[%s,{"name_primary":"no id"},"junk"]}`, rec(3))
		}
	}))
	defer srv.Close()
	client := fetch.New(fetch.Options{Timeout: time.Second, AllowPrivate: true})
	ps, problems, err := Load(context.Background(), client, srv.URL+"/providers/", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || len(problems) != 2 {
		t.Fatalf("providers %d problems %v", len(ps), problems)
	}
	p := ps[0]
	if p.ID != "DEQARINST0001" || p.SCHAC != "uni-1.test" || p.ETER != "DE0001" || p.Country != "DE" || p.City != "Lindenau" ||
		p.Name["en"] != "University 1" || p.Name["und"] != "Universität 1" || p.Acronym != "U1" {
		t.Errorf("provider %+v", p)
	}
}

// TestProviderNameKeysAreLanguageTags: DEQAR states no language for the
// official or primary name; the name is keyed "und" in JSON, never "".
func TestProviderNameKeysAreLanguageTags(t *testing.T) {
	body := `[{"deqar_id":"DEQARINST0009","name_primary":"Hochschule Neun"},` + rec(1) + `]`
	ps, problems, _, err := Parse([]byte(body), "providers.json")
	if err != nil || len(problems) != 0 || len(ps) != 2 {
		t.Fatalf("%+v %v %v", ps, problems, err)
	}
	for _, p := range ps {
		raw, err := json.Marshal(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), `"":`) || !strings.Contains(string(raw), `"und":`) {
			t.Errorf("%s: name JSON %s", p.ID, raw)
		}
	}
}

func TestLoadRefusesForeignNextLink(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"count":2,"next":"http://169.254.169.254/latest/","results":[%s]}`, rec(1))
	}))
	defer srv.Close()
	client := fetch.New(fetch.Options{Timeout: time.Second, AllowPrivate: true})
	ps, _, err := Load(context.Background(), client, srv.URL, 10)
	if err == nil || !strings.Contains(err.Error(), "leaves") || len(ps) != 1 {
		t.Fatalf("got %d providers, err %v", len(ps), err)
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "providers.json")
	os.WriteFile(path, []byte("["+rec(7)+"]"), 0o600)
	ps, _, err := Load(context.Background(), nil, path, 1)
	if err != nil || len(ps) != 1 || ps[0].ID != "DEQARINST0007" {
		t.Fatalf("%+v %v", ps, err)
	}
	if _, _, err := Load(context.Background(), nil, filepath.Join(t.TempDir(), "missing.json"), 1); err == nil {
		t.Fatal("missing file accepted")
	}
}
