package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qlink/internal/web/password"
)

// running and waiting count the checks in the gate's slots and in line.
func (g *workGate) running() int { return len(g.slots) }
func (g *workGate) waiting() int { return len(g.line) }

// heldVerifier stands in for password.Verify: it counts the checks and
// the most that ran at once, and holds each one until release is closed.
type heldVerifier struct {
	mu                   sync.Mutex
	calls, running, most int
	release              chan struct{}
	once                 sync.Once
}

func newHeldVerifier() *heldVerifier { return &heldVerifier{release: make(chan struct{})} }

// letGo ends the hold, for the checks running and those to come.
func (h *heldVerifier) letGo() { h.once.Do(func() { close(h.release) }) }

func (h *heldVerifier) verify(pw, hash string) (bool, error) {
	h.mu.Lock()
	h.calls++
	h.running++
	h.most = max(h.most, h.running)
	h.mu.Unlock()
	<-h.release
	h.mu.Lock()
	h.running--
	h.mu.Unlock()
	return password.Verify(pw, hash)
}

// counts returns the checks started and the most that ran at once.
func (h *heldVerifier) counts() (calls, most int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls, h.most
}

// gatedFixture is an accounts fixture whose password checks go through
// hv and a gate of the size given.
func gatedFixture(t *testing.T, hv *heldVerifier, slots, queue int, wait time.Duration) *accountsFixture {
	f := newAccountsFixtureWith(t, false, nil, func(s *Server) {
		s.verify = hv.verify
		s.hashes = newWorkGate(slots, queue, wait)
	})
	// Before the server closes, which waits for the sign-ins held, when
	// a test fails before it lets them go.
	t.Cleanup(hv.letGo)
	return f
}

// signInsAtOnce sends n failing sign-ins from one address, each from its
// own browser, and returns their statuses on a channel closed when all
// have answered.
func signInsAtOnce(t *testing.T, f *accountsFixture, n int) <-chan int {
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		b := f.browser(t)
		token := b.csrf("/admin/login")
		wg.Go(func() {
			resp, _ := b.post("/admin/login", map[string][]string{"csrf": {token},
				"name": {"guess" + string(rune('a'+i%26)) + string(rune('a'+i/26))}, "password": {"not the password at all"}})
			statuses <- resp.StatusCode
		})
	}
	go func() {
		wg.Wait()
		close(statuses)
	}()
	return statuses
}

func tally(statuses <-chan int) map[int]int {
	got := map[int]int{}
	for s := range statuses {
		got[s]++
	}
	return got
}

// The per-address limit holds for sign-ins sent together: each counts
// before its password is checked, so no more than the limit are checked.
func TestConcurrentSignInsFromOneAddressStopAtTheLimit(t *testing.T) {
	hv := newHeldVerifier()
	f := gatedFixture(t, hv, 2, 64, time.Minute)
	n := 2 * defaultMaxFailuresPerIP
	statuses := signInsAtOnce(t, f, n)
	waitFor(t, "the sign-ins past the limit are refused and the others checked or in line", func() bool {
		return len(statuses) == n-defaultMaxFailuresPerIP && f.srv.hashes.running()+f.srv.hashes.waiting() == defaultMaxFailuresPerIP
	})
	hv.letGo()
	got := tally(statuses)
	if got[http.StatusOK] != defaultMaxFailuresPerIP || got[http.StatusTooManyRequests] != n-defaultMaxFailuresPerIP {
		t.Errorf("statuses %v; want %d × 200 and %d × 429", got, defaultMaxFailuresPerIP, n-defaultMaxFailuresPerIP)
	}
	if calls, _ := hv.counts(); calls != defaultMaxFailuresPerIP {
		t.Errorf("%d passwords checked; want the limit, %d", calls, defaultMaxFailuresPerIP)
	}
	if resp, _ := f.browser(t).login("ops", opsPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right password after %d failures: %d, want 429", defaultMaxFailuresPerIP, resp.StatusCode)
	}
}

