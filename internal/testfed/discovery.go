package testfed

// Well-known manifest paths, in the spec's probe order.
const (
	wellKnownPlain = "/.well-known/quality-link-manifest"
	wellKnownJSON  = "/.well-known/quality-link-manifest.json"
	wellKnownYAML  = "/.well-known/quality-link-manifest.yaml"
	// txtManifestPath is where TXT records point (on data.<schac>).
	txtManifestPath = "/quality-link/manifest."
)

const (
	contentTypeJSON = "application/json"
	contentTypeYAML = "application/yaml"
	contentTypeText = "text/plain; charset=utf-8"
)

// publication is how one institution publishes its manifest.
type publication struct {
	v      Variant
	format string // "json" or "yaml", where the variant leaves it open
	spf    bool   // an SPF record sits beside it
}

// firstPublications are used by institutions 0–11, so that any federation
// of at least 12 institutions has every variant.
var firstPublications = []publication{
	{VariantTXTSCHAC, "json", false},
	{VariantWellKnown, "json", true},
	{VariantWellKnownJSON, "json", false},
	{VariantWellKnownYAML, "yaml", false},
	{VariantTXTWebsite, "json", false},
	{VariantNoSCHACWebsite, "json", false},
	{VariantTXTSplit, "json", true},
	{VariantWellKnown, "json", false},
	{VariantNoSCHACRegistrable, "json", false},
	{VariantWellKnownYAMLText, "yaml", false},
	{VariantTXTSCHAC, "yaml", false},
	{VariantNoSCHACNoWWW, "json", false},
}

// laterPublications cycle from institution 12 on.
var laterPublications = []publication{
	{VariantTXTSCHAC, "json", false},
	{VariantWellKnown, "json", false},
	{VariantWellKnownJSON, "json", false},
	{VariantWellKnownYAML, "yaml", false},
	{VariantTXTWebsite, "yaml", false},
	{VariantNoSCHACWebsite, "json", false},
	{VariantTXTSCHAC, "yaml", false},
}

func publicationFor(i int, mb Misbehavior) publication {
	switch {
	case mb == NoManifest:
		return publication{v: VariantNoManifest}
	case mb == MalformedManifest:
		return publication{v: VariantMalformedManifest, format: "yaml"}
	case i < len(firstPublications):
		return firstPublications[i]
	}
	return laterPublications[(i-len(firstPublications))%len(laterPublications)]
}

// websiteHost returns the host name of the institution's website.
func websiteHost(v Variant, schac string) string {
	switch v {
	case VariantNoSCHACNoWWW:
		return "www.campus." + schac
	case VariantNoSCHACRegistrable:
		return "www.cs." + schac
	}
	return "www." + schac
}

// discovery derives the expected discovery result.
func (p publication) discovery(schac, website string, port int) Discovery {
	d := Discovery{Variant: p.v, Candidate: CandidateSCHAC, Domain: schac, Method: MethodWellKnown, Format: p.format}
	path := wellKnownPlain
	switch p.v {
	case VariantNoManifest:
		return Discovery{Variant: p.v}
	case VariantTXTSCHAC, VariantTXTSplit, VariantTXTWebsite:
		d.Method = MethodDNSTXT
		if p.v == VariantTXTWebsite {
			d.Candidate, d.Domain = CandidateWebsite, website
		}
		d.ManifestURL = origin("data."+schac, port) + txtManifestPath + p.format
		d.TXT = []string{"v=qldiscover1; m=" + d.ManifestURL}
		if p.v == VariantTXTSplit {
			cut := len(d.ManifestURL) / 2
			d.TXT = []string{"v=qldiscover1; ", "m=" + d.ManifestURL[:cut], d.ManifestURL[cut:]}
		}
	case VariantWellKnownJSON:
		path = wellKnownJSON
	case VariantWellKnownYAML, VariantWellKnownYAMLText, VariantMalformedManifest:
		path = wellKnownYAML
	case VariantNoSCHACWebsite:
		d.Candidate, d.Domain = CandidateWebsite, website
	case VariantNoSCHACNoWWW:
		d.Candidate, d.Domain = CandidateWebsiteNoWWW, website[len("www."):]
	case VariantNoSCHACRegistrable:
		d.Candidate = CandidateRegistrableDomain
		path = wellKnownJSON
	}
	if d.Method == MethodWellKnown {
		d.ManifestURL = origin(d.Domain, port) + path
	}
	d.ContentType = contentTypeJSON
	if d.Format == "yaml" {
		d.ContentType = contentTypeYAML
	}
	if p.v == VariantWellKnownYAMLText {
		d.ContentType = contentTypeText
	}
	if p.spf {
		d.OtherTXT = []string{"v=spf1 mx a:mail." + schac + " -all"}
	}
	return d
}

// hosts returns every host name of the institution, all on its address.
func (in *Institution) hosts() []string {
	website := websiteHost(in.Discovery.Variant, in.SCHAC)
	hs := []string{in.SCHAC, "api." + in.SCHAC, "data." + in.SCHAC, website}
	if nowww := website[len("www."):]; nowww != in.SCHAC {
		hs = append(hs, nowww)
	}
	return hs
}
