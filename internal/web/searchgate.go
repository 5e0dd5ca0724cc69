package web

import (
	"bytes"
	"container/list"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// SearchLimit bounds the searches the server works on at once. A search
// is CPU work from start to end (matching, facet counts, loading and
// rendering the page), so running more of them than there are cores only
// shares the cores thinner: under a burst every search then takes as long
// as the whole burst, and the most expensive ones longest. Past the limit
// they wait their turn, so a search takes about the time of the searches
// ahead of it plus its own, whatever the others cost.
type SearchLimit struct {
	// Concurrency is how many searches run at once (0:
	// defaultSearchConcurrency).
	Concurrency int
	// Queue is how many may wait; one more is refused at once with 503
	// (0: defaultSearchQueue).
	Queue int
	// Wait is the longest a search waits for its turn before it is
	// answered 503 (0: defaultSearchWait).
	Wait time.Duration
	// Costly is how many of the slots costly searches may take at once,
	// and more only while another slot stays free: API searches of a text
	// whose matches the index does not keep (search.TextKeeper), which can
	// take up to a second of a core at a million courses (0: half the
	// slots, at least one).
	Costly int
	// Reserve is how many of the slots only costly searches may take
	// (with Concurrency 0: the half a slot per core defaultSearchConcurrency
	// adds; else none).
	Reserve int
}

const (
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

// defaultSearchConcurrency is how many searches run at once by default:
// one per core, and half as many again (at least one) kept for costly
// ones (SearchLimit.Reserve).
//
// Two per core once cost less CPU than one: a search waited on SQLite's
// reads of courses not yet shown, and a core with one search idled. Now
// that nine in ten courses shown are kept (kept.go), two per core only
// shared the cores thinner: the rest of each request (reading it,
// writing the answer, outside the gate) waited behind twice as many
// searches in Go's run queues. At a million courses under 50 connections
// (BENCHMARKS.md) two per core answered 1,800 API searches a second with
// a p95 of 59 ms, one per core 2,069–2,111 with 46–48 ms. But with one per
// core a new text (SearchLimit.Costly) held a whole core's slot, and the
// searches costing milliseconds queued on the other: in the first minute
// after a start at 200 searches a second their p95 went from 41–55 ms to
// 64–100 ms. Half a slot more per core, for anyone, gave 30–60 ms there but
// 51–55 ms under the 50 connections; kept for the costly searches, the
// others run one per core and a new text runs beside them.
func defaultSearchConcurrency() int {
	cores := runtime.GOMAXPROCS(0)
	return cores + defaultReserve(cores)
}

func defaultReserve(cores int) int { return max(1, cores/2) }

// costlyPatience is how long a costly search waits before it may take any
// slot handed on (searchGate). At the goal's rate of a million-course
// benchmark searches hardly waited at all; under a load the machine
// cannot keep up with they wait far longer. A variable only for tests.
var costlyPatience = 250 * time.Millisecond

// searchClass orders the waiting searches: a person waits at a page, a
// program calling the API can wait longer.
type searchClass int

const (
	pageSearch searchClass = iota
	apiSearch
)

// searchKind is what the gate knows of a search before it runs: its
// class, and whether it is costly (SearchLimit.Costly).
type searchKind struct {
	class  searchClass
	costly bool
}

// searchGate admits searches to a fixed number of slots, of which only
// some may hold costly searches. A search that finds no slot it may take
// waits in its class's line, in order of arrival; a slot left goes to the
// first page search that may take it, or to the first such API search
// once pagesBeforeAPI pages went ahead of it.
//
// The costly searches' share is what keeps a burst of new texts (after a
// start, or after a write made every kept text stale) from holding every
// slot for hundreds of milliseconds while the searches that cost a few
// milliseconds, most of them, wait behind: those take the other slots,
// and share the cores with the costly ones instead of waiting for them.
// Past their share costly searches borrow slots that would stay free, all
// but one (mayRun): a hard share made them wait for slots no one used,
// and under a closed load of new texts their p95 went from 0.3 to 1.3 s.
// A costly search that has waited costlyPatience takes the next slot
// freed like any other, so when the cores cannot keep up, new texts wait
// at most that much longer than they would in plain order of arrival.
type searchGate struct {
	mu sync.Mutex
	// free counts the slots free. None is free while a search that is not
	// costly waits, but those of the reserve no costly search holds; one
	// may be while costly ones wait, when costly (those running) is at
	// costlyLimit or past it.
	free                int
	costly, costlyLimit int
	reserve             int
	// lines holds each class's waiting searches (*waitingSearch), first
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

// waitingSearch is a search in line; turn is closed when it is handed a
// slot.
type waitingSearch struct {
	turn   chan struct{}
	costly bool
	since  time.Time
}

func newSearchGate(l SearchLimit) *searchGate {
	g := &searchGate{free: l.Concurrency, costlyLimit: l.Costly, queue: l.Queue, wait: l.Wait,
		waited: func(float64) {}, refused: func(string) {}}
	if g.free <= 0 {
		g.free = defaultSearchConcurrency()
		g.reserve = defaultReserve(runtime.GOMAXPROCS(0))
	} else {
		g.reserve = min(max(0, l.Reserve), g.free-1) // one slot, at least, for anyone
	}
	if g.costlyLimit <= 0 {
		g.costlyLimit = max(1, g.free/2)
	}
	g.costlyLimit = min(g.costlyLimit, g.free)
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
// left. A search admitted leaves with the same kind.
func (g *searchGate) enter(r *http.Request, k searchKind) (refusal string) {
	g.mu.Lock()
	if g.free > 0 && g.mayRun(k.costly) {
		g.admit(k.costly)
		g.mu.Unlock()
		g.waited(0)
		return ""
	}
	if g.waiting >= g.queue {
		g.mu.Unlock()
		return "queue"
	}
	w := &waitingSearch{turn: make(chan struct{}), costly: k.costly, since: time.Now()}
	turn := w.turn
	place := g.lines[k.class].PushBack(w)
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
			g.release(k.costly)
			return refusal
		}
		g.waited(time.Since(start).Seconds())
		return ""
	default:
		g.lines[k.class].Remove(place)
		g.waiting--
		return refusal
	}
}

// leave gives the slot of a search of kind k to the search whose turn it
// is, or frees it.
func (g *searchGate) leave(k searchKind) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.release(k.costly)
}

// mayRun reports whether a search may take a free slot now. One that
// costs little may take any but the reserve's slots no costly search
// holds. A costly one may while fewer than costlyLimit run, and past that
// may borrow a free slot as long as another stays free: the cores are
// not left idle while costly searches wait, and a search that costs
// little finds a slot.
func (g *searchGate) mayRun(costly bool) bool {
	if !costly {
		return g.free > max(0, g.reserve-g.costly)
	}
	return g.costly < g.costlyLimit || g.free > 1
}

// admit takes a slot for a search; the caller holds g.mu.
func (g *searchGate) admit(costly bool) {
	g.free--
	if costly {
		g.costly++
	}
}

// release is leave with g.mu held: the slot is free, then handed on to
// the waiting search whose turn it is, if any may take it.
func (g *searchGate) release(costly bool) {
	g.free++
	if costly {
		g.costly--
	}
	pages, apis := &g.lines[pageSearch], &g.lines[apiSearch]
	first, other := pages, apis
	if pages.Len() == 0 || apis.Len() > 0 && g.pagesInARow >= pagesBeforeAPI {
		first, other = apis, pages
	}
	for _, line := range []*list.List{first, other} {
		if e := g.firstThatMayRun(line); e != nil {
			g.handTo(line, e)
			return
		}
	}
}

// firstThatMayRun returns the first search in line that may take a slot
// now, nil when none may: one that costs little, a costly one that mayRun
// or that has waited costlyPatience.
func (g *searchGate) firstThatMayRun(line *list.List) *list.Element {
	for e := line.Front(); e != nil; e = e.Next() {
		w := e.Value.(*waitingSearch)
		if g.mayRun(w.costly) || w.costly && time.Since(w.since) >= costlyPatience {
			return e
		}
	}
	return nil
}

// handTo admits the waiting search e of line.
func (g *searchGate) handTo(line *list.List, e *list.Element) {
	w := e.Value.(*waitingSearch)
	line.Remove(e)
	g.waiting--
	if line == &g.lines[pageSearch] && g.lines[apiSearch].Len() > 0 {
		g.pagesInARow++
	} else {
		g.pagesInARow = 0
	}
	g.admit(w.costly)
	close(w.turn)
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
		k := s.searchKindOf(r)
		if refusal := s.searches.enter(r, k); refusal != "" {
			s.searches.refused(refusal)
			if refusal == "gone" {
				return
			}
			w.Header().Set("Retry-After", strconv.Itoa(searchRetryAfter))
			if k.class == apiSearch {
				writeJSONError(w, http.StatusServiceUnavailable, "the catalogue is busy; try again in "+strconv.Itoa(searchRetryAfter)+" seconds")
			} else {
				s.errorPage(w, r, http.StatusServiceUnavailable, s.tr(r, "The catalogue is busy. Please try again in a moment."))
			}
			return
		}
		held := &heldAnswer{header: w.Header(), body: newHeldBody()}
		defer releaseHeldBody(held.body)
		func() {
			defer s.searches.leave(k)
			h(held, r)
		}()
		held.send(w)
	}
}

