package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/net/http/httpguts"

	"qlink/internal/fetch"
)

// defaultField is the header the reference aggregator sends when a
// manifest names none.
const defaultField = "X-QualityLink-Auth"

// header sends one secret header. The decrypted value lives only in
// memory, in this value, for the duration of a harvest.
type header struct {
	field, value string
}

func (b builder) header() (fetch.Authenticator, error) {
	field := b.cfg.Header
	if field == "" {
		field = defaultField
	}
	if !httpguts.ValidHeaderFieldName(field) {
		return nil, b.fail("auth.field", fmt.Errorf("%q is not a valid header name", field))
	}
	if fetch.Reserved(field) {
		return nil, b.fail("auth.field", fmt.Errorf("%s is managed by the aggregator and cannot carry a secret", http.CanonicalHeaderKey(field)))
	}
	value, err := b.secret("value", b.cfg.Value)
	if err != nil {
		return nil, err
	}
	if !httpguts.ValidHeaderFieldValue(value) {
		return nil, b.fail("auth.value", errors.New("decrypts to text that cannot be sent in a header (control characters)"))
	}
	return header{field: http.CanonicalHeaderKey(field), value: value}, nil
}

func (h header) Authorize(_ context.Context, r *http.Request) error {
	r.Header.Set(h.field, h.value)
	return nil
}
