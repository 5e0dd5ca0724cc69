package testfed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Federation is a running simulated federation. Stop it with Close.
type Federation struct {
	port    int
	dnsAddr string
	// opts are the options with defaults, to generate institutions from.
	opts Options
	// skel holds each institution's skeleton (see newSkeleton): all a
	// running federation keeps of the institutions it is not serving.
	skel     []Institution
	registry string
	seed     int64
	// evo is what Evolve changes.
	evo *evolution
	// cache holds the institutions served last, generated in full.
	cache instCache
	// fileTags are the validators of the ELM files served (see
	// serveFile).
	fileTags fileTags
	// claims are the domain-claim tokens tests publish.
	claims *claimTokens

	httpServers []*http.Server
	dnsServers  []*dns.Server
	wg          sync.WaitGroup

	// hostile is off until TurnHostile with Options.HostileLater.
	hostile atomic.Bool

	closeOnce sync.Once
	closeErr  error
}

// Start generates the federation (see [Generate]) and serves it: a DNS
// server on 127.0.0.1 (UDP and TCP, random port) and one HTTP server per
// institution, each on its own loopback address, all on one port. ctx
// bounds the start only; the federation runs until Close.
func Start(ctx context.Context, opts Options) (*Federation, error) {
	o := opts.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	listeners, port, err := listenAll(ctx, o.total()+1, o.Port)
	if err != nil {
		return nil, err
	}
	f := &Federation{port: port, opts: o, skel: make([]Institution, o.total()), seed: o.Seed,
		evo: &evolution{failing: -1, edits: map[int][]edit{}}, claims: newClaimTokens()}
	for i := range f.skel {
		f.skel[i] = newSkeleton(o, i, port)
	}
	f.registry = RegistryURLAt(port)
	f.hostile.Store(!o.HostileLater)
	zone := newZone()
	zone.claims = f.claims
	routers := make([]*hostRouter, len(listeners))
	for k := range routers {
		routers[k] = &hostRouter{sites: map[string]*site{}, log: o.Logger, claims: f.claims}
	}
	reg := newRegistry(f.skel, port, o.Now)
	routers[0].sites[registryHost] = &site{mounts: []mount{{registryPath, reg.serve}},
		files: map[string]file{alliancesPath: {"text/turtle", renderAlliances(f.skel), o.Now}}}
	zone.addA(registryHost, loopback(0))
	for i := range f.skel {
		f.publish(o, i, routers[i+1], zone, loopback(i+1))
	}
	if err := f.startDNS(ctx, zone, o.Logger); err != nil {
		for _, l := range listeners {
			l.Close()
		}
		return nil, err
	}
	for k, l := range listeners {
		var h http.Handler = routers[k]
		if o.Wrap != nil {
			h = o.Wrap(h)
		}
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelDebug),
		}
		f.httpServers = append(f.httpServers, srv)
		f.wg.Go(func() { srv.Serve(l) })
	}
	o.Logger.Info("testfed started", "institutions", len(f.skel), "port", port, "dns", f.dnsAddr, "registry", f.registry)
	return f, nil
}

