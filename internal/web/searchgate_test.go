package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"qlink/internal/search"
)

// waitFor polls cond until it holds, failing the test after a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// turns holds the gate's one slot while the searches named queue, one
// after the other ("a…" in the API's line, "p…" in the pages'), then lets
// the slot go and returns the order in which they ran.
func turns(t *testing.T, names ...string) string {
	t.Helper()
	g := newSearchGate(SearchLimit{Concurrency: 1, Queue: 20, Wait: 10 * time.Second})
	req := httptest.NewRequest("GET", "/", nil)
	if refusal := g.enter(req, searchKind{class: pageSearch}); refusal != "" {
		t.Fatalf("first search refused: %s", refusal)
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	for i, name := range names {
		class := pageSearch
		if name[0] == 'a' {
			class = apiSearch
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if refusal := g.enter(req, searchKind{class: class}); refusal != "" {
				t.Errorf("search %s refused: %s", name, refusal)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			g.leave(searchKind{})
		}()
		waitFor(t, "the search has queued", func() bool { return g.waitingNow() == i+1 })
	}
	g.leave(searchKind{})
	wg.Wait()
	if n := g.freeSlots(); n != 1 {
		t.Fatalf("%d slots free at the end, want 1", n)
	}
	return strings.Join(order, " ")
}

// freeSlots counts the gate's free slots.
func (g *searchGate) freeSlots() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.free
}

func TestSearchGateAdmitsInOrderOfArrival(t *testing.T) {
	if got, want := turns(t, "a1", "a2", "a3", "a4", "a5", "a6"), "a1 a2 a3 a4 a5 a6"; got != want {
		t.Fatalf("API searches ran in order %s, want %s", got, want)
	}
	if got, want := turns(t, "p1", "p2", "p3"), "p1 p2 p3"; got != want {
		t.Fatalf("page searches ran in order %s, want %s", got, want)
	}
}

func TestSearchGateLetsPagesGoFirst(t *testing.T) {
	// Three API searches wait, then six page searches come: pages first,
	// but the first API search has its turn after four.
	if got, want := turns(t, "a1", "a2", "a3", "p1", "p2", "p3", "p4", "p5", "p6"), "p1 p2 p3 p4 a1 p5 p6 a2 a3"; got != want {
		t.Fatalf("searches ran in order %s, want %s", got, want)
	}
}

func TestSearchGateRefuses(t *testing.T) {
	g := newSearchGate(SearchLimit{Concurrency: 1, Queue: 1, Wait: 50 * time.Millisecond})
	req := httptest.NewRequest("GET", "/", nil)
	if refusal := g.enter(req, searchKind{class: pageSearch}); refusal != "" {
		t.Fatalf("first search refused: %s", refusal)
	}
	waited := make(chan string)
	go func() { waited <- g.enter(req, searchKind{class: pageSearch}) }()
	waitFor(t, "the search has queued", func() bool { return g.waitingNow() == 1 })
	if refusal := g.enter(req, searchKind{class: apiSearch}); refusal != "queue" {
		t.Fatalf("a search past the queue got %q, want queue", refusal)
	}
	if refusal := <-waited; refusal != "wait" {
		t.Fatalf("a search that waited past the limit got %q, want wait", refusal)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { waited <- g.enter(req.WithContext(ctx), searchKind{class: apiSearch}) }()
	waitFor(t, "the search has queued", func() bool { return g.waitingNow() == 1 })
	cancel()
	if refusal := <-waited; refusal != "gone" {
		t.Fatalf("a search whose client left got %q, want gone", refusal)
	}
	if n := g.waitingNow(); n != 0 {
		t.Fatalf("%d searches still counted as waiting", n)
	}
	g.leave(searchKind{})
	if refusal := g.enter(req, searchKind{class: pageSearch}); refusal != "" {
		t.Fatalf("a search after the slot was left refused: %s", refusal)
	}
}

// blockingWriter stands for a client that does not read: its writes
// block until the test lets them go.
type blockingWriter struct {
	header  http.Header
	writing chan struct{}
	release chan struct{}
	body    strings.Builder
}

func (w *blockingWriter) Header() http.Header { return w.header }
func (w *blockingWriter) WriteHeader(int)     {}
func (w *blockingWriter) Write(p []byte) (int, error) {
	close(w.writing)
	<-w.release
	return w.body.Write(p)
}

func TestSearchSlotIsFreeBeforeTheAnswerIsSent(t *testing.T) {
	srv, err := New(Options{SearchLimit: SearchLimit{Concurrency: 1}})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.searching(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("an answer"))
	})
	w := &blockingWriter{header: http.Header{}, writing: make(chan struct{}), release: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		h(w, httptest.NewRequest("GET", "/", nil))
		close(done)
	}()
	<-w.writing
	if n := srv.searches.freeSlots(); n != 1 {
		t.Errorf("the slot is held while the answer is sent (%d free)", n)
	}
	close(w.release)
	<-done
	if w.body.String() != "an answer" || w.header.Get("Content-Type") != "text/plain" {
		t.Fatalf("answer sent as %q, %q", w.body.String(), w.header.Get("Content-Type"))
	}
}

