package discovery

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Candidates returns the domains to probe, in the specification's order,
// without duplicates: the SCHAC code, the website's host, that host without
// a leading "www.", and its registrable domain (public suffix plus one
// label). Values that are not host names are skipped.
func Candidates(schac, website string) []string {
	var out []string
	add := func(d string) {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if !validHost(d) {
			return
		}
		for _, have := range out {
			if have == d {
				return
			}
		}
		out = append(out, d)
	}
	add(schac)
	host := websiteHost(website)
	add(host)
	bare := strings.TrimPrefix(host, "www.")
	add(bare)
	if reg, err := publicsuffix.EffectiveTLDPlusOne(bare); err == nil {
		add(reg)
	}
	return out
}

func websiteHost(website string) string {
	website = strings.TrimSpace(website)
	if website == "" {
		return ""
	}
	if !strings.Contains(website, "://") {
		website = "https://" + website
	}
	u, err := url.Parse(website)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// IsDomainName reports whether s is a host name discovery can probe: at
// least two labels of letters, digits and hyphens (upper case and a final
// dot allowed).
func IsDomainName(s string) bool {
	return validHost(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "."))
}

// validHost accepts DNS names of at least two labels made of letters,
// digits and hyphens (IDNs must arrive in punycode).
func validHost(h string) bool {
	if len(h) == 0 || len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// ManifestURLs extracts manifest URLs from a domain's TXT records. A record
// counts only when its first tag is exactly v=qldiscover1; it must then
// carry an m= tag with an absolute http(s) URL. Unrelated records (SPF,
// site verification) are ignored; malformed QualityLink records are
// reported as problems.
func ManifestURLs(records []string) (urls, problems []string) {
	for _, rec := range records {
		u, ok, err := parseTXT(rec)
		switch {
		case !ok:
			continue
		case err != nil:
			problems = append(problems, fmt.Sprintf("record %q: %v", rec, err))
		default:
			urls = append(urls, u)
		}
	}
	return urls, problems
}

// parseTXT parses one record; ok is false when it is not a QualityLink
// record at all.
func parseTXT(rec string) (manifestURL string, ok bool, err error) {
	parts := strings.Split(rec, ";")
	first := strings.TrimSpace(parts[0])
	if !strings.EqualFold(strings.ReplaceAll(first, " ", ""), "v=qldiscover1") {
		return "", false, nil
	}
	for _, part := range parts[1:] {
		key, val, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found || strings.TrimSpace(key) != "m" {
			continue
		}
		val = strings.TrimSpace(val)
		u, perr := url.Parse(val)
		if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "", true, fmt.Errorf("m=%q is not an absolute http(s) URL", val)
		}
		return val, true, nil
	}
	return "", true, fmt.Errorf("no m= tag")
}
