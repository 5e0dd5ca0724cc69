package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"qlink/internal/model"
	"qlink/internal/store"
)

// querier is what reading needs of a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// SaveAlliances inserts or replaces alliances and re-queues for the index
// the courses of every provider whose membership changed.
func (s *Store) SaveAlliances(ctx context.Context, origin string, as []model.Alliance) error {
	now := time.Now().UTC()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var changed []string
		for _, a := range as {
			if a.ID == "" {
				return errors.New("sqlite: alliance without ID")
			}
			doc, err := store.EncodeAlliance(a)
			if err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO alliances (id, doc, origin, updated_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, origin = excluded.origin, updated_at = excluded.updated_at`,
				a.ID, doc, origin, now); err != nil {
				return fmt.Errorf("sqlite: alliance %s: %w", a.ID, err)
			}
			old, err := memberKeys(ctx, tx, a.ID)
			if err != nil {
				return err
			}
			diff, keys := store.MembershipChange(old, a.Members)
			if len(diff) == 0 {
				continue
			}
			changed = append(changed, diff...)
			if _, err := tx.ExecContext(ctx, `DELETE FROM alliance_members WHERE alliance_id = ?`, a.ID); err != nil {
				return fmt.Errorf("sqlite: alliance %s: %w", a.ID, err)
			}
			for _, k := range keys {
				if _, err := tx.ExecContext(ctx, `INSERT INTO alliance_members (alliance_id, member_key) VALUES (?, ?)`, a.ID, k); err != nil {
					return fmt.Errorf("sqlite: alliance %s member %s: %w", a.ID, k, err)
				}
			}
		}
		return staleForMemberKeys(ctx, tx, changed)
	})
}

// DeleteAlliances removes alliances and re-queues their members' courses.
func (s *Store) DeleteAlliances(ctx context.Context, ids []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var gone []string
		for _, id := range ids {
			keys, err := memberKeys(ctx, tx, id)
			if err != nil {
				return err
			}
			gone = append(gone, keys...)
			for _, q := range []string{`DELETE FROM alliance_members WHERE alliance_id = ?`, `DELETE FROM alliances WHERE id = ?`} {
				if _, err := tx.ExecContext(ctx, q, id); err != nil {
					return fmt.Errorf("sqlite: deleting alliance %s: %w", id, err)
				}
			}
		}
		return staleForMemberKeys(ctx, tx, gone)
	})
}

// ListAlliances returns every alliance, resolved against the registry.
func (s *Store) ListAlliances(ctx context.Context) ([]model.Alliance, error) {
	return s.readAlliances(ctx, "")
}

// Alliance returns one alliance, resolved against the registry.
func (s *Store) Alliance(ctx context.Context, id string) (model.Alliance, error) {
	as, err := s.readAlliances(ctx, id)
	if err != nil {
		return model.Alliance{}, err
	}
	if len(as) == 0 {
		return model.Alliance{}, fmt.Errorf("alliance %s: %w", id, store.ErrNotFound)
	}
	return as[0], nil
}

// readAlliances reads one alliance (id) or all (id ""), with members
// matched to the registry's providers.
func (s *Store) readAlliances(ctx context.Context, id string) ([]model.Alliance, error) {
	q, args := `SELECT id, doc, origin FROM alliances ORDER BY id`, []any(nil)
	if id != "" {
		q, args = `SELECT id, doc, origin FROM alliances WHERE id = ?`, []any{id}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: alliances: %w", err)
	}
	var out []model.Alliance
	for rows.Next() {
		var a model.Alliance
		var doc []byte
		if err := rows.Scan(&a.ID, &doc, &a.Origin); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: alliances: %w", err)
		}
		if err := store.DecodeAlliance(doc, &a); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	providers, err := listProviderDocs(ctx, s.db)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Members, err = memberKeys(ctx, s.db, out[i].ID); err != nil {
			return nil, err
		}
	}
	store.ResolveMembers(out, providers)
	return out, nil
}

func memberKeys(ctx context.Context, q querier, allianceID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT member_key FROM alliance_members WHERE alliance_id = ? ORDER BY member_key`, allianceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: members of alliance %s: %w", allianceID, err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("sqlite: members of alliance %s: %w", allianceID, err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// alliancesByMemberKey maps each member key to the alliances naming it.
func alliancesByMemberKey(ctx context.Context, q querier) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT member_key, alliance_id FROM alliance_members`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: alliance members: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			return nil, fmt.Errorf("sqlite: alliance members: %w", err)
		}
		out[k] = append(out[k], id)
	}
	return out, rows.Err()
}

// staleForMemberKeys puts back in the index backlog the courses of the
// providers that any of the keys names.
func staleForMemberKeys(ctx context.Context, tx *sql.Tx, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	ps, err := listProviderDocs(ctx, tx)
	if err != nil {
		return err
	}
	for _, id := range store.ProvidersNamed(ps, keys) {
		if _, err := tx.ExecContext(ctx, `UPDATE courses SET indexed_hash = '' WHERE provider_id = ?`, id); err != nil {
			return fmt.Errorf("sqlite: re-indexing courses of %s: %w", id, err)
		}
	}
	return nil
}
