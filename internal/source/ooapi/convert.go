package ooapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"qlink/internal/model"
	"qlink/internal/source"
)

var _ source.Converter = Adapter{}

// Convert maps one saved OOAPI response: a page envelope ({"items": …}), an
// array of items, or a single course, programme or education
// specification. Offerings come from their own endpoint and are absent
// unless an item carries them expanded under "offerings".
func (Adapter) Convert(body []byte, cfg source.Config, out source.Emitter) error {
	items, err := documentItems(body)
	if err != nil {
		return err
	}
	r := &run{cfg: cfg, out: out, ids: map[string]string{}, referenced: map[string]bool{}}
	var specs []model.Specification
	for i, raw := range items {
		where := fmt.Sprintf("item %d", i+1)
		var c course
		if err := json.Unmarshal(raw, &c); err != nil || c.id() == "" {
			r.warn(source.Warning{Record: where, Message: "not an OOAPI course, programme or education specification"})
			continue
		}
		s := r.mapSpec(&c, c.ProgramID != "")
		var expanded struct {
			Offerings []offering `json:"offerings"`
		}
		json.Unmarshal(raw, &expanded)
		for j := range expanded.Offerings {
			if in, ok := r.mapOffering(&expanded.Offerings[j], &c, s.ID, fmt.Sprintf("%s offering %d", where, j+1)); ok {
				s.Instances = append(s.Instances, in)
			}
		}
		specs = append(specs, s)
	}
	for _, s := range specs {
		out.Spec(s)
	}
	if len(specs) == 0 {
		return errors.New("ooapi: the document holds no course, programme or education specification")
	}
	return nil
}

func documentItems(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errors.New("ooapi: empty document")
	}
	if body[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, fmt.Errorf("ooapi: %w", err)
		}
		return items, nil
	}
	var p struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("ooapi: not JSON: %w", err)
	}
	if p.Items != nil {
		return p.Items, nil
	}
	return []json.RawMessage{body}, nil
}
