package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The progress of a refresh, live: a Server-Sent Events stream that reads
// the refresh's runs from the store every streamPoll (the harvest may run
// in another process; its runs' rows are what all processes share) and
// sends the rendered progress whenever it changed, as event "progress".
// It ends with event "done", carrying the final result, when the refresh
// is over, when streamMax has passed (the page then offers a reload), when
// the client goes away or when the server shuts down. A comment line every
// streamHeartbeat keeps proxies from closing a quiet stream.
const (
	streamPoll      = 500 * time.Millisecond
	streamHeartbeat = 15 * time.Second
	streamMax       = 10 * time.Minute
	// streamWriteTimeout replaces the server's write deadline for each
	// event: a stream lasts longer than any page may take.
	streamWriteTimeout = 30 * time.Second
)

// refreshEvents answers GET /refreshes/{id}/events.
func (s *Server) refreshEvents(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.pathRefresh(w, r)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)
	ev := &eventWriter{w: w, rc: http.NewResponseController(w)}
	stopping := s.streamsStopping(r)
	poll, heartbeat, expire := time.NewTicker(streamPoll), time.NewTicker(streamHeartbeat), time.NewTimer(streamMax)
	defer poll.Stop()
	defer heartbeat.Stop()
	defer expire.Stop()
	var last string
	for {
		prog, err := s.refreshProgress(r, ref)
		if err != nil {
			if r.Context().Err() == nil {
				s.log.Error("refresh progress", "refresh_id", ref.ID, "error", err)
			}
			return
		}
		html, err := s.fragment(r, "refresh", "refresh-progress", prog)
		switch {
		case err != nil:
			s.log.Error("rendering refresh progress", "refresh_id", ref.ID, "error", err)
			return
		case prog.Done:
			ev.send("done", html)
			return
		case html != last:
			last = html
			if ev.send("progress", html) != nil {
				return
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-stopping:
			return
		case <-expire.C:
			prog.Expired = true
			if html, err := s.fragment(r, "refresh", "refresh-progress", prog); err == nil {
				ev.send("done", html)
			}
			return
		case <-heartbeat.C:
			if ev.comment("still watching") != nil {
				return
			}
		case <-poll.C:
		}
	}
}

// eventWriter writes Server-Sent Events and flushes each at once.
type eventWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// send writes one event; every line of data goes on a data: line of its
// own, as the format wants.
func (e *eventWriter) send(name, data string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "event: %s\n", name)
	for line := range strings.SplitSeq(data, "\n") {
		fmt.Fprintf(&b, "data: %s\n", strings.TrimRight(line, "\r"))
	}
	b.WriteString("\n")
	return e.write(b.String())
}

func (e *eventWriter) comment(text string) error { return e.write(": " + text + "\n\n") }

func (e *eventWriter) write(s string) error {
	// Not every ResponseWriter supports deadlines (httptest's does not
	// need them); the write itself still fails on a gone client.
	if err := e.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := e.w.Write([]byte(s)); err != nil {
		return err
	}
	return e.rc.Flush()
}

// fragment renders one template block of a page to a string, as the
// stream's events carry it.
func (s *Server) fragment(r *http.Request, page, block string, data any) (string, error) {
	var buf bytes.Buffer
	if err := s.page(r, page).ExecuteTemplate(&buf, block, data); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

// streamsStopping returns a channel closed when the HTTP server serving r
// shuts down. http.Server.Shutdown waits for every handler to return but
// does not cancel their requests, so a stream would hold up the shutdown
// until its time ran out; registering with the server (once per server)
// lets the streams end at once instead.
func (s *Server) streamsStopping(r *http.Request) <-chan struct{} {
	st := &s.refreshes
	st.streamsMu.Lock()
	defer st.streamsMu.Unlock()
	if st.stopping == nil {
		st.stopping = make(chan struct{})
		st.watched = map[*http.Server]bool{}
	}
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && !st.watched[srv] {
		st.watched[srv] = true
		stopping := st.stopping
		srv.RegisterOnShutdown(func() {
			st.streamsMu.Lock()
			defer st.streamsMu.Unlock()
			if st.stopping == stopping {
				close(stopping)
				st.stopping = nil // a server started later gets a fresh channel
				st.watched = nil
			}
		})
	}
	return st.stopping
}
