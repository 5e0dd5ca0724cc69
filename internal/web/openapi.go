package web

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes the JSON API under /api/v1 in OpenAPI 3.1,
// written by hand: every route with its parameters (the limits of
// limits.go), responses with JSON Schemas and an example each. The tests
// hold it to the routes the server registers and to the answers it gives
// (openapi_test.go); a new API route fails them until it is described here.
//
//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDocument)
}
