package registry

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"qlink/internal/fetch"
	"qlink/internal/model"
	"qlink/internal/model/alliance"
)

// LoadAlliances reads alliances from a URL (through the secure fetcher)
// or a file, in Turtle or CSV. Problems are parts it could not use.
func LoadAlliances(ctx context.Context, get Getter, source string) ([]model.Alliance, []string, error) {
	var body []byte
	where, contentType := source, ""
	if strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://") {
		resp, err := get.Get(ctx, fetch.Request{URL: source, Header: http.Header{"Accept": {"text/turtle, text/csv;q=0.9"}}})
		if err != nil {
			return nil, nil, fmt.Errorf("alliances: %w", err)
		}
		body, where, contentType = resp.Body, resp.URL, resp.ContentType
	} else {
		var err error
		if body, err = os.ReadFile(source); err != nil {
			return nil, nil, fmt.Errorf("alliances: %w", err)
		}
	}
	return alliance.Parse(body, where, contentType)
}
