package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"qlink/internal/model"
	"qlink/internal/store"
)

// SaveAlliances inserts or replaces alliances and re-queues for the index
// the courses of every provider whose membership changed. Each alliance's
// row is locked before its members are compared, so that two imports of
// one alliance see each other's members.
func (s *Store) SaveAlliances(ctx context.Context, origin string, as []model.Alliance) error {
	now := time.Now().UTC()
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var changed []string
		for _, a := range as {
			if a.ID == "" {
				return errors.New("postgres: alliance without ID")
			}
			doc, err := store.EncodeAlliance(a)
			if err != nil {
				return fmt.Errorf("postgres: %w", err)
			}
			// The upsert leaves the row locked until the end.
			if _, err := tx.Exec(ctx, `INSERT INTO alliances (id, doc, origin, updated_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, origin = excluded.origin, updated_at = excluded.updated_at`,
				a.ID, string(doc), origin, now); err != nil {
				return fmt.Errorf("postgres: alliance %s: %w", a.ID, err)
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
			if _, err := tx.Exec(ctx, `DELETE FROM alliance_members WHERE alliance_id = $1`, a.ID); err != nil {
				return fmt.Errorf("postgres: alliance %s: %w", a.ID, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO alliance_members (alliance_id, member_key) SELECT $1, unnest($2::text[])`,
				a.ID, keys); err != nil {
				return fmt.Errorf("postgres: members of alliance %s: %w", a.ID, err)
			}
		}
		return staleForMemberKeys(ctx, tx, changed)
	})
}

// DeleteAlliances removes alliances and re-queues their members' courses.
func (s *Store) DeleteAlliances(ctx context.Context, ids []string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `DELETE FROM alliance_members WHERE alliance_id = ANY($1) RETURNING member_key`, ids)
		gone, err := collect(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("postgres: deleting alliances: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM alliances WHERE id = ANY($1)`, ids); err != nil {
			return fmt.Errorf("postgres: deleting alliances: %w", err)
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
	rows, _ := s.pool.Query(ctx, `SELECT a.id, a.doc, a.origin,
			ARRAY(SELECT member_key FROM alliance_members m WHERE m.alliance_id = a.id ORDER BY member_key)
		FROM alliances a WHERE $1 = '' OR a.id = $1 ORDER BY a.id`, id)
	out, err := collect(rows, func(row pgx.CollectableRow) (model.Alliance, error) {
		var a model.Alliance
		var doc []byte
		if err := row.Scan(&a.ID, &doc, &a.Origin, &a.Members); err != nil {
			return a, err
		}
		return a, store.DecodeAlliance(doc, &a)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: alliances: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	providers, err := listProviderDocs(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	store.ResolveMembers(out, providers)
	return out, nil
}

func memberKeys(ctx context.Context, q querier, allianceID string) ([]string, error) {
	rows, _ := q.Query(ctx, `SELECT member_key FROM alliance_members WHERE alliance_id = $1 ORDER BY member_key`, allianceID)
	keys, err := collect(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: members of alliance %s: %w", allianceID, err)
	}
	return keys, nil
}

// alliancesByMemberKey maps each member key to the alliances naming it.
func alliancesByMemberKey(ctx context.Context, q querier) (map[string][]string, error) {
	rows, _ := q.Query(ctx, `SELECT member_key, alliance_id FROM alliance_members`)
	out := map[string][]string{}
	var k, id string
	_, err := pgx.ForEachRow(rows, []any{&k, &id}, func() error {
		out[k] = append(out[k], id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: alliance members: %w", err)
	}
	return out, nil
}

// staleForMemberKeys puts back in the index backlog the courses of the
// providers that any of the keys names.
func staleForMemberKeys(ctx context.Context, tx pgx.Tx, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	ps, err := listProviderDocs(ctx, tx)
	if err != nil {
		return err
	}
	if ids := store.ProvidersNamed(ps, keys); len(ids) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE courses SET indexed_hash = '' WHERE provider_id = ANY($1)`, ids); err != nil {
			return fmt.Errorf("postgres: re-indexing courses of %v: %w", ids, err)
		}
	}
	return nil
}
