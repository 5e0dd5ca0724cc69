package registry

import (
	"fmt"
	"testing"
)

// FuzzParse feeds the DEQAR Connect page parser arbitrary bytes, seeded
// with pages shaped like the real API's. Beyond not panicking: every
// provider it returns has an ID, and every record is either a provider or
// a problem, never lost silently.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		fmt.Sprintf(`{"count":2,"next":"https://backend.deqar.eu/connectapi/v1/providers/?offset=2","previous":null,"results":[%s,%s]}`, rec(1), rec(2)),
		fmt.Sprintf(`[%s,{"name_primary":"no id"},"junk",7]`, rec(3)),
		`{"count":1,"next":null,"results":[{"id":12,"names":[],"locations":[{"country":{}}],"identifiers":[{"resource":"schac"}]}]}`,
		`{"results":[{"id":"12"},{"deqar_id":""},{"id":-1.5}]}`,
		`{"results":null}`,
		`[]`,
		` [`,
		`null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ps, problems, _, err := Parse(body, "fuzz")
		if err != nil {
			if len(ps) > 0 || len(problems) > 0 {
				t.Errorf("an error (%v) with %d providers and %d problems", err, len(ps), len(problems))
			}
			return
		}
		for _, p := range ps {
			if p.ID == "" {
				t.Errorf("provider without an ID: %+v", p)
			}
		}
	})
}