// stallingIndex holds every search until release is closed.
type stallingIndex struct {
	searchIndex
	started chan struct{}
	release chan struct{}
}

func (ix stallingIndex) Search(ctx context.Context, q search.Query) (search.Result, error) {
	ix.started <- struct{}{}
	<-ix.release
	return ix.searchIndex.Search(ctx, q)
}

// getInBackground sends GET url and hands over the response (nil after
// an error) when it comes.
func getInBackground(t *testing.T, url string) <-chan *http.Response {
	out := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			t.Error(err)
		}
		out <- resp
	}()
	return out
}

func TestBusyCatalogueAnswers503(t *testing.T) {
	stall := stallingIndex{started: make(chan struct{}, 8), release: make(chan struct{})}
	ts := newTestServer(t, func(o *Options) {
		stall.searchIndex = o.Index
		o.Index = stall
		o.SearchLimit = SearchLimit{Concurrency: 1, Queue: 1, Wait: 200 * time.Millisecond}
	})
	held := getInBackground(t, ts.URL+"/api/v1/courses")
	<-stall.started // the one slot is taken
	// The next waits its turn for 200 ms, then hears that the catalogue
	// is busy, in the API's JSON.
	queued := getInBackground(t, ts.URL+"/api/v1/courses?q=data")
	time.Sleep(50 * time.Millisecond)
	// One more than the queue holds is refused at once, on a page.
	start := time.Now()
	resp, body := get(t, ts.URL+"/?q=history", "Accept-Language", "de")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" ||
		!strings.Contains(body, "Der Katalog ist gerade ausgelastet") {
		t.Fatalf("a search past the queue: %d, Retry-After %q, body %.300s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if d := time.Since(start); d > 150*time.Millisecond {
		t.Errorf("a search past the queue was refused after %v, not at once", d)
	}
	r := <-queued
	var msg map[string]string
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil || r.StatusCode != http.StatusServiceUnavailable ||
		r.Header.Get("Retry-After") != "2" || !strings.Contains(msg["error"], "busy") {
		t.Fatalf("a search that waited too long: %d, Retry-After %q, %v (%v)", r.StatusCode, r.Header.Get("Retry-After"), msg, err)
	}
	r.Body.Close()
	// Routes that do not search are not queued: they answer while every
	// slot is taken.
	if resp, _ := get(t, ts.URL+"/api/v1/providers"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the providers' list while searches wait: %d", resp.StatusCode)
	}
	close(stall.release)
	if r := <-held; r.StatusCode != http.StatusOK {
		t.Fatalf("the search that held the slot: %d", r.StatusCode)
	} else {
		r.Body.Close()
	}
	resp, _ = get(t, ts.URL+"/api/v1/courses?q=data")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a search after the slot was free: %d", resp.StatusCode)
	}
}

// TestSearchGateKeepsSlotsFromCostlySearches: of two slots one may hold a
// costly search (a text the index does not keep). A second costly search
// waits, and searches that cost little go past it, to the slot left and
// to any slot freed, until the costly one's turn comes with the costly
// slot.
func TestSearchGateKeepsSlotsFromCostlySearches(t *testing.T) {
	patient(t, time.Hour)
	g := newSearchGate(SearchLimit{Concurrency: 2, Costly: 1, Queue: 20, Wait: 10 * time.Second})
	req := httptest.NewRequest("GET", "/", nil)
	costlyPage, page, api := searchKind{class: pageSearch, costly: true}, searchKind{class: pageSearch}, searchKind{class: apiSearch}
	// enterLater enters in the background; the channel says when in.
	enterLater := func(k searchKind) chan string {
		in := make(chan string, 1)
		go func() { in <- g.enter(req, k) }()
		return in
	}
	// admitted waits a little for the search's entry.
	admitted := func(in chan string, wait time.Duration) bool {
		select {
		case refusal := <-in:
			if refusal != "" {
				t.Fatalf("refused: %s", refusal)
			}
			return true
		case <-time.After(wait):
			return false
		}
	}

	if refusal := g.enter(req, costlyPage); refusal != "" {
		t.Fatalf("first costly search refused: %s", refusal)
	}
	second := enterLater(costlyPage)
	waitFor(t, "the second costly search waits", func() bool { return g.waitingNow() == 1 })
	if refusal := g.enter(req, page); refusal != "" { // the free slot, past the costly one
		t.Fatalf("a search that costs little refused: %s", refusal)
	}
	apiSearch := enterLater(api) // no slot free: waits behind the costly one
	waitFor(t, "the API search waits", func() bool { return g.waitingNow() == 2 })

	g.leave(page) // its slot goes past the costly page search to the API search
	if !admitted(apiSearch, 5*time.Second) {
		t.Fatal("the API search did not get the slot freed")
	}
	if admitted(second, 20*time.Millisecond) {
		t.Fatal("a second costly search ran beside the first")
	}
	g.leave(api)
	if n := g.freeSlots(); n != 1 || g.waitingNow() != 1 {
		t.Fatalf("%d slots free and %d searches waiting, want 1 and the costly one", n, g.waitingNow())
	}
	g.leave(costlyPage) // now the second costly search's turn
	if !admitted(second, 5*time.Second) {
		t.Fatal("the second costly search did not get the costly slot")
	}
	g.leave(costlyPage)
	if n := g.freeSlots(); n != 2 {
		t.Fatalf("%d slots free at the end, want 2", n)
	}
}

