// Package migration holds what qlink's databases share about their goose
// migrations: counting the pending ones and refusing a schema a newer
// qlink wrote. The store and the PostgreSQL search index each keep their
// own migrations and use it.
package migration

import (
	"context"
	"errors"
	"fmt"

	"github.com/pressly/goose/v3"
)

// ErrSchemaAhead reports a database migrated by a newer qlink: this
// binary does not know its newest tables, so it must not write to it.
var ErrSchemaAhead = errors.New("the database schema is newer than this qlink")

// Pending counts the migrations of p not applied yet, after
// refusing a database a newer qlink migrated (RefuseSchemaAhead).
func Pending(ctx context.Context, p *goose.Provider) (int, error) {
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

// Up applies p's pending migrations after refusing a database a newer
// qlink migrated (RefuseSchemaAhead).
func Up(ctx context.Context, p *goose.Provider) error {
	if err := RefuseSchemaAhead(ctx, p); err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
