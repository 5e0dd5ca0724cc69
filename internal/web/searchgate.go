package web

import (
	"bytes"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
)

// SearchLimit bounds the searches the server works on at once. A search
// is CPU work from start to end (matching, facet counts, loading and
// rendering the page), so running more of them than there are cores only
// shares the cores thinner: under a burst every search then takes as long
// as the whole burst, and the most expensive ones longest. Past the limit
// they wait their turn in order of arrival, so a search takes about the
// time of the searches ahead of it plus its own, whatever the others cost.
type SearchLimit struct {
	// Concurrency is how many searches run at once (0: one per core).
	Concurrency int
	// Queue is how many may wait; one more is refused at once with 503
	// (0: defaultSearchQueue).
	Queue int
	// Wait is the longest a search waits for its turn before it is
	// answered 503 (0: defaultSearchWait).
	Wait time.Duration
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
)

// searchGate admits searches to a fixed number of slots. Waiting is on a
// channel, whose blocked senders the runtime serves first come, first
// served.
type searchGate struct {
	slots   chan struct{}
	waiting atomic.Int64
	queue   int64
	wait    time.Duration
	// waited, when set, observes every admitted search's wait in seconds;
	// refused counts the searches turned away, by reason.
	waited  func(seconds float64)
	refused func(reason string)
}

func newSearchGate(l SearchLimit) *searchGate {
	n := l.Concurrency
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	g := &searchGate{slots: make(chan struct{}, n), queue: int64(l.Queue), wait: l.Wait,
		waited: func(float64) {}, refused: func(string) {}}
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
func (g *searchGate) enter(r *http.Request) (refusal string) {
	select {
	case g.slots <- struct{}{}:
		g.waited(0)
		return ""
	default:
	}
	if g.waiting.Add(1) > g.queue {
		g.waiting.Add(-1)
		return "queue"
	}
	defer g.waiting.Add(-1)
	start := time.Now()
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		g.waited(time.Since(start).Seconds())
		return ""
	case <-timer.C:
		return "wait"
	case <-r.Context().Done():
		return "gone"
	}
}

func (g *searchGate) leave() { <-g.slots }

// searching runs a route that searches the index through the gate. The
// handler writes its answer into memory, and the slot is free again before
// the answer goes to the client: a client that reads slowly, or not at
// all, holds no slot.
func (s *Server) searching(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if refusal := s.searches.enter(r); refusal != "" {
			s.searches.refused(refusal)
			if refusal == "gone" {
				return
			}
			w.Header().Set("Retry-After", strconv.Itoa(searchRetryAfter))
			msg := s.tr(r, "The catalogue is busy. Please try again in a moment.")
			if isAPI(r) {
				writeJSONError(w, http.StatusServiceUnavailable, "the catalogue is busy; try again in "+strconv.Itoa(searchRetryAfter)+" seconds")
			} else {
				s.errorPage(w, r, http.StatusServiceUnavailable, msg)
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
// the real one: nothing has been sent while it is written.
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
