// Package fetch is qlink's only door to institutions' servers. Every
// outbound request goes through a Client, which refuses private and
// loopback addresses after DNS resolution (on every redirect too), caps
// body size and time, limits parallel requests per host, sends a User-Agent
// that names the operator, and classifies each failure once so that the
// dashboard can explain it.
//
// Discovery, the registry import and the source adapters receive a Client
// (or a narrower interface) and never build their own http.Client.
package fetch
