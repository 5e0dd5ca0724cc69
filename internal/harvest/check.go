package harvest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"qlink/internal/check"
	"qlink/internal/fetch"
	"qlink/internal/manifest"
	"qlink/internal/model"
	"qlink/internal/source"
)

// previewPages is how far a check reads into each source: enough to prove
// access, format and mapping without harvesting everything.
const previewPages = 1

// previewPageSize keeps a check light on the publisher's server: every
// paged API accepts it, and each course on the page may cost a request for
// its offerings.
const previewPageSize = 10

// Check runs discovery for a domain (or fetches a manifest URL directly),
// validates the manifest and previews every source, storing nothing.
func (h *Harvester) Check(ctx context.Context, target string) check.Report {
	r := check.Report{Target: target}
	body, manifestURL, ok := h.checkManifestSource(ctx, target, &r)
	if !ok {
		return r
	}
	m, diags, err := manifest.ParseWithin(body, h.Limits.MaxSources)
	r.ManifestURL, r.Diagnostics = manifestURL, diags
	if err != nil {
		r.Problems = append(r.Problems, check.Problem{Message: err.Error(),
			Fix: "Correct the manifest as the diagnostics say; it must be JSON or YAML with a non-empty sources list whose entries have a type (elm, ooapi, edu-api, occapi) and an absolute https path."})
		return r
	}
	provider := model.Provider{ID: "check", SCHAC: m.Meta.SCHAC}
	if provider.SCHAC == "" && strings.Contains(target, ".") && !strings.Contains(target, "/") {
		provider.SCHAC = target
	}
	for _, src := range m.Sources {
		r.Sources = append(r.Sources, h.previewSource(ctx, src, provider))
	}
	r.Pass = true
	for _, s := range r.Sources {
		if len(s.Problems) > 0 {
			r.Pass = false
		}
	}
	return r
}

// checkManifestSource finds the manifest body: a URL is fetched as it is,
// anything else is a domain to run discovery on.
func (h *Harvester) checkManifestSource(ctx context.Context, target string, r *check.Report) ([]byte, string, bool) {
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		resp, err := h.Fetcher.Get(ctx, fetch.Request{URL: target, Header: http.Header{"Accept": {"application/json, application/yaml;q=0.9, */*;q=0.5"}}})
		if err != nil {
			r.Problems = append(r.Problems, check.Problem{Message: err.Error(), Fix: fixFor(err, "the manifest URL")})
			return nil, "", false
		}
		return resp.Body, resp.URL, true
	}
	res, err := h.Discoverer.DiscoverDomain(ctx, target)
	r.Probes = res.Probes
	if err != nil {
		r.Problems = append(r.Problems, check.Problem{Message: err.Error(), Fix: fmt.Sprintf(
			"Publish a DNS TXT record \"v=qldiscover1; m=https://…/manifest.json\" on %s, or the manifest at https://%s/.well-known/quality-link-manifest (or .json, .yaml). If a probe above says what is wrong with a manifest found, fix that first.",
			target, target)})
		return nil, "", false
	}
	return res.Body, res.ManifestURL, true
}

