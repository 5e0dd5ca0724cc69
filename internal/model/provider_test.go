package model

import "testing"

func TestMemberKey(t *testing.T) {
	for ref, want := range map[string]string{
		"https://data.deqar.eu/institution/357": "deqar:DEQARINST0357",
		"DEQARINST0924":                         "deqar:DEQARINST0924",
		"deqarinst0924":                         "deqar:DEQARINST0924",
		"DE0069":                                "eter:DE0069",
		"TU-Eindhoven.nl":                       "schac:tu-eindhoven.nl",
		"uni-x":                                 "id:uni-x",
		"schac:already.typed":                   "schac:already.typed",
	} {
		if got, ok := MemberKey(ref); !ok || got != want {
			t.Errorf("MemberKey(%q) = %q, %v; want %q", ref, got, ok, want)
		}
	}
	for _, bad := range []string{"", "  ", "https://data.deqar.eu/institution/x"} {
		if got, ok := MemberKey(bad); ok {
			t.Errorf("MemberKey(%q) = %q, want refused", bad, got)
		}
	}
	p := Provider{ID: "DEQARINST0357", DEQAR: "DEQARINST0357", ETER: "NL0001", SCHAC: "Tue.nl"}
	key, _ := MemberKey("https://data.deqar.eu/institution/357")
	found := false
	for _, k := range p.MemberKeys() {
		found = found || k == key
	}
	if !found {
		t.Errorf("provider keys %v lack %s", p.MemberKeys(), key)
	}
}
