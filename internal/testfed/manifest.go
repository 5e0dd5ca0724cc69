package testfed

import (
	"bytes"
	"encoding/json"

	"go.yaml.in/yaml/v3"
)

// QualityLink manifest rendering (discovery.bs, manifest-v1 schema).

type manifestDoc struct {
	Meta    manifestMeta     `json:"meta" yaml:"meta"`
	Sources []manifestSource `json:"sources" yaml:"sources"`
}

type manifestMeta struct {
	SCHAC   string `json:"schac" yaml:"schac"`
	ETERID  string `json:"eterid" yaml:"eterid"`
	DEQARID string `json:"deqarid" yaml:"deqarid"`
}

type manifestSource struct {
	Type     string       `json:"type" yaml:"type"`
	Path     string       `json:"path" yaml:"path"`
	Version  string       `json:"version" yaml:"version"`
	ID       string       `json:"id" yaml:"id"`
	Name     string       `json:"name" yaml:"name"`
	Auth     manifestAuth `json:"auth" yaml:"auth"`
	Refresh  int          `json:"refresh" yaml:"refresh"`
	PageSize int          `json:"pageSize,omitempty" yaml:"pageSize,omitempty"`
}

type manifestAuth struct {
	Type string `json:"type" yaml:"type"`
}

// renderManifest renders the institution's manifest in the format its
// discovery variant calls for.
func renderManifest(in *Institution) []byte {
	if in.Misbehavior == MalformedManifest {
		// The sources list is indented less than its key's sibling and a
		// flow sequence is never closed.
		return []byte("meta:\n  schac: " + in.SCHAC + "\n  eterid: " + in.ETERID +
			"\n sources:\n  - type: ooapi\n    path: [http://api." + in.SCHAC + "/ooapi/v5/\n")
	}
	doc := manifestDoc{Meta: manifestMeta{in.SCHAC, in.ETERID, in.DEQARID}}
	for _, s := range in.Sources {
		doc.Sources = append(doc.Sources, manifestSource{
			Type: s.Type, Path: s.Path, Version: s.Version, ID: s.ID, Name: s.Name,
			Auth: manifestAuth{"none"}, Refresh: s.Refresh, PageSize: s.PageSize,
		})
	}
	if in.Discovery.Format == "yaml" {
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			panic("testfed: " + err.Error())
		}
		return b.Bytes()
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("testfed: " + err.Error())
	}
	return append(b, '\n')
}
