package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"qlink/internal/check"
	"qlink/internal/config"
	"qlink/internal/discovery"
	"qlink/internal/harvest"
	"qlink/internal/store"
)

func newDiscoverCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "discover <provider-id | domain>",
		Short: "Run discovery for a provider (recording its sources) or a domain",
		Long: `discover runs the discovery sequence and prints every probe with its outcome and reason.

Given the ID of a provider in the registry, it probes that provider's SCHAC code and
website, records the attempt and, when a manifest is found, updates the provider's
sources. Given a domain, it probes the domain, the domain without "www." and its
registrable domain, and only reports.`,
		Example: `  qlink discover DEQARINST0001
  qlink discover uni-lindenau.de --json`,
		Args: oneArg("a provider ID or a domain"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			log := newLogger(cfg)
			f := newFetcher(cfg, network{}, log)
			d := newDiscoverer(cfg, f, network{})
			out := cmd.OutOrStdout()
			// A domain is probed without any store: only a provider's
			// discovery is recorded, so only it needs an instance.
			if err := checkInstance(cfg); err != nil {
				if !discovery.IsDomainName(args[0]) {
					return fmt.Errorf("%q is not a domain name, and discovering a provider of the registry needs an instance: %w", args[0], err)
				}
				return discoverDomain(cmd, d, args[0], asJSON)
			}
			st, err := openStore(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := st.Provider(cmd.Context(), args[0])
			if errors.Is(err, store.ErrNotFound) {
				if !discovery.IsDomainName(args[0]) {
					return notInRegistry(cmd, st, cfg, args[0])
				}
				return discoverDomain(cmd, d, args[0], asJSON)
			}
			if err != nil {
				return err
			}
			h := harvest.New(harvest.Options{Store: st, Fetcher: f, Discoverer: d, Limits: harvestLimits(cfg), Logger: log})
			sources, derr := h.Discover(cmd.Context(), p)
			rec, err := st.LatestDiscovery(cmd.Context(), p.ID)
			if err != nil {
				return err
			}
			var probes []discovery.Probe
			if err := json.Unmarshal(rec.Probes, &probes); err != nil {
				return err
			}
			return printDiscovery(out, probes, rec.ManifestURL, sources, derr, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	config.Bind(cmd.Flags(), "data-dir", "database-url", "contact-url", "log-level", "log-format", "auto-migrate", "fetch-timeout")
	return cmd
}

// discoverDomain probes a domain and reports; it records nothing.
func discoverDomain(cmd *cobra.Command, d *discovery.Discoverer, domain string, asJSON bool) error {
	res, err := d.DiscoverDomain(cmd.Context(), domain)
	return printDiscovery(cmd.OutOrStdout(), res.Probes, res.ManifestURL, nil, err, asJSON)
}

// notInRegistry explains an argument that is neither a provider of the
// registry nor a domain, and what to type instead.
func notInRegistry(cmd *cobra.Command, st store.Store, cfg config.Config, arg string) error {
	providers, err := st.ListProviders(cmd.Context())
	if err != nil {
		return err
	}
	registry := fmt.Sprintf("the registry in %s holds %d providers", cfg.DataDir, len(providers))
	if len(providers) == 0 {
		registry = fmt.Sprintf("no registry has been imported into %s", cfg.DataDir)
	}
	return fmt.Errorf("%q is not a provider in the registry (%s) and not a domain name: "+
		"import the registry with qlink harvest --registry-url https://backend.deqar.eu/connectapi/v1/providers/ (or a providers file), "+
		"or give the institution's domain, e.g. qlink discover uni-lindenau.de", arg, registry)
}

func printDiscovery(out interface{ Write([]byte) (int, error) }, probes []discovery.Probe, manifestURL string,
	sources []store.Source, derr error, asJSON bool) error {
	if asJSON {
		type sourceView struct {
			ID     string `json:"id"`
			Type   string `json:"type"`
			URL    string `json:"url"`
			Name   string `json:"name,omitempty"`
			Active bool   `json:"active"`
		}
		v := struct {
			Probes      []discovery.Probe `json:"probes"`
			ManifestURL string            `json:"manifestUrl,omitempty"`
			Sources     []sourceView      `json:"sources,omitempty"`
			Error       string            `json:"error,omitempty"`
		}{Probes: probes, ManifestURL: manifestURL}
		for _, s := range sources {
			v.Sources = append(v.Sources, sourceView{ID: s.ID, Type: s.Type, URL: s.URL, Name: s.Name, Active: s.Active})
		}
		if derr != nil {
			v.Error = derr.Error()
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		return derr
	}
	check.WriteProbes(out, probes)
	if derr != nil {
		return derr
	}
	fmt.Fprintf(out, "Manifest: %s\n", manifestURL)
	for _, s := range sources {
		state := "active"
		if !s.Active {
			state = "no longer listed"
		}
		fmt.Fprintf(out, "  %s %s (%s)\n", s.Type, s.URL, state)
	}
	return nil
}
