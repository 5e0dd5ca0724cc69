package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"qlink/internal/search"
	"qlink/internal/store"
)

// Metrics are one process's Prometheus metrics, on a registry of their own
// (never the global default, so two servers in one test do not collide).
// Labels take a few fixed values each: routes are mux patterns, never raw
// paths, and nothing is labelled by client, so the series stay few.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	searches  prometheus.Histogram
	// searchWaits and refusedSearches watch the search gate (searchgate.go).
	searchWaits     prometheus.Histogram
	refusedSearches *prometheus.CounterVec
	harvests        *prometheus.CounterVec
	fetches         *prometheus.CounterVec
	// queueDepth reads the job queue, once a scheduler runs.
	queueDepth atomic.Pointer[func(context.Context) (map[string]int, error)]
	// kept reads the lookups of the server's kept courses (kept.go).
	kept atomic.Pointer[keptCourses]
	// searchCaches reads the lookups of what the search index keeps, when
	// it keeps anything (search.CacheReporter).
	searchCaches atomic.Pointer[search.CacheReporter]
}

// scrapeTimeout bounds the database reads of one scrape.
const scrapeTimeout = 5 * time.Second

// NewMetrics registers qlink's metrics; the course gauge reads counts
// from st at each scrape.
func NewMetrics(st store.Operations, log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qlink_http_requests_total",
			Help: "HTTP requests answered, by route (the mux pattern), method and status code."}, []string{"route", "method", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "qlink_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by route (the mux pattern).", Buckets: prometheus.DefBuckets}, []string{"route"}),
		searches: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "qlink_search_duration_seconds",
			Help: "Time the search index takes for one catalogue or API search.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 10)}),
		searchWaits: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "qlink_search_wait_seconds",
			Help: "Time a search waited for its turn (search-concurrency) before it ran.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}),
		refusedSearches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qlink_search_refused_total",
			Help: "Searches not run, by reason: queue (search-queue searches waited already), wait (none ran within the longest wait), gone (the client left while it waited)."}, []string{"reason"}),
		harvests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qlink_harvest_runs_total",
			Help: "Source harvest runs finished, by outcome (the run status)."}, []string{"outcome"}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qlink_fetch_requests_total",
			Help: "Outbound requests to institutions, by HTTP status (error: no answer) and class of the address (public, private-allowed, refused)."},
			[]string{"status", "host_class"}),
	}
	courses := keptPerVersion(st, func(ctx context.Context) (map[string]int, error) {
		counts, err := st.CountCoursesByStatus(ctx)
		out := map[string]int{}
		for status, n := range counts {
			out[string(status)] = n
		}
		return out, err
	})
	queue := func(ctx context.Context) (map[string]int, error) {
		if read := m.queueDepth.Load(); read != nil {
			return (*read)(ctx)
		}
		return nil, nil // no scheduler in this process: no series
	}
	m.reg.MustRegister(m.requests, m.durations, m.searches, m.searchWaits, m.refusedSearches, m.harvests, m.fetches,
		&mapGauge{desc: prometheus.NewDesc("qlink_courses", "Courses in the database, by status.", []string{"status"}, nil), read: courses, log: log},
		&mapGauge{desc: prometheus.NewDesc("qlink_job_queue_depth", "Jobs in the harvest queue, by state.", []string{"state"}, nil), read: queue, log: log},
		lookupCollector{prometheus.NewDesc("qlink_kept_lookups_total",
			"Lookups of what the API's answers (form=item) and the catalogue's lists (form=card; form=html: its HTML in one language) show of a course, kept per version of the store, by result (hit, miss).",
			[]string{"form", "result"}, nil),
			prometheus.NewDesc("qlink_kept_bytes", "Memory taken by what is kept of courses for lists, by form (item, card, html); cache-memory bounds it.",
				[]string{"form"}, nil), nil, m.keptLookups},
		lookupCollector{prometheus.NewDesc("qlink_search_cache_lookups_total",
			"Lookups of what the search index keeps of recent searches, by kind (text: a text's matches; counts: a query's facet counts) and result (hit, miss).",
			[]string{"kind", "result"}, nil),
			prometheus.NewDesc("qlink_search_cache_bytes", "Memory taken by what the search index keeps of recent searches, by kind (text, counts); cache-memory bounds it.",
				[]string{"kind"}, nil),
			prometheus.NewDesc("qlink_search_cache_warmed_total", "Texts the search index had ready ahead of visitors, by kind (text): read back at start from what the process before kept, those it listed whose matches no longer fit (a harvest or an upgrade came between) searched again after serve starts, recent ones searched again after a write made what it kept stale, and the commonest words of titles searched after serve starts.",
				[]string{"kind"}, nil), m.searchCacheLookups},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// lookupCollector reports counters of lookups of what is kept, by one
// label naming what and by result (hit, miss), a gauge of the memory it
// takes and, when warmed is set, a counter of the values warmed, by the
// same label; read returns nothing until there is something to count.
type lookupCollector struct {
	lookups, bytes, warmed *prometheus.Desc
	read                   func() []search.CacheLookups
}

func (c lookupCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lookups
	ch <- c.bytes
	if c.warmed != nil {
		ch <- c.warmed
	}
}

func (c lookupCollector) Collect(ch chan<- prometheus.Metric) {
	for _, l := range c.read() {
		ch <- prometheus.MustNewConstMetric(c.lookups, prometheus.CounterValue, float64(l.Hits), l.Kind, "hit")
		ch <- prometheus.MustNewConstMetric(c.lookups, prometheus.CounterValue, float64(l.Misses), l.Kind, "miss")
		ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(l.Bytes), l.Kind)
		if c.warmed != nil {
			ch <- prometheus.MustNewConstMetric(c.warmed, prometheus.CounterValue, float64(l.Warmed), l.Kind)
		}
	}
}

