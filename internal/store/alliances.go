package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"qlink/internal/model"
)

// OriginOperator is the origin of alliances an operator entered by hand.
const OriginOperator = "operator"

// Alliances keeps groups of institutions such as the European
// Universities alliances. Members are stored as member keys
// (model.MemberKey) and resolved against the registry on reading, so an
// alliance may name institutions the registry does not hold yet.
type Alliances interface {
	// SaveAlliances inserts or replaces alliances by ID, recording their
	// origin. Courses of providers whose membership changed are put back
	// in the index backlog (their documents carry the alliances).
	SaveAlliances(ctx context.Context, origin string, as []model.Alliance) error
	// DeleteAlliances removes alliances by ID; unknown IDs are ignored.
	DeleteAlliances(ctx context.Context, ids []string) error
	// ListAlliances returns every alliance ordered by ID, resolved.
	ListAlliances(ctx context.Context) ([]model.Alliance, error)
	// Alliance returns one alliance, resolved.
	Alliance(ctx context.Context, id string) (model.Alliance, error)
}

// AllianceImport says what ReplaceAlliances did.
type AllianceImport struct {
	Alliances, Members, Matched int
	Removed                     []string
}

func (r AllianceImport) String() string {
	s := fmt.Sprintf("%d alliances with %d members, %d of them in the registry", r.Alliances, r.Members, r.Matched)
	if len(r.Removed) > 0 {
		s += fmt.Sprintf("; %d no longer in the data removed (%s)", len(r.Removed), strings.Join(r.Removed, ", "))
	}
	return s
}

// ReplaceAlliances makes the alliances that came from origin exactly as:
// those origin no longer lists are removed, alliances from other origins
// are left alone.
func ReplaceAlliances(ctx context.Context, st Alliances, origin string, as []model.Alliance) (AllianceImport, error) {
	var rep AllianceImport
	if err := st.SaveAlliances(ctx, origin, as); err != nil {
		return rep, err
	}
	stored, err := st.ListAlliances(ctx)
	if err != nil {
		return rep, err
	}
	for _, a := range stored {
		listed := slices.ContainsFunc(as, func(b model.Alliance) bool { return b.ID == a.ID })
		switch {
		case listed:
			rep.Alliances++
			rep.Members += len(a.Members)
			rep.Matched += len(a.Providers)
		case a.Origin == origin:
			rep.Removed = append(rep.Removed, a.ID)
		}
	}
	if len(rep.Removed) > 0 {
		err = st.DeleteAlliances(ctx, rep.Removed)
	}
	return rep, err
}
