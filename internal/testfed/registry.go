package testfed

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The provider registry, shaped like the DEQAR Connect API
// (GET /connectapi/v1/providers/ with limit/offset, DRF-style envelope).

const (
	registryHost = "registry.testfed.test"
	registryPath = "/connectapi/v1/providers/"
	// registryDefaultLimit applies when limit is absent or invalid.
	registryDefaultLimit = 10
)

type deqarProvider struct {
	ID              int               `json:"id"`
	DEQARID         string            `json:"deqar_id"`
	ETERID          string            `json:"eter_id"`
	NamePrimary     string            `json:"name_primary"`
	Names           []deqarName       `json:"names"`
	Identifiers     []deqarIdentifier `json:"identifiers,omitempty"`
	WebsiteLink     string            `json:"website_link"`
	IsOtherProvider bool              `json:"is_other_provider"`
	Locations       []deqarLocation   `json:"locations"`
}

type deqarName struct {
	NameOfficial               string  `json:"name_official"`
	NameOfficialTransliterated string  `json:"name_official_transliterated"`
	NameEnglish                string  `json:"name_english"`
	Acronym                    string  `json:"acronym"`
	NameValidTo                *string `json:"name_valid_to"`
}

type deqarIdentifier struct {
	Identifier string  `json:"identifier"`
	Resource   string  `json:"resource"`
	Agency     *string `json:"agency"`
}

type deqarLocation struct {
	City    string       `json:"city"`
	Country deqarCountry `json:"country"`
}

type deqarCountry struct {
	Alpha2       string `json:"iso_3166_alpha2"`
	Alpha3       string `json:"iso_3166_alpha3"`
	NameEnglish  string `json:"name_english"`
	EHEAIsMember bool   `json:"ehea_is_member"`
}

func renderProvider(in *Institution) deqarProvider {
	p := deqarProvider{
		ID:          in.RegistryID,
		DEQARID:     in.DEQARID,
		ETERID:      in.ETERID,
		NamePrimary: in.Name,
		Names:       []deqarName{{NameOfficial: in.Name, NameEnglish: in.NameEnglish, Acronym: in.Acronym}},
		WebsiteLink: in.Website,
		Locations: []deqarLocation{{City: in.City, Country: deqarCountry{
			in.Country.Alpha2, in.Country.Alpha3, in.Country.Name, true,
		}}},
	}
	if in.RegistrySCHAC {
		p.Identifiers = []deqarIdentifier{{Identifier: in.SCHAC, Resource: "SCHAC"}}
	}
	return p
}

// registryAPI serves the providers list and single providers.
type registryAPI struct {
	url          string // the list URL
	providers    [][]byte
	byID         map[string][]byte
	lastModified time.Time
}

func newRegistry(insts []Institution, port int, now time.Time) *registryAPI {
	a := &registryAPI{
		url:          origin(registryHost, port) + registryPath,
		byID:         map[string][]byte{},
		lastModified: now,
	}
	for i := range insts {
		doc := mustJSON(renderProvider(&insts[i]))
		a.providers = append(a.providers, doc)
		a.byID[strconv.Itoa(insts[i].RegistryID)] = doc
	}
	return a
}

func (a *registryAPI) serve(w http.ResponseWriter, r *http.Request, rel string) {
	if rel = strings.Trim(rel, "/"); rel != "" {
		doc, ok := a.byID[rel]
		if !ok {
			w.Header().Set("Content-Type", contentTypeJSON)
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"detail":"Not found."}`))
			return
		}
		serveDoc(w, r, contentTypeJSON, doc, a.lastModified)
		return
	}
	q := r.URL.Query()
	limit, err := queryInt(q.Get("limit"), registryDefaultLimit)
	if err != nil || limit < 1 {
		limit = registryDefaultLimit
	}
	offset, err := queryInt(q.Get("offset"), 0)
	if err != nil || offset < 0 {
		offset = 0
	}
	lo := min(offset, len(a.providers))
	hi := min(lo+limit, len(a.providers))
	var b strings.Builder
	fmt.Fprintf(&b, `{"count":%d,"next":%s,"previous":%s,"results":[`, len(a.providers), a.link(limit, offset+limit, hi < len(a.providers)), a.link(limit, offset-limit, offset > 0))
	for i, p := range a.providers[lo:hi] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(p)
	}
	b.WriteString("]}")
	serveDoc(w, r, contentTypeJSON, []byte(b.String()), a.lastModified)
}

// link renders the JSON value of a next or previous link: null, or the list
// URL with limit and offset (without offset when it is 0, as DRF does).
func (a *registryAPI) link(limit, offset int, ok bool) string {
	if !ok {
		return "null"
	}
	u := a.url + "?limit=" + strconv.Itoa(limit)
	if offset > 0 {
		u += "&offset=" + strconv.Itoa(offset)
	}
	return strconv.Quote(u)
}
