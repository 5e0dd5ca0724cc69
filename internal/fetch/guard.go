package fetch

import (
	"fmt"
	"net/netip"
	"slices"
	"syscall"
)

// blockedIPv4 are the IPv4 ranges an institution's URL must never reach:
// this network, private, carrier-grade NAT, loopback, link-local (cloud
// metadata at 169.254.169.254 included), IETF protocol assignments, the
// documentation and benchmarking ranges, the old 6to4 relay anycast,
// multicast and reserved.
var blockedIPv4 = mustPrefixes(
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
	"203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
)

// globalIPv6 is the only IPv6 space qlink dials: global unicast. Everything
// outside it is refused wholesale, which covers ::/128, loopback, the
// IPv4-compatible ::/96, IPv4-mapped and IPv4-translated (::ffff:0:0:0/96)
// forms, discard-only 100::/64, unique-local fc00::/7, link-local, the
// deprecated site-local fec0::/10 and multicast, including forms not yet
// thought of.
var globalIPv6 = netip.MustParsePrefix("2000::/3")

// blockedIPv6 are the special-purpose ranges inside global unicast (IANA's
// IPv6 special-purpose registry) that are not ordinary hosts: local-use
// NAT64, IETF protocol assignments (Teredo 2001::/32 and ORCHID among
// them), documentation (2001:db8::/32 and 3fff::/20) and SRv6 segment ids.
var blockedIPv6 = mustPrefixes("64:ff9b:1::/48", "2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16")

// Ranges that carry an IPv4 address inside an IPv6 one. They are as public
// as the IPv4 address they carry: a NAT64 gateway (RFC 6052) or a 6to4
// relay (RFC 3056) would forward the connection to it.
var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// LoopbackNets opens loopback and nothing else: what `qlink demo` needs for
// its simulated federation, without also opening the private networks of
// whatever machine it runs on.
var LoopbackNets = mustPrefixes("127.0.0.0/8", "::1/128")

// PrivateNets opens loopback and the private ranges (RFC 1918, carrier-grade
// NAT, unique-local IPv6), for `qlink check --allow-private` testing a
// staging server. Link-local addresses, cloud metadata among them, stay
// closed: no staging server lives there.
var PrivateNets = append(mustPrefixes("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"), LoopbackNets...)

// metadataNets hold cloud instance-metadata services (169.254.169.254 and
// AWS's fd00:ec2::254, inside the unique-local range PrivateNets opens).
// No AllowNets opens them.
var metadataNets = mustPrefixes("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128")

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// IsPublic reports whether addr may be contacted: an ordinary unicast host
// on the Internet. IPv4 addresses are judged against the special-purpose
// ranges; IPv6 addresses must be global unicast outside the special-purpose
// ranges, and those embedding an IPv4 address (IPv4-mapped, NAT64, 6to4)
// are judged as that address.
func IsPublic(addr netip.Addr) bool {
	addr = addr.WithZone("").Unmap()
	switch {
	case !addr.IsValid():
		return false
	case addr.Is4():
		return !inAny(blockedIPv4, addr)
	case nat64.Contains(addr):
		return IsPublic(embeddedIPv4(addr, 12))
	case sixTo4.Contains(addr):
		return IsPublic(embeddedIPv4(addr, 2))
	}
	return globalIPv6.Contains(addr) && !inAny(blockedIPv6, addr)
}

func inAny(prefixes []netip.Prefix, addr netip.Addr) bool {
	return slices.ContainsFunc(prefixes, func(p netip.Prefix) bool { return p.Contains(addr) })
}

// embeddedIPv4 returns the IPv4 address at byte offset at of an IPv6 one.
func embeddedIPv4(addr netip.Addr, at int) netip.Addr {
	b := addr.As16()
	return netip.AddrFrom4([4]byte(b[at : at+4]))
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
		addr := ap.Addr().WithZone("").Unmap()
		if IsPublic(addr) || (inAny(allow, addr) && !inAny(metadataNets, addr)) {
			return nil
		}
		return &Error{Kind: KindBlocked, Err: fmt.Errorf("address %s is not public", ap.Addr())}
	}
}
