package store

import (
	"context"
	"fmt"

	"github.com/pressly/goose/v3"
)

// PendingMigrations counts the migrations of p not applied yet, after
// refusing a database a newer qlink migrated (RefuseSchemaAhead).
func PendingMigrations(ctx context.Context, p *goose.Provider) (int, error) {
	if err := RefuseSchemaAhead(ctx, p); err != nil {
		return 0, err
	}
	status, err := p.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration status: %w", err)
	}
	n := 0
	for _, st := range status {
		if st.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}

// RefuseSchemaAhead returns an error wrapping ErrSchemaAhead when the
// database holds a migration newer than any p knows: an older qlink
// opened on a newer instance's data (a rollback without restoring the
// backup), which must neither write to it nor report it current.
func RefuseSchemaAhead(ctx context.Context, p *goose.Provider) error {
	sources := p.ListSources()
	if len(sources) == 0 {
		return nil
	}
	known := sources[len(sources)-1].Version
	have, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("migration version: %w", err)
	}
	if have > known {
		return fmt.Errorf("database at migration %d, this qlink knows up to %d (upgrade qlink or restore the backup taken before the upgrade): %w",
			have, known, ErrSchemaAhead)
	}
	return nil
}
