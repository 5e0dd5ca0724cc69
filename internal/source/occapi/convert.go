package occapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"qlink/internal/model"
	"qlink/internal/source"
)

var _ source.Converter = Adapter{}

// Convert maps one saved OCCAPI document: a collection or a single
// resource of courses or programmes, with any instances it carries in
// data or included (linked to their course by relationships.course).
// Links are not followed: nothing is fetched.
func (Adapter) Convert(body []byte, cfg source.Config, out source.Emitter) error {
	r := newRun(cfg, nil, out)
	byType, err := documentResources(body)
	if err != nil {
		return err
	}
	progs := r.acceptAll(byType[kindProgramme], kindProgramme)
	courses := r.acceptAll(byType[kindCourse], kindCourse)
	if len(progs)+len(courses) == 0 {
		return errors.New("occapi: the document holds no course or programme")
	}
	r.mint(progs)
	r.mint(courses)
	for _, p := range progs {
		r.programmes[p.res.ID] = p.id
	}
	specs := make([]model.Specification, 0, len(progs)+len(courses))
	for _, p := range progs {
		specs = append(specs, r.mapSpec(p, true))
	}
	instances := r.decodeInstances(byType["instance"])
	for _, d := range courses {
		s := r.mapSpec(d, false)
		taken := map[string]bool{}
		for i := range instances {
			if c := instances[i].res.Relationships.Course.Data; c != nil && c.ID == d.res.ID {
				if in, ok := r.mapInstance(&instances[i].res, d, &s, taken, instances[i].where); ok {
					s.Instances = append(s.Instances, in)
				}
			}
		}
		specs = append(specs, s)
	}
	source.LinkParts(specs)
	for _, s := range specs {
		out.Spec(s)
	}
	return nil
}

// located is a raw resource with where it stands in the document.
type located struct {
	raw   json.RawMessage
	where string
}

// documentResources splits a document's data and included resources by
// their JSON:API type.
func documentResources(body []byte) (map[string][]located, error) {
	var env struct {
		Data     json.RawMessage   `json:"data"`
		Included []json.RawMessage `json:"included"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("occapi: not a JSON:API document: %w", err)
	}
	var items []json.RawMessage
	if d := bytes.TrimSpace(env.Data); len(d) > 0 && d[0] == '[' {
		if err := json.Unmarshal(d, &items); err != nil {
			return nil, fmt.Errorf("occapi: data: %w", err)
		}
	} else if len(d) > 0 && d[0] == '{' {
		items = []json.RawMessage{d}
	}
	out := map[string][]located{}
	add := func(raw json.RawMessage, where string) {
		var probe struct {
			Type string `json:"type"`
		}
		json.Unmarshal(raw, &probe)
		out[probe.Type] = append(out[probe.Type], located{raw, where})
	}
	for i, raw := range items {
		add(raw, fmt.Sprintf("data item %d", i+1))
	}
	for i, raw := range env.Included {
		add(raw, fmt.Sprintf("included item %d", i+1))
	}
	return out, nil
}

func (r *run) acceptAll(items []located, kind string) []*decodedSpec {
	var out []*decodedSpec
	for _, it := range items {
		if res, ok := decodeResource[specAttrs](r, it.raw, it.where, kind); ok {
			if d := r.accept(res, it.where, kind); d != nil {
				out = append(out, d)
			}
		}
	}
	return out
}

func (r *run) decodeInstances(items []located) []decoded[instanceAttrs] {
	var out []decoded[instanceAttrs]
	for _, it := range items {
		if res, ok := decodeResource[instanceAttrs](r, it.raw, it.where, "instance"); ok {
			out = append(out, decoded[instanceAttrs]{res, it.where})
		}
	}
	return out
}