func (h *Harvester) previewSource(ctx context.Context, src manifest.Source, p model.Provider) check.SourceReport {
	rep := check.SourceReport{Type: src.Type, Path: src.Path, Name: src.Name, Auth: src.Auth.Type}
	problem := func(msg, fix string) { rep.Problems = append(rep.Problems, check.Problem{Message: msg, Fix: fix}) }
	adapter, ok := h.Adapters[src.Type]
	if !ok {
		problem(fmt.Sprintf("qlink cannot read %q sources yet", src.Type), "Publish the data in another supported format as well.")
		return rep
	}
	authn, err := h.authenticator(ctx, p.ID, src)
	if err != nil {
		if h.Auth.Keys == nil && needsKeys(src.Auth) {
			// A publisher checking from their own machine has not got the
			// aggregator's private key; that is no fault of theirs.
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("access with auth %q was not tested: run the check on the aggregator (qlink check --data-dir <its data directory>) to test it", src.Auth.Type))
			return rep
		}
		problem(err.Error(), fixForAuth(src.Auth.Type))
		return rep
	}
	get, err := newPageGetter(h, 0, src, authn, adapter)
	if err != nil {
		problem(err.Error(), "Give the source an absolute https URL as path.")
		return rep
	}
	get.preview = true
	out := &collector{providerID: p.ID, publishFor: h.PublishFor[p.ID], seen: map[string]bool{}}
	cfg := source.Config{URL: src.Path, Version: src.Version, PageSize: previewPageSize, ContentType: src.ContentType,
		MaxPages: previewPages, Provider: p, Now: h.Now(), Preview: true}
	aerr := adapter.Harvest(ctx, cfg, get, out)
	rep.Pages, _, _ = get.totals()
	rep.Courses = len(out.specs)
	for _, s := range out.specs {
		if len(rep.Sample) == 5 {
			break
		}
		rep.Sample = append(rep.Sample, s.Title.String())
	}
	for _, w := range out.warnings {
		rep.Warnings = append(rep.Warnings, source.Warning{Record: w.Record, Field: w.Field, Message: w.Message}.String())
	}
	if aerr != nil && !errors.Is(aerr, source.ErrPageCap) {
		problem(aerr.Error(), fixFor(aerr, "the source path"))
	}
	if aerr == nil || errors.Is(aerr, source.ErrPageCap) {
		if rep.Courses == 0 {
			problem("the source answered but yielded no courses", "Check that path is the API root (or the file) and that the data is published there.")
		}
	}
	return rep
}

// needsKeys reports whether using a source's access control takes the
// aggregator's keys: to decrypt a secret or to sign. An OAuth client
// without a secret in the manifest is registered out of band instead.
func needsKeys(a manifest.Auth) bool {
	switch a.Type {
	case "httpheader", "httpsig":
		return true
	case "oauth2.0":
		return a.Other["client_secret"] != nil
	}
	return false
}

// fixForAuth says how to set up each access-control method.
func fixForAuth(method string) string {
	switch method {
	case "httpheader":
		return "Give auth.field (the header name) and auth.value: the secret encrypted for the aggregator's public key (GET /api/v1/public-key/pem) with RSA-OAEP and base64-encoded, e.g. with `qlink keys encrypt` or `openssl pkeyutl -encrypt -pubin -inkey aggregator.pem -pkeyopt rsa_padding_mode:oaep | base64 -w0`."
	case "oauth2.0":
		return "Give auth.token_endpoint (https) and either client_id with client_secret encrypted for the aggregator's public key, or ask the operator to register the client out of band."
	case "httpsig":
		return "Configure your server to verify RFC 9421 signatures with the aggregator's keys from GET /api/v1/signing-keys (keyid and alg as listed, tag \"qualitylink-v1\")."
	}
	return "Use auth type none, httpheader, oauth2.0 or httpsig."
}

// fixFor suggests what to change for a failed request.
func fixFor(err error, what string) string {
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		return "Check that the data follows the format's specification; the message names the record and field."
	}
	switch fe.Kind {
	case fetch.KindDNS:
		return "The host name does not resolve: check " + what + "."
	case fetch.KindBlocked:
		return "The address is private, loopback or not http(s); publish on a public https address."
	case fetch.KindTimeout:
		return "The server did not answer in time; check that it is up and fast enough for paged requests."
	case fetch.KindTLS:
		return "The TLS certificate was not accepted; install a certificate from a public CA that matches the host name."
	case fetch.KindTooLarge:
		return "The response is larger than the aggregator accepts; use smaller pages (pageSize) or split the file."
	case fetch.KindRedirects:
		return "Too many redirects; point " + what + " at the final URL."
	case fetch.KindAuth:
		return "The credentials could not be used: check the manifest's auth block."
	case fetch.KindStatus:
		switch {
		case fe.Status == http.StatusUnauthorized || fe.Status == http.StatusForbidden:
			return "The server refused access; check the manifest's auth block and the aggregator's IP allow-listing."
		case fe.Status == http.StatusNotFound:
			return "Nothing is published at this URL; check " + what + "."
		case fe.Status >= 500:
			return "The server failed; check its logs."
		}
	}
	return "Check " + what + "."
}