// keeperIndex keeps the matches of the text "kept" alone.
type keeperIndex struct{ searchIndex }

func (keeperIndex) Keeps(text string) bool { return text == "kept" }

// An API search is costly when it has a text the index does not keep, as
// the index tells; without an index that can tell, none is, and no page
// search is.
func TestCostlyText(t *testing.T) {
	for _, tc := range []struct {
		index  search.Index
		target string
		want   bool
	}{
		{keeperIndex{}, "/api/v1/courses?q=new+words", true},
		{keeperIndex{}, "/api/v1/courses?q=new&country=NL", true},
		{keeperIndex{}, "/api/v1/courses?q=kept", false},
		{keeperIndex{}, "/api/v1/courses?q=+kept+", false},
		{keeperIndex{}, "/api/v1/courses?country=NL", false},
		{keeperIndex{}, "/api/v1/courses?q=+", false},
		{keeperIndex{}, "/api/v1/courses?q=" + strings.Repeat("x", maxTextRunes+1), false}, // refused, not searched
		{keeperIndex{}, "/api/v1/alliances/a1?q=new", true},
		{keeperIndex{}, "/?q=new+words", false}, // a page: never held back
		{keeperIndex{}, "/alliances/a1?q=new", false},
		{struct{ searchIndex }{}, "/api/v1/courses?q=new", false},
	} {
		for _, m := range []*Metrics{nil, NewMetrics(nil, nil)} { // the index timed or not
			srv, err := New(Options{Index: tc.index, Metrics: m})
			if err != nil {
				t.Fatal(err)
			}
			if got := srv.searchKindOf(httptest.NewRequest("GET", tc.target, nil)).costly; got != tc.want {
				t.Errorf("%T, %s, metrics %v: costly %v, want %v", tc.index, tc.target, m != nil, got, tc.want)
			}
		}
	}
}

// TestSearchGateLendsIdleSlotsToCostlySearches: past their share, costly
// searches take slots that no one uses, all but the last one, which stays
// for a search that costs little.
func TestSearchGateLendsIdleSlotsToCostlySearches(t *testing.T) {
	patient(t, time.Hour)
	g := newSearchGate(SearchLimit{Concurrency: 3, Costly: 1, Queue: 20, Wait: 10 * time.Second})
	req := httptest.NewRequest("GET", "/", nil)
	costly, cheap := searchKind{class: apiSearch, costly: true}, searchKind{class: apiSearch}
	for i := range 2 {
		if refusal := g.enter(req, costly); refusal != "" {
			t.Fatalf("costly search %d refused: %s", i+1, refusal)
		}
	}
	third := make(chan string, 1)
	go func() { third <- g.enter(req, costly) }()
	waitFor(t, "the third costly search waits", func() bool { return g.waitingNow() == 1 })
	if n := g.freeSlots(); n != 1 {
		t.Fatalf("%d slots free, want the one kept", n)
	}
	if refusal := g.enter(req, cheap); refusal != "" {
		t.Fatalf("the search that costs little refused: %s", refusal)
	}
	g.leave(cheap) // its slot is the last free one again: kept
	select {
	case <-third:
		t.Fatal("the last free slot went to a costly search")
	case <-time.After(20 * time.Millisecond):
	}
	g.leave(costly) // now two are free: one is lent
	if refusal := <-third; refusal != "" {
		t.Fatalf("the third costly search refused: %s", refusal)
	}
	g.leave(costly)
	g.leave(costly)
	if n := g.freeSlots(); n != 3 {
		t.Fatalf("%d slots free at the end, want 3", n)
	}
}