// publish puts institution k's DNS records and documents in place.
func (f *Federation) publish(o Options, k int, r *hostRouter, zone *dnsZone, addr netip.Addr) {
	in := &f.skel[k]
	sites := map[string]*site{}
	for _, h := range in.hosts() {
		sites[h] = &site{files: map[string]file{}}
		r.sites[h] = sites[h]
		zone.addA(h, addr)
	}
	d := in.Discovery
	if d.TXT != nil {
		zone.addTXT(d.Domain, d.TXT...)
	}
	for _, t := range d.OtherTXT {
		zone.addTXT(d.Domain, t)
	}
	if d.ManifestURL != "" {
		u, err := url.Parse(d.ManifestURL)
		if err != nil {
			panic("testfed: " + err.Error())
		}
		f := file{d.ContentType, renderManifest(in), o.Now}
		if in.Misbehavior == ChangingManifest {
			s := sites[u.Hostname()]
			s.mounts = append(s.mounts, mount{u.Path, newChangingManifest(in, f).serve})
		} else {
			sites[u.Hostname()].files[u.Path] = f
		}
	}
	switch in.Misbehavior {
	case PrivateRedirect:
		zone.addA(metadataHost(in), metadataAddr)
	case DNSRebinding:
		host := rebindPrefix + in.SCHAC
		sites[host] = &site{files: map[string]file{}}
		r.sites[host] = sites[host]
		zone.addRebinding(host, addr, &f.hostile)
	}
	for i := range in.Sources {
		u, err := url.Parse(in.Sources[i].Path)
		if err != nil {
			panic("testfed: " + err.Error())
		}
		// Generated and rendered on first use, from the institution as
		// Evolve left it: Start stays fast and small, and a federation
		// of a million courses costs only what is being served.
		serve := func(w http.ResponseWriter, r *http.Request, rel string) {
			f.entry(k).api(i, f.render).serve(w, r, rel)
		}
		if in.Sources[i].Type == FormatELM {
			serve = f.serveFile(k, i)
		}
		prefix := u.Path
		switch in.Sources[i].Type {
		case FormatOCCAPI:
			prefix = occapiRoot
		case FormatELM:
			prefix = elmRoot
		}
		s := sites[u.Hostname()]
		if s == nil {
			continue // a DNSFailure source: nobody serves its host
		}
		s.mounts = append(s.mounts, mount{prefix, f.misbehave(in, f.evo.failWhenFailing(k, serve))})
	}
}

// render renders a source of an institution generated in full.
func (f *Federation) render(in *Institution, src *Source) api {
	switch src.Type {
	case FormatEduAPI:
		return newEduAPI(f.seed, f.opts.Now, in, src, in.Misbehavior)
	case FormatOCCAPI:
		return newOCCAPI(in, src, in.Misbehavior, f.port)
	case FormatELM:
		return newELMFile(in, src, f.opts.Now)
	}
	return newOOAPI(f.seed, f.opts.Now, in, src)
}

// entry returns institution k as it is now, generated in full, from the
// cache.
func (f *Federation) entry(k int) *instEntry {
	edits := f.evo.editsOf(k)
	return f.cache.get(k, len(edits), func() Institution { return f.generate(k, edits) })
}

// generate generates institution k in full and applies edits to it.
func (f *Federation) generate(k int, edits []edit) Institution {
	in := newInstitution(f.opts, k, f.port)
	for _, e := range edits {
		e.apply(&in, f.seed)
	}
	return in
}

// TurnHostile makes the hostile institutions of a federation started with
// Options.HostileLater misbehave from now on.
func (f *Federation) TurnHostile() { f.hostile.Store(true) }

// api is a rendered data source.
type api interface {
	serve(w http.ResponseWriter, r *http.Request, rel string)
}

// loopback returns the k-th address of the federation: 127.0.1.1, 127.0.1.2, …
func loopback(k int) netip.Addr {
	return netip.AddrFrom4([4]byte{127, 0, byte(1 + k/250), byte(1 + k%250)})
}

// listenAll listens on n loopback addresses with one port number, retrying
// with another port when one of them is taken, unless port is given.
func listenAll(ctx context.Context, n, port int) ([]net.Listener, int, error) {
	var lc net.ListenConfig
	attempts := 20
	if port != 0 {
		attempts = 1
	}
	for range attempts {
		first, err := lc.Listen(ctx, "tcp", net.JoinHostPort(loopback(0).String(), strconv.Itoa(port)))
		if err != nil {
			return nil, 0, fmt.Errorf("testfed: listen: %w", err)
		}
		port := first.Addr().(*net.TCPAddr).Port
		ls := []net.Listener{first}
		for k := 1; k < n; k++ {
			l, err := lc.Listen(ctx, "tcp", net.JoinHostPort(loopback(k).String(), strconv.Itoa(port)))
			if err != nil {
				break
			}
			ls = append(ls, l)
		}
		if len(ls) == n {
			return ls, port, nil
		}
		for _, l := range ls {
			l.Close()
		}
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
	}
	if port != 0 {
		return nil, 0, fmt.Errorf("testfed: listen: port %d is taken on one of the %d loopback addresses", port, n)
	}
	return nil, 0, errors.New("testfed: listen: no port free on all loopback addresses")
}

