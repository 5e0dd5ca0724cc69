package source

import "sync"

// Warner hands an adapter's warnings on to its Emitter from any
// goroutine (Emitters need not be safe for concurrent use), and gives a
// warning only once per key when asked. The zero value with Out set is
// ready.
type Warner struct {
	Out Emitter

	mu   sync.Mutex
	seen map[string]bool
}

// Warn hands on one warning.
func (w *Warner) Warn(record, field, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.Out.Warn(Warning{Record: record, Field: field, Message: msg})
}

// Once hands on a warning the first time key is seen.
func (w *Warner) Once(key, record, field, msg string) {
	w.mu.Lock()
	seen := w.seen[key]
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	w.seen[key] = true
	w.mu.Unlock()
	if !seen {
		w.Warn(record, field, msg)
	}
}
