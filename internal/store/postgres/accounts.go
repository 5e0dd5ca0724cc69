package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"qlink/internal/store"
)

// CreateAccount adds an operator; a taken name is store.ErrExists.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO accounts (name, password_hash, created_at) VALUES ($1, $2, $3)`,
		a.Name, a.PasswordHash, a.CreatedAt.UTC())
	if isUniqueViolation(err) {
		return fmt.Errorf("account %q: %w", a.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("postgres: account %q: %w", a.Name, err)
	}
	return nil
}

const accountColumns = `name, password_hash, created_at, failed_attempts, locked_until`

func scanAccount(row pgx.CollectableRow) (store.Account, error) {
	var a store.Account
	var locked *time.Time
	err := row.Scan(&a.Name, &a.PasswordHash, &a.CreatedAt, &a.FailedAttempts, &locked)
	a.LockedUntil = orZero(locked)
	return a, err
}

// Account returns one operator.
func (s *Store) Account(ctx context.Context, name string) (store.Account, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts WHERE name = $1`, name)
	a, err := pgx.CollectExactlyOneRow(rows, scanAccount)
	if err != nil {
		return a, notFound(err, fmt.Sprintf("account %q", name))
	}
	return a, nil
}

// ListAccounts returns all operators by name.
func (s *Store) ListAccounts(ctx context.Context) ([]store.Account, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY name`)
	out, err := collect(rows, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: accounts: %w", err)
	}
	return out, nil
}

// SetPassword replaces the hash, unlocks and signs the operator out.
func (s *Store) SetPassword(ctx context.Context, name, hash string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE accounts SET password_hash = $1, failed_attempts = 0, locked_until = NULL WHERE name = $2`, hash, name)
		if err != nil {
			return fmt.Errorf("postgres: account %q: %w", name, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("account %q: %w", name, store.ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE kind = 'admin' AND subject = $1`, name); err != nil {
			return fmt.Errorf("postgres: sessions of %q: %w", name, err)
		}
		return nil
	})
}

// LoginFailed counts a failure and locks the account at the max-th, in
// one statement: failures of one account from several web nodes count
// one after another on its row.
func (s *Store) LoginFailed(ctx context.Context, name string, at time.Time, max int, lockFor time.Duration) (store.Account, error) {
	rows, _ := s.pool.Query(ctx, `UPDATE accounts SET
			failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
			locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3 ELSE locked_until END
		WHERE name = $1 RETURNING `+accountColumns, name, max, at.Add(lockFor).UTC())
	a, err := pgx.CollectExactlyOneRow(rows, scanAccount)
	if err != nil {
		return a, notFound(err, fmt.Sprintf("account %q", name))
	}
	return a, nil
}

// Unlock clears failures and the lock.
func (s *Store) Unlock(ctx context.Context, name string) error {
	return s.exec(ctx, fmt.Sprintf("account %q", name), `UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE name = $1`, name)
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, ss store.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (token_hash, kind, subject, provider_id, created_at, expires_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, ss.TokenHash, string(ss.Kind), ss.Subject, ss.ProviderID,
		ss.CreatedAt.UTC(), ss.ExpiresAt.UTC(), ss.LastSeenAt.UTC())
	if err != nil {
		return fmt.Errorf("postgres: session of %s %q: %w", ss.Kind, ss.Subject, err)
	}
	return nil
}

// Session returns a session by its token's hash.
func (s *Store) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	ss := store.Session{TokenHash: tokenHash}
	var kind string
	err := s.pool.QueryRow(ctx, `SELECT kind, subject, provider_id, created_at, expires_at, last_seen_at FROM sessions
		WHERE token_hash = $1`, tokenHash).Scan(&kind, &ss.Subject, &ss.ProviderID, &ss.CreatedAt, &ss.ExpiresAt, &ss.LastSeenAt)
	ss.Kind = store.SessionKind(kind)
	if err != nil {
		return ss, notFound(err, "session")
	}
	return ss, nil
}

// TouchSession records activity on a session.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, at.UTC(), tokenHash); err != nil {
		return fmt.Errorf("postgres: session: %w", err)
	}
	return nil
}

// DeleteSession ends a session; an unknown one is no error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("postgres: session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions expired before at.
func (s *Store) DeleteExpiredSessions(ctx context.Context, at time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, at.UTC())
	if err != nil {
		return 0, fmt.Errorf("postgres: expired sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// AddChallenge stores a domain challenge.
func (s *Store) AddChallenge(ctx context.Context, c store.Challenge) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO domain_challenges (provider_id, domain, token, requester_hash, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, c.ProviderID, c.Domain, c.Token, c.RequesterHash, c.CreatedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("postgres: challenge of %s: %w", c.ProviderID, err)
	}
	return id, nil
}

// Challenge returns a provider's challenge.
func (s *Store) Challenge(ctx context.Context, providerID string, id int64) (store.Challenge, error) {
	c := store.Challenge{ID: id, ProviderID: providerID}
	var verified *time.Time
	err := s.pool.QueryRow(ctx, `SELECT domain, token, requester_hash, method, created_at, verified_at FROM domain_challenges
		WHERE id = $1 AND provider_id = $2`, id, providerID).Scan(&c.Domain, &c.Token, &c.RequesterHash, &c.Method, &c.CreatedAt, &verified)
	c.VerifiedAt = orZero(verified)
	if err != nil {
		return c, notFound(err, fmt.Sprintf("challenge %d of %s", id, providerID))
	}
	return c, nil
}

// ChallengeVerified records how a challenge was answered.
func (s *Store) ChallengeVerified(ctx context.Context, id int64, method string, at time.Time) error {
	return s.exec(ctx, fmt.Sprintf("challenge %d", id), `UPDATE domain_challenges SET method = $1, verified_at = $2 WHERE id = $3`,
		method, at.UTC(), id)
}

// AddAudit appends to the audit log.
func (s *Store) AddAudit(ctx context.Context, e store.AuditEntry) error {
	details := e.Details
	if len(details) == 0 {
		details = []byte("{}")
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_log (at, actor_kind, actor, action, target, details) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.At.UTC(), e.ActorKind, e.Actor, e.Action, e.Target, string(details))
	if err != nil {
		return fmt.Errorf("postgres: audit %s by %s: %w", e.Action, e.Actor, err)
	}
	return nil
}

// ListAudit returns audit entries, newest first.
func (s *Store) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	q, args := `SELECT id, at, actor_kind, actor, action, target, details FROM audit_log WHERE true`, []any{}
	if f.Actor != "" {
		args = append(args, f.Actor)
		q += fmt.Sprintf(` AND actor = $%d`, len(args))
	}
	if f.Action != "" {
		args = append(args, f.Action)
		q += fmt.Sprintf(` AND action = $%d`, len(args))
	}
	q += ` ORDER BY id DESC`
	if f.Limit > 0 {
		args = append(args, f.Limit, max(f.Offset, 0))
		q += fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	}
	rows, _ := s.pool.Query(ctx, q, args...)
	out, err := collect(rows, func(row pgx.CollectableRow) (store.AuditEntry, error) {
		var e store.AuditEntry
		var details string
		err := row.Scan(&e.ID, &e.At, &e.ActorKind, &e.Actor, &e.Action, &e.Target, &details)
		e.Details = []byte(details)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	return out, nil
}
