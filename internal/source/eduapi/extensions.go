package eduapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"qlink/internal/model"
	"qlink/internal/vocab"
)

// readExtensions takes ISCED-F codes and learning outcomes from a
// template's extensions, where Edu-API lets institutions put what its core
// lacks. Only obvious shapes count: codes as a string or an array of
// strings under iscedCode, iscedF or fieldsOfStudy; learningOutcomes as an
// array whose items are each one outcome (an array of language-typed
// strings, one language-typed string, or a plain string). Nothing else is
// read, and nothing is inferred.
func (r *run) readExtensions(raw json.RawMessage, s *model.Specification, warn func(field, msg string)) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return
	}
	var ext extensions
	if err := json.Unmarshal(raw, &ext); err != nil {
		warn("extensions", "not read: "+err.Error())
		return
	}
	for _, code := range slices.Concat(ext.ISCED, ext.ISCEDF, ext.FieldsOfStudy) {
		_, known := vocab.ISCEDF.Lookup(code)
		switch {
		case !known || len(code) < 2 || len(code) > 4:
			warn("extensions.iscedCode", fmt.Sprintf("%q is not an ISCED-F 2013 code", code))
		case !slices.Contains(s.ISCEDF, code):
			s.ISCEDF = append(s.ISCEDF, code)
		}
	}
	for _, item := range ext.LearningOutcomes {
		var ls langStrings
		if err := ls.UnmarshalJSON(item); err != nil {
			warn("extensions.learningOutcomes", "an outcome not read: "+err.Error())
			continue
		}
		if t := r.text(ls); !t.IsEmpty() {
			s.LearningOutcomes = append(s.LearningOutcomes, t)
		}
	}
}
