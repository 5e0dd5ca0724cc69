package web

import (
	"encoding/json"
	"net/http"

	"qlink/internal/store"
)

// audit records an action of the request's operator or provider in the
// audit log. details is marshalled to a JSON object (nil: none). A failure
// to record is logged, not shown: the action has already happened.
func (s *Server) audit(r *http.Request, action, target string, details any) {
	e := store.AuditEntry{At: s.now(), ActorKind: "anonymous", Action: action, Target: target}
	if sess := s.session(r); sess != nil {
		e.ActorKind, e.Actor = string(sess.Kind), sess.Subject
		if sess.Kind == store.SessionProvider {
			e.Actor = sess.ProviderID
		}
	}
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			s.log.Error("audit details", "action", action, "error", err)
		} else {
			e.Details = b
		}
	}
	if err := s.opts.Store.AddAudit(r.Context(), e); err != nil {
		s.log.Error("writing the audit log", "action", action, "target", target, "error", err)
	}
}
