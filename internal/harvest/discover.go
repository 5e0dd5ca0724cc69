package harvest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"qlink/internal/discovery"
	"qlink/internal/manifest"
	"qlink/internal/model"
	"qlink/internal/store"
)

// Discover finds a provider's manifest, records the attempt with its probe
// log, and brings the provider's sources up to date. When discovery fails
// the provider's existing sources are left as they are: a transient DNS
// failure must not switch off a working source. A blocked provider is
// not discovered (ErrBlocked).
func (h *Harvester) Discover(ctx context.Context, p model.Provider) ([]store.Source, error) {
	if err := h.Blocked(ctx, p.ID); err != nil {
		return nil, err
	}
	start := h.Now()
	res, derr := h.Discoverer.Discover(ctx, p.SCHAC, p.Website)
	probes, _ := json.Marshal(res.Probes)
	rec := store.Discovery{ProviderID: p.ID, StartedAt: start, Duration: h.Now().Sub(start), ManifestURL: res.ManifestURL, Probes: probes}
	if derr != nil {
		rec.Error = derr.Error()
	}
	if _, err := h.Store.AddDiscovery(ctx, rec); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	if err := h.adoptSCHAC(ctx, &p, res); err != nil {
		return nil, err
	}
	var sources []store.Source
	for _, s := range res.Manifest.Sources {
		sources = append(sources, store.Source{Key: s.Key(), Type: s.Type, URL: s.Path, Version: s.Version, Name: s.Name, Entry: s.Raw})
	}
	return h.Store.SyncManifest(ctx, store.Manifest{ProviderID: p.ID, URL: res.ManifestURL, FetchedAt: start, Body: res.Body}, sources)
}

// adoptSCHAC takes the manifest's SCHAC code for a provider the registry
// knows none for, but only when the manifest was found on that domain (or
// below it): publishing there proves control of the domain, so a manifest
// cannot mint course identifiers in another institution's namespace.
func (h *Harvester) adoptSCHAC(ctx context.Context, p *model.Provider, res discovery.Result) error {
	claim := strings.ToLower(strings.TrimSpace(res.Manifest.Meta.SCHAC))
	if p.SCHAC != "" || claim == "" {
		return nil
	}
	found := foundOn(res.Probes)
	if found != claim && !strings.HasSuffix(found, "."+claim) {
		h.log.Warn("manifest claims a SCHAC code of another domain; ignored", "provider_id", p.ID, "schac", claim, "domain", found)
		return nil
	}
	p.SCHAC = claim
	return h.Store.UpsertProviders(ctx, []model.Provider{*p})
}

func foundOn(probes []discovery.Probe) string {
	for _, pr := range probes {
		if pr.Outcome == discovery.OutcomeFound {
			return pr.Domain
		}
	}
	return ""
}

// sourceEntry decodes the manifest entry stored with a source.
func sourceEntry(src store.Source) (manifest.Source, error) {
	m, _, err := manifest.Parse([]byte(`{"sources":[` + string(src.Entry) + `]}`))
	if err != nil {
		return manifest.Source{}, fmt.Errorf("source %s: stored manifest entry: %w", src.ID, err)
	}
	if len(m.Sources) != 1 {
		return manifest.Source{}, errors.New("source " + src.ID + ": stored manifest entry is not usable")
	}
	return m.Sources[0], nil
}
