package web

import (
	"context"
	"time"
)

// The password checks the server works on at once. One argon2id check at
// password.Default takes 64 MiB and four threads for a good part of a
// second; without a bound, forty anonymous sign-ins sent together held
// 2.5 GB and starved every other request for seconds. Each sign-in, the
// refused ones too, runs one check, so the bound is on all of them
// together: a check waits for a slot in line, and a sign-in that finds the
// line full, or waits too long, is answered 503 with Retry-After at once,
// without hashing. README.md ("Signing in") documents these; keep the two
// in step.
const (
	// concurrentHashes is how many checks run at once: 128 MiB of memory
	// at the default parameters, and eight threads, whatever the number
	// of cores. People sign in a few times a day; two at once is plenty.
	concurrentHashes = 2
	// hashQueue is how many checks may wait for a slot; a waiting one
	// holds no hashing memory. A check took 0.35 s alone on two cores,
	// so a full line drains in about three seconds there, within hashWait.
	hashQueue = 8
	// hashWait is the longest a check waits for its slot.
	hashWait = 5 * time.Second
	// busyRetryAfter is the Retry-After, in seconds, of work a gate refused.
	busyRetryAfter = 2
)

// The manifest validations the server works on at once. Validating a
// pasted manifest of the largest size takes a fifth of a second of CPU;
// one address within its page rate could ask for forty a second.
const (
	concurrentValidations = 2
	validationQueue       = 16
	validationWait        = 5 * time.Second
)

// workGate admits costly work (password checks, manifest validations) to
// a fixed number of slots, the rest to a line of fixed length, first come
// first served (Go wakes the senders blocked on a channel in order).
type workGate struct {
	slots chan struct{} // one element per check running
	line  chan struct{} // one element per check waiting
	wait  time.Duration
}

func newWorkGate(slots, queue int, wait time.Duration) *workGate {
	return &workGate{slots: make(chan struct{}, slots), line: make(chan struct{}, queue), wait: wait}
}

// enter waits for a slot; it reports why it got none: "queue" when the
// line is full, "wait" when the wait ran out, "gone" when the client left.
// A check that got a slot calls leave when it is done.
func (g *workGate) enter(ctx context.Context) (refusal string) {
	select {
	case g.slots <- struct{}{}:
		return ""
	default:
	}
	select {
	case g.line <- struct{}{}:
	default:
		return "queue"
	}
	defer func() { <-g.line }()
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return ""
	case <-timer.C:
		return "wait"
	case <-ctx.Done():
		return "gone"
	}
}

// leave frees the slot for the next check in line.
func (g *workGate) leave() { <-g.slots }
