package model

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Provider is an institution that publishes learning opportunities
// (ql:HigherEducationInstitution).
type Provider struct {
	// ID is qlink's stable key for the provider: the DEQAR id when the
	// registry came from DEQAR, otherwise an operator-chosen key. Course
	// identifiers never depend on it (see CourseID).
	ID    string `json:"id"`
	SCHAC string `json:"schac,omitempty"`
	// ETER is the ETER/OrgReg id ("DE0069").
	ETER  string `json:"eter,omitempty"`
	DEQAR string `json:"deqar,omitempty"`
	Name  Text   `json:"name"`
	// Acronym is the short name, when the registry has one.
	Acronym string `json:"acronym,omitempty"`
	// Country is an ISO 3166-1 alpha-2 code ("DE").
	Country string `json:"country,omitempty"`
	City    string `json:"city,omitempty"`
	Website string `json:"website,omitempty"`
	// Alliances are the IDs of the alliances the provider is a member
	// of. They come from the alliance data (a provider's registry record
	// never carries them): the store fills them in on reading.
	Alliances []string `json:"alliances,omitempty"`
}

// MemberKeys are the keys under which alliance data may name the
// provider (see MemberKey): its ID, DEQAR id, ETER id and SCHAC code.
func (p Provider) MemberKeys() []string {
	keys := []string{"id:" + p.ID}
	if p.DEQAR != "" {
		keys = append(keys, "deqar:"+strings.ToUpper(p.DEQAR))
	}
	if p.ETER != "" {
		keys = append(keys, "eter:"+strings.ToUpper(p.ETER))
	}
	if p.SCHAC != "" {
		keys = append(keys, "schac:"+strings.ToLower(p.SCHAC))
	}
	return keys
}

// Alliance is a group of institutions, such as a European Universities
// alliance (ql:EuropeanUniversityAlliance).
type Alliance struct {
	ID      string `json:"id"`
	Name    Text   `json:"name"`
	Website string `json:"website,omitempty"`
	// Members are member keys (see MemberKey) as the alliance data gives
	// them; the store resolves them against the registry on reading into
	// Providers and Unmatched.
	Members []string `json:"members,omitempty"`
	// Providers are the IDs of the registry's providers that are members.
	Providers []string `json:"providers,omitempty"`
	// Unmatched are the member keys no provider of the registry has.
	Unmatched []string `json:"unmatched,omitempty"`
	// Origin is where the alliance came from: the file or URL it was
	// imported from, or "operator" for one entered by hand.
	Origin string `json:"origin,omitempty"`
}

// deqarInstitutionIRI is how QualityLink's alliance data names a member:
// https://data.deqar.eu/institution/357 is DEQARINST0357.
const deqarInstitutionIRI = "https://data.deqar.eu/institution/"

// MemberKey turns a reference to an institution, as alliance data writes
// it, into a typed key that Provider.MemberKeys can match: a DEQAR
// institution IRI or DEQAR id, an ETER/OrgReg id ("DE0069"), a SCHAC code
// (a domain) or, failing those, a qlink provider ID. Keys already typed
// ("deqar:…") are kept. It reports false for a blank reference.
func MemberKey(ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", false
	}
	for _, kind := range []string{"id:", "deqar:", "eter:", "schac:"} {
		if strings.HasPrefix(ref, kind) && len(ref) > len(kind) {
			return ref, true
		}
	}
	upper := strings.ToUpper(ref)
	switch {
	case strings.HasPrefix(ref, deqarInstitutionIRI):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(ref, deqarInstitutionIRI), "/"))
		if err != nil || n < 0 {
			return "", false
		}
		return fmt.Sprintf("deqar:DEQARINST%04d", n), true
	case strings.HasPrefix(upper, "DEQARINST"):
		return "deqar:" + upper, true
	case eterID.MatchString(upper):
		return "eter:" + upper, true
	case strings.Contains(ref, ".") && !strings.Contains(ref, "/"):
		return "schac:" + strings.ToLower(ref), true
	}
	return "id:" + ref, true
}

// eterID matches ETER/OrgReg institution ids: a country code and digits.
var eterID = regexp.MustCompile(`^[A-Z]{2}[0-9]{4}$`)