// TestSearchGateReservesSlotsForCostlySearches: searches that cost little
// never take the reserve's slots, however long they wait, so a new text
// runs beside them at once; once it is done, its slot is the reserve's
// again. The default reserve is the half slot per core the default
// concurrency adds.
func TestSearchGateReservesSlotsForCostlySearches(t *testing.T) {
	patient(t, time.Millisecond)
	g := newSearchGate(SearchLimit{Concurrency: 3, Costly: 1, Reserve: 1, Queue: 20, Wait: 10 * time.Second})
	req := httptest.NewRequest("GET", "/", nil)
	costly, cheap := searchKind{class: apiSearch, costly: true}, searchKind{class: apiSearch}
	for i := range 2 {
		if refusal := g.enter(req, cheap); refusal != "" {
			t.Fatalf("search %d refused: %s", i+1, refusal)
		}
	}
	third := make(chan string, 1)
	go func() { third <- g.enter(req, cheap) }()
	waitFor(t, "the third search waits", func() bool { return g.waitingNow() == 1 })
	time.Sleep(10 * time.Millisecond) // past any patience
	if refusal := g.enter(req, costly); refusal != "" {
		t.Fatalf("the costly search refused: %s", refusal)
	}
	select {
	case <-third:
		t.Fatal("a search that costs little took the reserve")
	case <-time.After(20 * time.Millisecond):
	}
	g.leave(costly) // the reserve's slot again: the third still waits
	select {
	case <-third:
		t.Fatal("a search that costs little took the reserve's slot when the costly one left")
	case <-time.After(20 * time.Millisecond):
	}
	g.leave(cheap)
	if refusal := <-third; refusal != "" {
		t.Fatalf("the third search refused: %s", refusal)
	}
	g.leave(cheap)
	g.leave(cheap)
	if n := g.freeSlots(); n != 3 {
		t.Fatalf("%d slots free at the end, want 3", n)
	}

	if d := newSearchGate(SearchLimit{}); d.free != defaultSearchConcurrency() || d.reserve != d.free-runtime.GOMAXPROCS(0) || d.reserve < 1 {
		t.Errorf("default gate: %d slots, %d reserved, on %d cores", d.free, d.reserve, runtime.GOMAXPROCS(0))
	}
	if d := newSearchGate(SearchLimit{Concurrency: 2, Reserve: 5}); d.reserve != 1 {
		t.Errorf("2 slots, reserve 5: %d reserved, want 1 (one for anyone)", d.reserve)
	}
}

// The costly searches' share defaults to half the slots, at least one, and
// is at most all of them (then every search queues alike).
func TestSearchGateCostlyShare(t *testing.T) {
	for _, tc := range []struct{ concurrency, costly, want int }{
		{4, 0, 2}, {5, 0, 2}, {1, 0, 1}, {4, 3, 3}, {4, 4, 4}, {4, 9, 4},
	} {
		if got := newSearchGate(SearchLimit{Concurrency: tc.concurrency, Costly: tc.costly}).costlyLimit; got != tc.want {
			t.Errorf("%d slots, costly %d: share %d, want %d", tc.concurrency, tc.costly, got, tc.want)
		}
	}
}

// patient sets costlyPatience for a test.
func patient(t *testing.T, d time.Duration) {
	old := costlyPatience
	costlyPatience = d
	t.Cleanup(func() { costlyPatience = old })
}

// TestSearchGateAgesCostlySearches: a costly search that has waited its
// patience out takes the next slot freed, even past its share and the
// slot kept free.
func TestSearchGateAgesCostlySearches(t *testing.T) {
	patient(t, 0)
	g := newSearchGate(SearchLimit{Concurrency: 2, Costly: 1, Queue: 20, Wait: 10 * time.Second})
	req := httptest.NewRequest("GET", "/", nil)
	costly, cheap := searchKind{class: pageSearch, costly: true}, searchKind{class: pageSearch}
	if refusal := g.enter(req, costly); refusal != "" {
		t.Fatalf("first costly search refused: %s", refusal)
	}
	second := make(chan string, 1)
	go func() { second <- g.enter(req, costly) }()
	waitFor(t, "the second costly search waits", func() bool { return g.waitingNow() == 1 })
	if refusal := g.enter(req, cheap); refusal != "" {
		t.Fatalf("the search that costs little refused: %s", refusal)
	}
	g.leave(cheap) // the last free slot, past the share: it has waited enough
	select {
	case refusal := <-second:
		if refusal != "" {
			t.Fatalf("the second costly search refused: %s", refusal)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the costly search that waited its patience out did not get the slot")
	}
	g.leave(costly)
	g.leave(costly)
	if n := g.freeSlots(); n != 2 {
		t.Fatalf("%d slots free at the end, want 2", n)
	}
}