// searchKindOf tells the gate what r is: a page or an API call, and for
// an API call whether it is costly. Only API calls are held to the costly
// share: a person waits at a page, and pages go first anyway; with page
// searches held too, pages with a new text waited their patience out
// under load, and their p95 went over 100 ms (BENCHMARKS.md).
func (s *Server) searchKindOf(r *http.Request) searchKind {
	if isAPI(r) {
		return searchKind{class: apiSearch, costly: s.costlyText(r)}
	}
	return searchKind{class: pageSearch}
}

// costlyText reports whether r searches a text (q) whose matches the
// index does not keep, as far as the index can tell (search.TextKeeper).
func (s *Server) costlyText(r *http.Request) bool {
	if s.texts == nil {
		return false
	}
	text := strings.TrimSpace(r.URL.Query().Get("q"))
	// A text past the limit is refused before any search: not worth
	// hashing the megabyte a request line may hold.
	return text != "" && utf8.RuneCountInString(text) <= maxTextRunes && !s.texts.Keeps(text)
}

// heldAnswer is an answer written into memory, sent later. Its header is
// the real one: nothing has been sent while it is written. The ETag layer
// (etags) holds most answers back too, but passes through those that set
// a cookie (a visitor's first page) or fail, and the gate must not depend
// on the order of middleware.
type heldAnswer struct {
	header http.Header
	status int
	body   *bytes.Buffer
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
