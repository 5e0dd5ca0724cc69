package eduapi

import (
	"context"
	"net/http"
	"testing"

	"qlink/internal/source/sourcetest"
)

// FuzzHarvest feeds arbitrary pages of course templates and offerings to
// the adapter: it may warn and fail, never panic or loop.
func FuzzHarvest(f *testing.F) {
	f.Add([]byte(`[`+courseJSON("c1", "C1", "")+`]`), []byte(`[`+offeringJSON("o1", "c1", "")+`]`), "")
	f.Add([]byte(`{"courseTemplates":[{"sourcedId":1}]}`), []byte(`[null,"x",{}]`), `<?offset=0>; rel="next"`)
	f.Add([]byte(`[{"sourcedId":"a","title":[1,{"value":2}],"creditsAwarded":{},"extensions":{"learningOutcomes":[[[]]]}}]`), []byte(`[]`), "")
	f.Fuzz(func(t *testing.T, templates, offerings []byte, link string) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", link)
			switch r.URL.Path {
			case "/ims/eduapi/v1p0/courseTemplates":
				w.Write(templates)
			case "/ims/eduapi/v1p0/courseOfferings":
				w.Write(offerings)
			default:
				http.NotFound(w, r)
			}
		})
		cfg := config(10)
		cfg.MaxPages = 5
		Adapter{}.Harvest(context.Background(), cfg, &sourcetest.HandlerGetter{Handler: h}, &sourcetest.Collector{})
	})
}

func FuzzParseCredits(f *testing.F) {
	for _, s := range []string{"6 ECTS", "7,5", "4 SWS", "", "1.2.3", "٣ ECTS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, _, err := parseCredits(s); err == nil && v < 0 {
			t.Errorf("%q: negative credits %v", s, v)
		}
	})
}

func FuzzNextLink(f *testing.F) {
	f.Add(`<https://a.test/x?offset=20>; rel="next", <https://a.test/x>; rel="first"`)
	f.Add(`<a,b>; title="x, y"; rel=next`)
	f.Fuzz(func(t *testing.T, v string) {
		nextLink([]string{v}, root+"/courseTemplates")
	})
}
