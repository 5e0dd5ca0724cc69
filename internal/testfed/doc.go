// Package testfed simulates a federation of higher education institutions on
// loopback, for tests, benchmarks and `qlink demo`.
//
// It has two halves. [Generate] is pure data generation: from a seed and a
// reference date it builds fictional institutions with courses, programmes
// and offerings in several languages, and records everything it made,
// including how discovery is expected to find each manifest (the ground
// truth). [Start] renders that data and serves it the way real institutions
// do: a DEQAR Connect-like registry, a DNS server answering for the reserved
// TLD .test (RFC 6761), DNS TXT records and well-known manifest files, and one
// data server per manifest source: OOAPI v5 by default, or Edu-API 1.0 and
// OCCAPI v2 as Options.Formats says. Options.Misbehaving and Options.Hostile
// add institutions that break the rules, in discovery and in their data
// servers; [Profiles] names every data-server misbehaviour with the
// outcome a harvest must record ([Institution].Expect). Every institution has its own loopback address (127.0.1.N;
// Linux routes all of 127/8 to lo, other systems need aliases); all HTTP
// servers share one port number.
//
// A running federation keeps only what discovery and the registry need of
// each institution; its courses are generated from the institution's own
// seed (derived from Options.Seed and its index) when its data servers
// are asked, and a few institutions are cached, so a federation of a
// million courses stays small.
//
// Output is deterministic: the same options give byte-identical responses
// (apart from the port number inside URLs), and an institution's data do
// not depend on the others. Production code never imports this package.
package testfed
