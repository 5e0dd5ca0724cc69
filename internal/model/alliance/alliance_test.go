package alliance

import (
	"slices"
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/sharedtest"
)

func TestParseAlliancesQualityLinkTurtle(t *testing.T) {
	path := sharedtest.Require(t, "samples", "elm", "quality-link", "alliance.ttl")
	body := sharedtest.ReadFile(t, "samples", "elm", "quality-link", "alliance.ttl")
	as, problems, err := Parse(body, path, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Errorf("problems: %v", problems)
	}
	byID := map[string]model.Alliance{}
	for _, a := range as {
		byID[a.ID] = a
	}
	eciu := byID["INT6006"]
	if eciu.Name["en"] != "ECIU University" || len(eciu.Members) != 12 ||
		!slices.Contains(eciu.Members, "deqar:DEQARINST0357") {
		t.Errorf("ECIU read as %+v", eciu)
	}
	if dual := byID["INT6017"]; !slices.Equal(dual.Members, []string{"deqar:DEQARINST0498"}) {
		t.Errorf("EU4Dual read as %+v", dual)
	}
}

func TestParseAlliancesCSV(t *testing.T) {
	data := "alliance,name,lang,website,member\n" +
		"lumen,LUMEN European University,en,https://lumen.example/,DEQARINST0001\n" +
		"lumen,LUMEN Europäische Universität,de,,uni-b.example\n" +
		"lumen,,,,DE0069\n" +
		",,,,DEQARINST0003\n" +
		"aurora,Aurora,,,\n"
	as, problems, err := Parse([]byte(data), "alliances.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "line 5") {
		t.Errorf("problems %v, want the row without alliance on line 5", problems)
	}
	if len(as) != 2 {
		t.Fatalf("alliances %+v", as)
	}
	lumen := as[0]
	if lumen.Name["de"] != "LUMEN Europäische Universität" || lumen.Website != "https://lumen.example/" ||
		!slices.Equal(lumen.Members, []string{"deqar:DEQARINST0001", "schac:uni-b.example", "eter:DE0069"}) {
		t.Errorf("lumen read as %+v", lumen)
	}
	if as[1].ID != "aurora" || as[1].Name[model.LangUnstated] != "Aurora" || len(as[1].Members) != 0 {
		t.Errorf("aurora read as %+v", as[1])
	}
}

func TestParseAlliancesRefusesWithReasons(t *testing.T) {
	for name, tc := range map[string]struct{ body, where, want string }{
		"csv without member column": {"alliance,name\nx,y\n", "a.csv", `lacks the "member" column`},
		"turtle without alliances":  {"<http://a.example/x> <http://a.example/p> 1 .", "a.ttl", "no ql:EuropeanUniversityAlliance"},
		"broken turtle":             {"<http://a.example/x> <http://a.example/p> .", "a.ttl", "a.ttl"},
		"csv with no rows":          {"alliance,member\n", "a.csv", "no alliance rows"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Parse([]byte(tc.body), tc.where, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestParseAlliancesUndeclaredAlliance(t *testing.T) {
	ttl := `@prefix ql: <http://data.quality-link.eu/ontology/v1#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://a.example/all/1> a ql:EuropeanUniversityAlliance ; skos:prefLabel "One"@en .
<https://data.deqar.eu/institution/5> ql:isMemberOf <http://a.example/all/1> .
<https://data.deqar.eu/institution/6> ql:isMemberOf <http://a.example/all/2> .
`
	as, problems, err := Parse([]byte(ttl), "x.ttl", "text/turtle")
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].ID != "1" || !slices.Equal(as[0].Members, []string{"deqar:DEQARINST0005"}) {
		t.Errorf("alliances %+v", as)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "http://a.example/all/2") {
		t.Errorf("problems %v", problems)
	}
}

func TestManual(t *testing.T) {
	a, err := Manual(" lumen ", " LUMEN ", "en", "https://lumen.example", []string{"DEQARINST0001", "", "uni-b.example", "DEQARINST0001"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "lumen" || a.Name["en"] != "LUMEN" || len(a.Members) != 2 {
		t.Errorf("alliance: %+v", a)
	}
	for _, bad := range []struct{ id, name, website, member, want string }{
		{"a/b", "N", "", "", "alliance id"},
		{"", "N", "", "", "alliance id"},
		{strings.Repeat("x", 101), "N", "", "", "alliance id"},
		{"ok", " ", "", "", "name is required"},
		{"ok", "N", "javascript:alert(1)", "", "website"},
		{"ok", "N", "", "  ", ""},
	} {
		_, err := Manual(bad.id, bad.name, "", bad.website, []string{bad.member})
		if bad.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", bad, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: got %v, want %q", bad, err, bad.want)
		}
	}
}
