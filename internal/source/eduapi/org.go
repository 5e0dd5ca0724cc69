package eduapi

import (
	"encoding/json"
	"fmt"
	"strings"

	"qlink/internal/model"
)

// orgIndex resolves the organization a template names to the institution
// it belongs to. Organizations form trees (faculties under the
// institution); a tree whose root identifies as another institution makes
// its courses an ownership question for the harvest.
type orgIndex struct {
	byID map[string]*organization
	// own holds the root organizations that are the source's provider.
	own map[string]bool
	// unchecked is set when the provider cannot be told apart.
	unchecked bool
}

func (r *run) indexOrganizations(l *listing) *orgIndex {
	if l == nil || l.absent || len(l.items) == 0 {
		return nil
	}
	idx := &orgIndex{byID: map[string]*organization{}, own: map[string]bool{}}
	for _, it := range l.items {
		var o organization
		if err := json.Unmarshal(it.raw, &o); err != nil || o.SourcedID == "" {
			r.Warn(it.where, "", "not a valid organization, skipped")
			continue
		}
		idx.byID[o.SourcedID] = &o
	}
	var roots []string
	for id, o := range idx.byID {
		if o.Parent == "" || idx.byID[o.Parent] == nil {
			roots = append(roots, id)
		}
		if r.identifies(o) {
			idx.own[idx.root(id)] = true
		}
	}
	switch {
	case len(idx.own) > 0:
	case len(roots) == 1:
		idx.own[roots[0]] = true // the only institution here: the provider, by elimination
	default:
		idx.unchecked = true
		r.Warn(r.base+organizations, "", fmt.Sprintf("none of the %d top-level organizations carries the code %s, %s or %s; course ownership is not checked",
			len(roots), r.cfg.Provider.SCHAC, r.cfg.Provider.DEQAR, r.cfg.Provider.ETER))
	}
	return idx
}

// identifies reports whether an organization carries one of the
// provider's codes.
func (r *run) identifies(o *organization) bool {
	p := r.cfg.Provider
	for _, code := range append([]identifier{o.PrimaryCode}, o.OtherCodes...) {
		v := strings.TrimSpace(code.Identifier)
		for _, mine := range []string{p.SCHAC, p.DEQAR, p.ETER} {
			if mine != "" && strings.EqualFold(v, mine) {
				return true
			}
		}
	}
	return false
}

// root follows parents to the top, guarding against cycles.
func (x *orgIndex) root(id string) string {
	for range 32 {
		o := x.byID[id]
		if o == nil || o.Parent == "" || x.byID[o.Parent] == nil {
			return id
		}
		id = o.Parent
	}
	return id
}

// publisher returns the PublisherID for a record of organization orgID:
// the provider's, or, for another institution's organization, a marker
// naming it (the harvest then applies its publisher rule) with a warning.
func (r *run) publisher(orgID, record string) string {
	x := r.orgs
	if x == nil || x.unchecked || orgID == "" {
		return r.cfg.Provider.ID
	}
	if x.byID[orgID] == nil {
		r.Warn(record, "organization", fmt.Sprintf("%q is not among the source's organizations", orgID))
		return r.cfg.Provider.ID
	}
	root := x.root(orgID)
	if x.own[root] {
		return r.cfg.Provider.ID
	}
	name := model.Text{}
	for _, n := range x.byID[root].Name {
		name.Set(n.Lang, n.Value)
	}
	r.Warn(record, "organization", fmt.Sprintf("belongs to organization %s (%s), which is not %s", root, name.String(), r.providerName()))
	return "edu-api:organization:" + root
}

func (r *run) providerName() string {
	if n := r.cfg.Provider.Name.String(); n != "" {
		return n
	}
	if r.cfg.Provider.SCHAC != "" {
		return r.cfg.Provider.SCHAC
	}
	return r.cfg.Provider.ID
}
