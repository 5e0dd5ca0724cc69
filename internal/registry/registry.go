// Package registry builds qlink's list of providers, the seed of discovery.
// Providers come from the DEQAR Connect API (paged, following next links)
// or from a JSON file in the same shape, so an operator without DEQAR
// access can list institutions by hand.
package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/vocab"
)

// Getter fetches a URL; *fetch.Client satisfies it.
type Getter interface {
	Get(ctx context.Context, req fetch.Request) (*fetch.Response, error)
}

// deqarPage is a DEQAR Connect list response (Django REST framework style).
type deqarPage struct {
	Count   int               `json:"count"`
	Next    *string           `json:"next"`
	Results []json.RawMessage `json:"results"`
}

type deqarProvider struct {
	ID      json.Number `json:"id"`
	DEQARID string      `json:"deqar_id"`
	ETERID  string      `json:"eter_id"`
	Name    string      `json:"name_primary"`
	Website string      `json:"website_link"`
	Names   []struct {
		Official string `json:"name_official"`
		English  string `json:"name_english"`
		Acronym  string `json:"acronym"`
	} `json:"names"`
	Identifiers []struct {
		Identifier string `json:"identifier"`
		Resource   string `json:"resource"`
	} `json:"identifiers"`
	Locations []struct {
		City    string `json:"city"`
		Country struct {
			Alpha2 string `json:"iso_3166_alpha2"`
		} `json:"country"`
	} `json:"locations"`
}

// Load reads providers from a DEQAR Connect URL or, when source is not an
// http(s) URL, from a file. It returns the providers and one message per
// record that could not be used.
func Load(ctx context.Context, get Getter, source string, maxPages int) ([]model.Provider, []string, error) {
	if !strings.HasPrefix(source, "http://") && !strings.HasPrefix(source, "https://") {
		body, err := os.ReadFile(source)
		if err != nil {
			return nil, nil, fmt.Errorf("registry: %w", err)
		}
		ps, problems, _, err := Parse(body, source)
		return ps, problems, err
	}
	return loadDEQAR(ctx, get, source, maxPages)
}

func loadDEQAR(ctx context.Context, get Getter, start string, maxPages int) ([]model.Provider, []string, error) {
	origin, err := url.Parse(start)
	if err != nil {
		return nil, nil, fmt.Errorf("registry: %w", err)
	}
	var all []model.Provider
	var problems []string
	next := start
	for page := 1; next != ""; page++ {
		if page > maxPages {
			return all, problems, fmt.Errorf("registry: %s: stopped at the cap of %d pages", start, maxPages)
		}
		resp, err := get.Get(ctx, fetch.Request{URL: next})
		if err != nil {
			return all, problems, fmt.Errorf("registry: %w", err)
		}
		ps, probs, nextURL, err := Parse(resp.Body, resp.URL)
		if err != nil {
			return all, problems, err
		}
		all, problems = append(all, ps...), append(problems, probs...)
		next = ""
		if nextURL != "" {
			u, err := origin.Parse(nextURL)
			if err != nil || u.Host != origin.Host {
				return all, problems, fmt.Errorf("registry: %s: next link %q leaves %s", resp.URL, nextURL, origin.Host)
			}
			next = u.String()
		}
	}
	return all, problems, nil
}

// Parse reads one DEQAR Connect page, or a bare array of provider records.
func Parse(body []byte, where string) (ps []model.Provider, problems []string, next string, err error) {
	var records []json.RawMessage
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "[") {
		err = json.Unmarshal(body, &records)
	} else {
		var p deqarPage
		err = json.Unmarshal(body, &p)
		records = p.Results
		if p.Next != nil {
			next = *p.Next
		}
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("registry: %s: not a DEQAR providers list: %w", where, err)
	}
	for i, raw := range records {
		var d deqarProvider
		if err := json.Unmarshal(raw, &d); err != nil {
			problems = append(problems, fmt.Sprintf("%s record %d: %v", where, i+1, err))
			continue
		}
		p, ok := d.provider()
		if !ok {
			problems = append(problems, fmt.Sprintf("%s record %d: no DEQAR id", where, i+1))
			continue
		}
		ps = append(ps, p)
	}
	return ps, problems, next, nil
}

func (d deqarProvider) provider() (model.Provider, bool) {
	p := model.Provider{ID: d.DEQARID, DEQAR: d.DEQARID, ETER: d.ETERID, Website: strings.TrimSpace(d.Website), Name: model.Text{}}
	if p.ID == "" && d.ID != "" {
		p.ID = "DEQAR" + d.ID.String()
	}
	if p.ID == "" {
		return p, false
	}
	for _, id := range d.Identifiers {
		if strings.EqualFold(id.Resource, "SCHAC") && p.SCHAC == "" {
			p.SCHAC = strings.ToLower(strings.TrimSpace(id.Identifier))
		}
	}
	if len(d.Names) > 0 {
		n := d.Names[0]
		// DEQAR does not say which language the official name is in, so
		// it is tagged undetermined ("und"); the English name is tagged English.
		p.Name.Set("en", n.English)
		if n.Official != "" && n.Official != n.English {
			p.Name.Set(model.LangUnstated, n.Official)
		}
		p.Acronym = n.Acronym
	}
	if p.Name.IsEmpty() {
		p.Name.Set(model.LangUnstated, d.Name)
	}
	if len(d.Locations) > 0 {
		p.Country = vocab.CountryCode(d.Locations[0].Country.Alpha2)
		p.City = d.Locations[0].City
	}
	return p, true
}
