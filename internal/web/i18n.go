package web

import (
	"fmt"
	"net/http"
)

// Every user-visible string goes through a translation hook: {{t "…"}} in
// templates and s.tr(r, "…") in handlers. The English text is the message
// key, so a template reads as the page it renders; a format with
// arguments ("%d courses") is translated first and filled in after.
//
// Until the message catalogues land, English is the only language and
// the hook fills in the arguments only.

// tr translates msg for the reader of r.
func (s *Server) tr(r *http.Request, msg string, args ...any) string {
	return translate(msg, args...)
}

func translate(msg string, args ...any) string {
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}
