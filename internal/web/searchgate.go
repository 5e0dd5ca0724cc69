package web

import (
	"bytes"
	"container/list"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// SearchLimit bounds the searches the server works on at once. A search
// is CPU work from start to end (matching, facet counts, loading and
// rendering the page), so running more of them than there are cores only
// shares the cores thinner: under a burst every search then takes as long
// as the whole burst, and the most expensive ones longest. Past the limit
// they wait their turn, so a search takes about the time of the searches
// ahead of it plus its own, whatever the others cost.
type SearchLimit struct {
	// Concurrency is how many searches run at once (0: searchesPerCore
	// per core).
	Concurrency int
	// Queue is how many may wait; one more is refused at once with 503
	// (0: defaultSearchQueue).
	Queue int
	// Wait is the longest a search waits for its turn before it is
	// answered 503 (0: defaultSearchWait).
	Wait time.Duration
}

const (
	// searchesPerCore is the default concurrency per core. One per core
	// cost a fifth more CPU per search under load (BENCHMARKS.md): a search
	// also waits, on SQLite's reads and on locks, and with nothing else to
	// run the core idles and Go's scheduler spins looking for work. Two per
	// core cost as little as no limit, and keep the wait in line.
	searchesPerCore = 2
	// defaultSearchQueue is far above what the cores get through in
	// defaultSearchWait at the few milliseconds a search costs.
	defaultSearchQueue = 1024
	// defaultSearchWait is below the time people and HTTP clients give up
	// after, so they hear that the server is busy instead of timing out.
	defaultSearchWait = 10 * time.Second
	// searchRetryAfter is the Retry-After of a refused search, in seconds.
	searchRetryAfter = 2
	// pagesBeforeAPI is how many page searches may go ahead of a waiting
	// API search before it gets its turn: pages come first, the API is
	// never starved.
	pagesBeforeAPI = 4
)

// searchClass orders the waiting searches: a person waits at a page, a
// program calling the API can wait longer.
type searchClass int

const (
	pageSearch searchClass = iota
	apiSearch
)

// searchGate admits searches to a fixed number of slots. A search that
// finds none free waits in its class's line, in order of arrival; a slot
// left goes to the first page search, or to the first API search once
// pagesBeforeAPI pages went ahead of it.
type searchGate struct {
	mu   sync.Mutex
	free int // slots free; none while any search waits
	// lines holds each class's waiting searches (*searchTurn), first
	// come first; waiting counts both.
	lines       [2]list.List
	waiting     int
	pagesInARow int // page searches admitted while API searches waited

	queue int
	wait  time.Duration
	// waited, when set, observes every admitted search's wait in seconds;
	// refused counts the searches turned away, by reason.
	waited  func(seconds float64)
	refused func(reason string)
}

// searchTurn is closed when a waiting search is handed a slot.
type searchTurn chan struct{}

func newSearchGate(l SearchLimit) *searchGate {
	g := &searchGate{free: l.Concurrency, queue: l.Queue, wait: l.Wait, waited: func(float64) {}, refused: func(string) {}}
	if g.free <= 0 {
		g.free = searchesPerCore * runtime.GOMAXPROCS(0)
	}
	if g.queue <= 0 {
		g.queue = defaultSearchQueue
	}
	if g.wait <= 0 {
		g.wait = defaultSearchWait
	}
	return g
}

// enter waits for a slot; it reports why it got none: "queue" when too
// many wait already, "wait" when the wait ran out, "gone" when the client
// left.
func (g *searchGate) enter(r *http.Request, class searchClass) (refusal string) {
	g.mu.Lock()
	if g.free > 0 {
		g.free--
		g.mu.Unlock()
		g.waited(0)
		return ""
	}
	if g.waiting >= g.queue {
		g.mu.Unlock()
		return "queue"
	}
	turn := make(searchTurn)
	place := g.lines[class].PushBack(turn)
	g.waiting++
	g.mu.Unlock()

	start := time.Now()
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case <-turn:
		g.waited(time.Since(start).Seconds())
		return ""
	case <-timer.C:
		refusal = "wait"
	case <-r.Context().Done():
		refusal = "gone"
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-turn: // the slot came as the wait ended
		if refusal == "gone" {
			g.handOn()
			return refusal
		}
		g.waited(time.Since(start).Seconds())
		return ""
	default:
		g.lines[class].Remove(place)
		g.waiting--
		return refusal
	}
}

// leave gives the slot to the search whose turn it is, or frees it.
func (g *searchGate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.handOn()
}

// handOn is leave with g.mu held.
func (g *searchGate) handOn() {
	pages, apis := &g.lines[pageSearch], &g.lines[apiSearch]
	line := pages
	if pages.Len() == 0 || apis.Len() > 0 && g.pagesInARow >= pagesBeforeAPI {
		line = apis
	}
	first := line.Front()
	if first == nil {
		g.free++
		return
	}
	line.Remove(first)
	g.waiting--
	if line == pages && apis.Len() > 0 {
		g.pagesInARow++
	} else {
		g.pagesInARow = 0
	}
	close(first.Value.(searchTurn))
}

// waitingNow counts the searches waiting for a slot.
func (g *searchGate) waitingNow() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting
}

// searching runs a route that searches the index through the gate, API
// routes in the API's line, the others in the pages' line. The handler
// writes its answer into memory, and the slot is free again before the
// answer goes to the client: a client that reads slowly, or not at all,
// holds no slot.
func (s *Server) searching(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		class := pageSearch
		if isAPI(r) {
			class = apiSearch
		}
		if refusal := s.searches.enter(r, class); refusal != "" {
			s.searches.refused(refusal)
			if refusal == "gone" {
				return
			}
			w.Header().Set("Retry-After", strconv.Itoa(searchRetryAfter))
			if class == apiSearch {
				writeJSONError(w, http.StatusServiceUnavailable, "the catalogue is busy; try again in "+strconv.Itoa(searchRetryAfter)+" seconds")
			} else {
				s.errorPage(w, r, http.StatusServiceUnavailable, s.tr(r, "The catalogue is busy. Please try again in a moment."))
			}
			return
		}
		held := &heldAnswer{header: w.Header()}
		func() {
			defer s.searches.leave()
			h(held, r)
		}()
		held.send(w)
	}
}

// heldAnswer is an answer written into memory, sent later. Its header is
// the real one: nothing has been sent while it is written. The ETag layer
// (etags) holds most answers back too, but passes through those that set
// a cookie (a visitor's first page) or fail, and the gate must not depend
// on the order of middleware.
type heldAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *heldAnswer) Header() http.Header { return a.header }

func (a *heldAnswer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *heldAnswer) Write(p []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(p)
}

func (a *heldAnswer) send(w http.ResponseWriter) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	w.WriteHeader(a.status)
	w.Write(a.body.Bytes())
}
