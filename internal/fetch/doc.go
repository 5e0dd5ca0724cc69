// Package fetch is qlink's only door to institutions' servers. Discovery,
// the registry import and the harvest hand it URLs and get back fully read,
// capped responses or errors of one Kind each, which the dashboard can
// explain; none of them builds an http.Client of its own.
//
// Every request goes through a Client, which:
//   - refuses loopback, private, link-local, CGNAT and metadata addresses
//     after DNS resolution, on the address actually dialled, on every hop,
//     so neither a redirect nor DNS rebinding reaches an internal service
//     (Options.AllowPrivate and AllowNets open them for tests and the demo;
//     LoopbackNets is the demo's loopback-only opening). IPv6 must be
//     global unicast, and addresses embedding IPv4 are judged by it;
//   - follows at most 5 redirects by hand, checking each hop like a
//     request of its own;
//   - caps each body on the wire and after gzip or deflate decoding while
//     streaming, and gives each response a deadline;
//   - limits parallel requests and requests per second per host;
//   - retries 429, 502, 503, 504 and dropped connections with back-off,
//     honouring Retry-After, within a bounded number of attempts and time;
//   - sends conditional requests and exposes the validators to keep;
//   - names the operator in its User-Agent.
//
// A Request's Authenticator (built by package fetch/auth from a manifest's
// auth block) adds credentials per attempt, only over https and only to the
// request's own origin: credentials never follow a redirect to another host.
// Redirects are followed by the Client rather than by net/http precisely so
// that this rule holds for every kind of credential, not only Authorization.
package fetch