// keptLookups reads the lookups of the server's kept courses (kept.go).
func (m *Metrics) keptLookups() []search.CacheLookups {
	k := m.kept.Load()
	if k == nil {
		return nil
	}
	return []search.CacheLookups{{Kind: "item", Hits: k.items.Served(), Misses: k.items.Missed(), Bytes: k.items.Bytes()},
		{Kind: "card", Hits: k.cards.Served(), Misses: k.cards.Missed(), Bytes: k.cards.Bytes()},
		{Kind: "html", Hits: k.shown.Served(), Misses: k.shown.Missed(), Bytes: k.shown.Bytes()}}
}

// searchCacheLookups reads the lookups of the search index's kept results.
func (m *Metrics) searchCacheLookups() []search.CacheLookups {
	if r := m.searchCaches.Load(); r != nil {
		return (*r).CacheLookups()
	}
	return nil
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *Metrics) countRefusedSearch(reason string) { m.refusedSearches.WithLabelValues(reason).Inc() }

// HarvestRun counts one finished source run; the harvester calls it.
func (m *Metrics) HarvestRun(outcome string) { m.harvests.WithLabelValues(outcome).Inc() }

// FetchRequest counts one outbound request; the fetch client calls it with
// the HTTP status (0: no answer) and the class of the address.
func (m *Metrics) FetchRequest(status int, hostClass string) {
	label := "error"
	if status > 0 {
		label = strconv.Itoa(status)
	}
	m.fetches.WithLabelValues(label, hostClass).Inc()
}

// ReadQueueDepth sets where the job-queue gauge reads its counts from
// (the scheduler, once it is open).
func (m *Metrics) ReadQueueDepth(read func(context.Context) (map[string]int, error)) {
	m.queueDepth.Store(&read)
}

// keptPerVersion returns read, keeping its last result for as long as the
// store's content version stays the same: counting the courses by status
// reads every course (a few hundred milliseconds at a million, and past the
// scrape's timeout while a harvest writes), though they change only with
// the content.
func keptPerVersion(st store.Operations, read func(context.Context) (map[string]int, error)) func(context.Context) (map[string]int, error) {
	var mu sync.Mutex
	var version string
	var last map[string]int
	return func(ctx context.Context) (map[string]int, error) {
		vs, ok := st.(store.Versioned)
		if !ok {
			return read(ctx)
		}
		v := vs.Version() // before the read, which sees it or newer
		mu.Lock()
		defer mu.Unlock()
		if v != "" && v == version {
			return last, nil
		}
		counts, err := read(ctx)
		if err != nil {
			return nil, err
		}
		version, last = v, counts
		return counts, nil
	}
}

// mapGauge is a gauge with one label whose values are read at scrape time.
type mapGauge struct {
	desc *prometheus.Desc
	read func(context.Context) (map[string]int, error)
	log  *slog.Logger
}

func (g *mapGauge) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *mapGauge) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	values, err := g.read(ctx)
	if err != nil {
		g.log.Warn("metrics: reading a gauge", "metric", g.desc.String(), "error", err)
		return
	}
	for label, n := range values {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, float64(n), label)
	}
}

// measure counts and times every request by the pattern that routes it,
// including those answered before routing (429, CORS preflights).
func (s *Server) measure(mux *http.ServeMux, next http.Handler) http.Handler {
	m := s.opts.Metrics
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(sw, r)
		m.durations.WithLabelValues(route).Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(route, methodLabel(r.Method), strconv.Itoa(sw.code())).Inc()
	})
}

// methodLabel is the method as a label value: HTTP's own methods by name,
// any other "other". A client may send any token as its method, and each
// would otherwise add a series to /metrics for good.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (sw *statusWriter) WriteHeader(status int) {
	if sw.status == 0 {
		sw.status = status
	}
	sw.ResponseWriter.WriteHeader(status)
}

func (sw *statusWriter) Write(p []byte) (int, error) {
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	return sw.ResponseWriter.Write(p)
}

func (sw *statusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

func (sw *statusWriter) code() int {
	if sw.status == 0 {
		return http.StatusOK
	}
	return sw.status
}

// timedIndex times each search, for qlink_search_duration_seconds.
type timedIndex struct {
	searchIndex
	seconds prometheus.Histogram
}

// searchIndex names the embedded index apart from its Index method.
type searchIndex = search.Index

func (ix timedIndex) Search(ctx context.Context, q search.Query) (search.Result, error) {
	start := time.Now()
	res, err := ix.searchIndex.Search(ctx, q)
	ix.seconds.Observe(time.Since(start).Seconds())
	return res, err
}
