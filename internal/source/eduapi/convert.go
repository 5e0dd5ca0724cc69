package eduapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"qlink/internal/source"
)

var _ source.Converter = Adapter{}

// Convert maps one saved Edu-API response: a bare array (what the API
// returns), a wrapped {"courseTemplates": [...]} object, or a single
// record. Each record is sorted into its collection by the properties
// only that kind of record has, so one file may mix course templates,
// collection templates, offerings and organisations.
func (Adapter) Convert(body []byte, cfg source.Config, out source.Emitter) error {
	records, err := documentRecords(body)
	if err != nil {
		return err
	}
	r := newRun(cfg, nil, out)
	lists := map[string]*listing{}
	for _, name := range []string{organizations, collectionTemplates, courseTemplates, courseOfferings, collectionOfferings} {
		lists[name] = &listing{complete: true}
	}
	for i, raw := range records {
		where := fmt.Sprintf("record %d", i+1)
		name := collectionOf(raw)
		if name == "" {
			r.Warn(where, "", "not a course template, collection template, offering or organisation; skipped")
			continue
		}
		lists[name].items = append(lists[name].items, item{raw: raw, where: where})
	}
	if len(lists[courseTemplates].items)+len(lists[collectionTemplates].items) == 0 {
		return errors.New("eduapi: the document holds no course or collection template")
	}
	return r.assemble(context.Background(), lists, out)
}

// documentRecords splits a saved response into records.
func documentRecords(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errors.New("eduapi: empty document")
	}
	var records []json.RawMessage
	if body[0] == '[' {
		if err := json.Unmarshal(body, &records); err != nil {
			return nil, fmt.Errorf("eduapi: %w", err)
		}
		return records, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("eduapi: not JSON: %w", err)
	}
	for _, key := range []string{courseTemplates, collectionTemplates, courseOfferings, collectionOfferings, organizations} {
		if list, ok := obj[key]; ok && json.Unmarshal(list, &records) == nil {
			return records, nil
		}
	}
	return []json.RawMessage{body}, nil
}

// collectionOf tells which collection a record comes from.
func collectionOf(raw json.RawMessage) string {
	var probe map[string]json.RawMessage
	if json.Unmarshal(raw, &probe) != nil {
		return ""
	}
	has := func(k string) bool { _, ok := probe[k]; return ok }
	switch {
	case has("offeringType") && has("course"):
		return courseOfferings
	case has("offeringType") && has("collection"):
		return collectionOfferings
	case has("collectionType"):
		return collectionTemplates
	case has("courseType") || has("creditType") || has("gradingScheme"):
		return courseTemplates
	case has("sourcedId") && (has("name") || has("identifier")):
		return organizations
	}
	return ""
}
