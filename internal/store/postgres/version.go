package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// The version of what the catalogue shows (store.Versioned) on a database
// that several processes write: triggers notify the channel qlink_content
// at every change (migration 00005), and each process that asks for the
// version listens on a connection of its own and counts what it hears.
// PostgreSQL delivers a notification only after its transaction commits,
// so once the count has moved a read sees the change. Between a commit and
// its notification's arrival (a round trip on the listening connection)
// the old version still names the old content, as it would for a read
// that started a moment earlier. While the listener is not connected
// nothing is heard, so the version is "" (unknown) until it listens again,
// under a new epoch: what was kept before the gap is never served after.

// contentChannel is the channel the content triggers notify.
const contentChannel = "qlink_content"

// versionWatch listens for changes and names the content's version.
type versionWatch struct {
	mu        sync.Mutex
	listening bool
	epoch     string // new at each (re)connection
	n         uint64 // notifications heard in this epoch
	last      string // the payload of the last one (the triggers send none; tests mark their steps)
	cancel    context.CancelFunc
	done      chan struct{}
}

// Version names the content now (store.Versioned): "" until the process
// listens for changes, which the first call starts.
func (s *Store) Version() string {
	s.watchOnce.Do(s.startWatch)
	w := &s.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.listening {
		return ""
	}
	return w.epoch + "." + strconv.FormatUint(w.n, 10)
}

func (s *Store) startWatch() {
	ctx, cancel := context.WithCancel(context.Background())
	s.watch.cancel, s.watch.done = cancel, make(chan struct{})
	go func() {
		defer close(s.watch.done)
		s.watch.run(ctx, s.pool.Config().ConnConfig)
	}()
}

// stopWatch ends the listener, if one started.
func (s *Store) stopWatch() {
	s.watchOnce.Do(func() {}) // none starts after this
	if s.watch.cancel != nil {
		s.watch.cancel()
		<-s.watch.done
	}
}

// watchRetry is the pause before the listener connects again after
// losing its connection.
var watchRetry = time.Second

// run listens until ctx ends, connecting again whenever the connection
// is lost.
func (w *versionWatch) run(ctx context.Context, cfg *pgx.ConnConfig) {
	for ctx.Err() == nil {
		w.listen(ctx, cfg)
		w.setListening(false)
		select {
		case <-ctx.Done():
		case <-time.After(watchRetry):
		}
	}
}

// listen connects, listens and counts notifications until the connection
// fails or ctx ends.
func (w *versionWatch) listen(ctx context.Context, cfg *pgx.ConnConfig) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+contentChannel); err != nil {
		return
	}
	w.setListening(true) // every commit from now on will be heard
	for {
		note, err := conn.WaitForNotification(ctx)
		if err != nil {
			return
		}
		w.mu.Lock()
		w.n, w.last = w.n+1, note.Payload
		w.mu.Unlock()
	}
}

func (w *versionWatch) setListening(on bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if on && !w.listening {
		var b [8]byte
		rand.Read(b[:])
		w.epoch, w.n = hex.EncodeToString(b[:]), 0
	}
	w.listening = on
}
