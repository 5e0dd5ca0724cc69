package store

import (
	"context"

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
