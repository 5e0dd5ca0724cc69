package source

import (
	"slices"

	"qlink/internal/model"
)

// IDMinter mints the specification identifiers of one source run, per the
// course-identifier specification: model.CourseID over the institution's
// course code when the record has one, else over the source's own id for
// it. Two records with the same code would otherwise merge into one
// course, so a code already taken identifies only its first record; later
// ones fall back on their source ids. A minter is not safe for concurrent
// use.
type IDMinter struct {
	p model.Provider
	// owner maps minted identifiers to the source id that took them.
	owner map[string]string
}

// NewIDMinter returns a minter for the provider's identifiers.
func NewIDMinter(p model.Provider) *IDMinter {
	return &IDMinter{p: p, owner: map[string]string{}}
}

// Mint returns the identifier of the record with source id sourceID and
// institution code code (either may be empty, not both). When the code's
// identifier belongs to another record, it returns the fallback identifier
// and that record's source id as clash, for the caller to warn about.
func (m *IDMinter) Mint(code, sourceID string) (id, clash string) {
	local := code
	if local == "" {
		local = sourceID
	}
	id = model.CourseID(m.p.SCHAC, m.p.ID, local)
	if prev, taken := m.owner[id]; taken && prev != sourceID && sourceID != "" {
		clash = prev
		id = model.CourseID(m.p.SCHAC, m.p.ID, sourceID)
	}
	if _, taken := m.owner[id]; !taken {
		m.owner[id] = sourceID
	}
	return id, clash
}

// LinkParts fills each specification's HasPart from the PartOf of the
// others in the same source, so structure published in one direction is
// visible in both.
func LinkParts(specs []model.Specification) {
	index := make(map[string]int, len(specs))
	for i, s := range specs {
		index[s.ID] = i
	}
	for _, s := range specs {
		for _, parent := range s.PartOf {
			if i, ok := index[parent]; ok && !slices.Contains(specs[i].HasPart, s.ID) {
				specs[i].HasPart = append(specs[i].HasPart, s.ID)
			}
		}
	}
}
