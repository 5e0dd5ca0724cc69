package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// DecodeRecord unmarshals one record (a JSON object) into v, leniently. A
// value of the wrong type leaves its field empty and comes back as a
// warning naming the field, with ok true: the rest of the record still
// counts. Anything else (not an object, broken JSON) gives ok false and a
// warning saying why the record was skipped. The caller sets the
// warning's Record.
func DecodeRecord(raw []byte, v any, what string) (w *Warning, ok bool) {
	err := json.Unmarshal(raw, v)
	if err == nil {
		return nil, true
	}
	var te *json.UnmarshalTypeError
	if trimmed := bytes.TrimSpace(raw); errors.As(err, &te) && len(trimmed) > 0 && trimmed[0] == '{' {
		return &Warning{Field: te.Field, Message: fmt.Sprintf("%s where %s expects %s; ignored", te.Value, what, te.Type)}, true
	}
	return &Warning{Message: fmt.Sprintf("not a valid %s, skipped: %v", what, err)}, false
}
