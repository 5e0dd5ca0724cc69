package web

import (
	"errors"
	"fmt"
	"net/http"

	"qlink/internal/migration"
)

// healthz says the process is alive and serving. It checks nothing else,
// so it stays cheap enough for a liveness probe every few seconds, and a
// database hiccup does not get the process restarted.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// readyz says whether this process can answer searches now: the database
// answers and its schema is the one the code expects (no migration
// pending, none from a newer qlink), and the search index answers and has
// warmed up after its start (search.WarmingUp: a few seconds at most). 503
// names what is wrong or still under way, for a readiness probe or a load
// balancer to route around it.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if reason := s.notReady(r); reason != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, reason)
		return
	}
	w.Write([]byte("ready\n"))
}

// notReady returns why the server is not ready, "" when it is.
func (s *Server) notReady(r *http.Request) string {
	pending, err := s.opts.Store.Pending(r.Context())
	if errors.Is(err, migration.ErrSchemaAhead) {
		return "database schema newer than this qlink: upgrade qlink"
	}
	if err != nil {
		s.log.Error("readiness: database", "error", err)
		return "database unavailable"
	}
	if pending > 0 {
		return fmt.Sprintf("database schema out of date: %d migrations pending (run qlink migrate)", pending)
	}
	if _, err := s.opts.Index.Count(r.Context()); err != nil {
		s.log.Error("readiness: search index", "error", err)
		return "search index unavailable"
	}
	if s.warming != nil && s.warming.WarmingUp() {
		return "search index warming up: searching again the texts visitors searched before the start"
	}
	return ""
}
