// Package redact hides credentials in URLs before they are printed or
// logged. It is a foundation: the fetch door, the configuration dump and
// the commands use the same rule, so a URL is masked the same way wherever
// it shows up.
package redact

import (
	"log/slog"
	"net/url"
	"strings"
)

// Mask replaces a hidden value.
const Mask = "********"

// secretNames are query parameter names (lower case, without "-" and "_")
// that carry credentials.
var secretNames = map[string]bool{
	"key": true, "apikey": true, "token": true, "accesstoken": true, "secret": true, "password": true,
	"passwd": true, "pwd": true, "sig": true, "signature": true, "auth": true, "authorization": true,
	"credential": true, "credentials": true, "sessionid": true, "session": true, "code": true,
}

// secretSuffixes catch the many vendor spellings: subscription-key,
// client_secret, refresh_token, X-Amz-Signature, sas-sig.
var secretSuffixes = []string{"key", "token", "secret", "password", "signature", "sig", "credential"}

// separators are left out of parameter names before they are compared.
var separators = strings.NewReplacer("-", "", "_", "", ".", "")

// SecretParam reports whether a query parameter name looks like it carries
// a credential.
func SecretParam(name string) bool {
	n := separators.Replace(strings.ToLower(name))
	if secretNames[n] {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

// URL returns raw with the password of its user info and the values of
// secret-looking query parameters masked. Everything else is kept as it
// was written, so the result still identifies the resource. Text that is
// not an absolute URL (a file path) comes back unchanged.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return raw
	}
	_, hasPassword := u.User.Password()
	q, queryMasked := maskQuery(u.RawQuery)
	if !hasPassword && !queryMasked {
		return raw
	}
	u.RawQuery = q
	if !hasPassword {
		return u.String()
	}
	// url.UserPassword would percent-encode the mask; write it as it is.
	user := u.User.Username()
	u.User = nil
	prefix := u.Scheme + "://"
	return prefix + url.User(user).String() + ":" + Mask + "@" + strings.TrimPrefix(u.String(), prefix)
}

// LogURL is a URL to log: it is masked as URL does when the record is
// written, not when a debug record nobody keeps is built (a harvest logs
// every page it fetches).
type LogURL string

// LogValue implements slog.LogValuer.
func (u LogURL) LogValue() slog.Value { return slog.StringValue(URL(string(u))) }

// maskQuery masks secret values in a raw query, keeping the order and
// encoding of every other parameter.
func maskQuery(raw string) (string, bool) {
	if raw == "" {
		return raw, false
	}
	parts := strings.Split(raw, "&")
	changed := false
	for i, p := range parts {
		name, value, hasValue := strings.Cut(p, "=")
		decoded, err := url.QueryUnescape(name)
		if err != nil {
			decoded = name
		}
		if hasValue && value != "" && SecretParam(decoded) {
			parts[i] = name + "=" + Mask
			changed = true
		}
	}
	return strings.Join(parts, "&"), changed
}