// A sign-in with the right password does not count against its address,
// as before attempts were counted ahead of the check.
func TestRightPasswordGivesItsAttemptBack(t *testing.T) {
	f := newAccountsFixture(t, false, nil)
	b := f.browser(t)
	for i := range defaultMaxFailuresPerIP - 1 {
		if resp, _ := b.login("guess"+string(rune('a'+i)), "not the password at all"); resp.StatusCode != http.StatusOK {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	if resp, _ := b.login("ops", opsPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the right password: %d, want 303", resp.StatusCode)
	}
	if resp, _ := b.login("ops", "not the password at all"); resp.StatusCode != http.StatusOK {
		t.Fatalf("failure %d: %d, want 200", defaultMaxFailuresPerIP, resp.StatusCode)
	}
	if resp, _ := b.login("ops", opsPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after %d failures: %d, want 429", defaultMaxFailuresPerIP, resp.StatusCode)
	}
}

// However many sign-ins arrive together, no more passwords are checked at
// once than the gate has slots; the others wait their turn.
func TestPasswordChecksRunAtMostTheGateSize(t *testing.T) {
	hv := newHeldVerifier()
	f := gatedFixture(t, hv, concurrentHashes, hashQueue, time.Minute)
	n := concurrentHashes + hashQueue
	statuses := signInsAtOnce(t, f, n)
	// A sign-in takes its slot before it reads the account and then
	// hashes, so the checks are waited for too.
	waitFor(t, "the gate's slots are taken, their checks started and the others in line", func() bool {
		calls, _ := hv.counts()
		return f.srv.hashes.running() == concurrentHashes && f.srv.hashes.waiting() == hashQueue && calls >= concurrentHashes
	})
	if calls, most := hv.counts(); calls != concurrentHashes || most != concurrentHashes {
		t.Errorf("%d checks started, %d at once; want %d", calls, most, concurrentHashes)
	}
	hv.letGo()
	if got := tally(statuses); got[http.StatusOK] != n {
		t.Errorf("statuses %v; want %d × 200", got, n)
	}
	if calls, most := hv.counts(); calls != n || most > concurrentHashes {
		t.Errorf("%d checks, %d at once; want %d, at most %d at once", calls, most, n, concurrentHashes)
	}
}

// A sign-in that finds the line full, or waits too long for its turn, is
// answered 503 with Retry-After and the form, hashes nothing, and does not
// count against its address.
func TestBusySignInIsRefusedWithoutHashing(t *testing.T) {
	for _, c := range []struct {
		name        string
		queue       int
		wait        time.Duration
		inLine      int
		checkedLast int // checks once the slot is let go
	}{
		{"line full", 1, time.Minute, 1, 2},
		{"wait ran out", 1, time.Millisecond, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			hv := newHeldVerifier()
			f := gatedFixture(t, hv, 1, c.queue, c.wait)
			held := signInsAtOnce(t, f, 1)
			waitFor(t, "a check holds the slot", func() bool {
				calls, _ := hv.counts()
				return f.srv.hashes.running() == 1 && calls == 1
			})
			queued := signInsAtOnce(t, f, c.inLine)
			waitFor(t, "the line is taken", func() bool { return f.srv.hashes.waiting() == c.inLine })

			// Answered while the only slot is still held: the refusal
			// does not wait for a check to end.
			resp, body := f.browser(t).login("nobody", "not the password at all")
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" {
				t.Errorf("refused sign-in: %d, Retry-After %q; want 503, 2", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if !strings.Contains(body, "The server is busy checking other sign-ins.") || !strings.Contains(body, `name="password"`) {
				t.Errorf("the refusal is not the form with the reason:\n%s", body)
			}
			if calls, _ := hv.counts(); calls != 1 {
				t.Errorf("%d checks started while refusing; want 1 (the one holding the slot)", calls)
			}
			hv.letGo()
			tally(held)
			tally(queued)
			if calls, _ := hv.counts(); calls != c.checkedLast {
				t.Errorf("%d checks in all; want %d", calls, c.checkedLast)
			}
			f.srv.logins.mu.Lock()
			counted := f.srv.logins.counts["127.0.0.1"].n
			f.srv.logins.mu.Unlock()
			if counted != c.checkedLast {
				t.Errorf("%d attempts counted against the address; want %d, the checked ones", counted, c.checkedLast)
			}
		})
	}
}

func TestWorkGateLetsGoOfAClientThatLeft(t *testing.T) {
	g := newWorkGate(1, 1, time.Minute)
	if refusal := g.enter(context.Background()); refusal != "" {
		t.Fatalf("first check refused: %s", refusal)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var refusal atomic.Value
	done := make(chan struct{})
	go func() {
		defer close(done)
		refusal.Store(g.enter(ctx))
	}()
	waitFor(t, "the check is in line", func() bool { return g.waiting() == 1 })
	if got := g.enter(context.Background()); got != "queue" {
		t.Errorf("a check past a full line: %q, want queue", got)
	}
	cancel()
	<-done
	if got := refusal.Load(); got != "gone" {
		t.Errorf("a check whose client left: %q, want gone", got)
	}
	if g.waiting() != 0 || g.running() != 1 {
		t.Errorf("%d in line, %d running; want 0, 1", g.waiting(), g.running())
	}
	g.leave()
	if refusal := g.enter(context.Background()); refusal != "" {
		t.Errorf("a check after the slot was left: %s", refusal)
	}
}

// A pasted manifest finds every place of the validations taken: it is
// answered 503 at once, with the paste kept in the form, and validated
// once a place is free.
func TestBusyValidationIsRefused(t *testing.T) {
	f := newAccountsFixtureWith(t, false, nil, func(s *Server) { s.validations = newWorkGate(1, 0, time.Minute) })
	b := f.browser(t)
	tok := b.csrf("/manifest")
	paste := `{"sources":[{"type":"ooapi","path":"https://api.uni.test/"}]}`
	f.srv.validations.enter(context.Background()) // the only place, taken
	resp, body := b.do("POST", "/manifest/validate", url.Values{"csrf": {tok}, "manifest": {paste}})
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" ||
		!strings.Contains(body, "The server is busy checking other manifests.") || !strings.Contains(body, "api.uni.test") {
		t.Errorf("validation with every place taken: %d, Retry-After %q\n%.500s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	f.srv.validations.leave()
	if resp, body := b.do("POST", "/manifest/validate", url.Values{"csrf": {tok}, "manifest": {paste}}); resp.StatusCode != http.StatusOK {
		t.Errorf("validation with a place free: %d\n%.500s", resp.StatusCode, body)
	}
	if f.srv.validations.running() != 0 {
		t.Error("a validation kept its place")
	}
}
