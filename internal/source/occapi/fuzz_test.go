package occapi

import (
	"context"
	"net/http"
	"testing"

	"qlink/internal/source"
	"qlink/internal/source/sourcetest"
)

// FuzzHarvest feeds arbitrary institution, course and instance documents
// to the adapter: it may warn and fail, never panic or loop.
func FuzzHarvest(f *testing.F) {
	srv := server()
	f.Add([]byte(mustJSON(srv[path("")])), []byte(mustJSON(srv[path("/course")])), []byte(mustJSON(srv[path("/course/c1/instance")])))
	f.Add([]byte(`{"data":{"links":{"course":"course","next":"x"}}}`), []byte(`{"data":[1,null,{"id":"c1","attributes":[]}],"links":{"next":"course"}}`),
		[]byte(`{"errors":[{}]}`))
	f.Fuzz(func(t *testing.T, hei, courses, instances []byte) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case path(""):
				w.Write(hei)
			case path("/course"):
				w.Write(courses)
			case path("/course/c1/instance"):
				w.Write(instances)
			default:
				http.NotFound(w, r)
			}
		})
		cfg := config()
		cfg.MaxPages = 5
		Adapter{}.Harvest(context.Background(), cfg, &sourcetest.HandlerGetter{Handler: h}, &sourcetest.Collector{})
	})
}

func FuzzOutcomes(f *testing.F) {
	f.Add("- a\n- b", "1. x\n  y\n2) z", "<ul><li>a</li><li>b</li></ul>")
	f.Add("<li", "<li>", "- \n-")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		out := outcomes(&source.Langs{}, []text{{Multiline: a, Lang: "en"}, {Multiline: b, Lang: "nl"}, {Multiline: c}}, func(string) {})
		for _, o := range out {
			if len(o) == 0 {
				t.Errorf("an empty outcome from %q %q %q", a, b, c)
			}
		}
	})
}
