package fetch

import (
	"fmt"
	"net/netip"
	"slices"
	"syscall"
)

// blockedPrefixes are the address ranges an institution's URL must never
// reach: loopback, private, link-local (including cloud metadata at
// 169.254.169.254), carrier-grade NAT, and other special-purpose ranges.
var blockedPrefixes = mustPrefixes(
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
	"203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	"::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32",
	"2002::/16", "fc00::/7", "fe80::/10", "ff00::/8",
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// IsPublic reports whether addr may be contacted: a unicast address
// outside every special-purpose range. IPv4-mapped IPv6 addresses are
// judged as the IPv4 address they carry.
func IsPublic(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// dialGuard runs after DNS resolution, on the address actually dialled, so
// neither a hostile DNS answer nor a rebinding between lookups can steer a
// request to an internal service. allow lists the non-public ranges the
// operator opened on purpose (the demo federation's loopback addresses).
func dialGuard(allowPrivate bool, allow []netip.Prefix) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return &Error{Kind: KindBlocked, Err: fmt.Errorf("unparseable address %q", address)}
		}
		addr := ap.Addr().Unmap()
		if IsPublic(addr) || slices.ContainsFunc(allow, func(p netip.Prefix) bool { return p.Contains(addr) }) {
			return nil
		}
		return &Error{Kind: KindBlocked, Err: fmt.Errorf("address %s is not public", ap.Addr())}
	}
}