// startDNS serves zone over UDP and TCP on one port of 127.0.0.1.
func (f *Federation) startDNS(ctx context.Context, zone *dnsZone, log *slog.Logger) error {
	var lc net.ListenConfig
	attempts := 20
	if f.opts.DNSPort != 0 {
		attempts = 1
	}
	for range attempts {
		pc, err := lc.ListenPacket(ctx, "udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(f.opts.DNSPort)))
		if err != nil {
			return fmt.Errorf("testfed: dns: %w", err)
		}
		addr := pc.LocalAddr().String()
		l, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			pc.Close()
			continue
		}
		started := make(chan struct{}, 2)
		notify := func() { started <- struct{}{} }
		f.dnsServers = []*dns.Server{
			{PacketConn: pc, Handler: zone, NotifyStartedFunc: notify},
			{Listener: l, Handler: zone, NotifyStartedFunc: notify},
		}
		for _, s := range f.dnsServers {
			f.wg.Go(func() {
				if err := s.ActivateAndServe(); err != nil {
					log.Debug("testfed dns stopped", "error", err)
				}
			})
		}
		<-started
		<-started
		f.dnsAddr = addr
		return nil
	}
	if f.opts.DNSPort != 0 {
		return fmt.Errorf("testfed: dns: port %d is not free for both UDP and TCP", f.opts.DNSPort)
	}
	return errors.New("testfed: dns: no port free for both UDP and TCP")
}

// Close stops every server and waits for their goroutines. It is safe to
// call more than once.
func (f *Federation) Close() error {
	f.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var errs []error
		for _, s := range f.httpServers {
			if err := s.Shutdown(ctx); err != nil {
				errs = append(errs, err, s.Close())
			}
		}
		for _, s := range f.dnsServers {
			errs = append(errs, s.ShutdownContext(ctx))
		}
		f.wg.Wait()
		f.closeErr = errors.Join(errs...)
	})
	return f.closeErr
}

// Port returns the port number every HTTP server listens on.
func (f *Federation) Port() int { return f.port }

// DNSAddr returns the DNS server's address, "127.0.0.1:<port>" (UDP and TCP).
func (f *Federation) DNSAddr() string { return f.dnsAddr }

// Resolver returns a resolver that asks the federation's DNS server only.
func (f *Federation) Resolver() *net.Resolver { return ResolverAt(f.dnsAddr) }

// ResolverAt returns a resolver that asks only the DNS server at addr: a
// federation's [Federation.DNSAddr], for a process that harvests a
// federation another process runs.
func ResolverAt(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// RegistryURL returns the registry's providers list,
// http://registry.testfed.test:<port>/connectapi/v1/providers/.
func (f *Federation) RegistryURL() string { return f.registry }

// RegistryURLAt returns the registry URL of a federation whose web servers
// listen on port ([Federation.Port]).
func RegistryURLAt(port int) string { return origin(registryHost, port) + registryPath }

// Institutions returns the ground truth, with the URLs as served and
// Evolve's changes applied. Every institution is generated afresh, so the
// result is the caller's; for a large federation that is costly (about
// 3 KiB a course), which is why the federation itself keeps none of it.
func (f *Federation) Institutions() []Institution {
	out := make([]Institution, len(f.skel))
	var wg sync.WaitGroup
	for k := range out {
		edits := f.evo.editsOf(k)
		wg.Go(func() { out[k] = f.generate(k, edits) })
	}
	wg.Wait()
	return out
}
