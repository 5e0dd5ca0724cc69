package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"qlink/internal/store"
)

// CreateAccount adds an operator; a taken name is store.ErrExists.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO accounts (name, password_hash, created_at) VALUES (?, ?, ?)`,
		a.Name, a.PasswordHash, a.CreatedAt.UTC())
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("account %q: %w", a.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("sqlite: account %q: %w", a.Name, err)
	}
	return nil
}

const accountColumns = `name, password_hash, created_at, failed_attempts, locked_until`

func scanAccount(row interface{ Scan(...any) error }) (store.Account, error) {
	var a store.Account
	var locked sql.NullTime
	err := row.Scan(&a.Name, &a.PasswordHash, &a.CreatedAt, &a.FailedAttempts, &locked)
	a.LockedUntil = locked.Time
	return a, err
}

// Account returns one operator.
func (s *Store) Account(ctx context.Context, name string) (store.Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("account %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("sqlite: account %q: %w", name, err)
	}
	return a, nil
}

// ListAccounts returns all operators by name.
func (s *Store) ListAccounts(ctx context.Context) ([]store.Account, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: accounts: %w", err)
	}
	defer rows.Close()
	var out []store.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetPassword replaces the hash, unlocks and signs the operator out.
func (s *Store) SetPassword(ctx context.Context, name, hash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ?, failed_attempts = 0, locked_until = NULL WHERE name = ?`, hash, name)
		if err != nil {
			return fmt.Errorf("sqlite: account %q: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("account %q: %w", name, store.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE kind = 'admin' AND subject = ?`, name); err != nil {
			return fmt.Errorf("sqlite: sessions of %q: %w", name, err)
		}
		return nil
	})
}

// LoginFailed counts a failure and locks the account at the max-th.
func (s *Store) LoginFailed(ctx context.Context, name string, at time.Time, max int, lockFor time.Duration) (store.Account, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET failed_attempts = failed_attempts + 1 WHERE name = ?`, name)
		if err != nil {
			return fmt.Errorf("sqlite: account %q: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("account %q: %w", name, store.ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET failed_attempts = 0, locked_until = ? WHERE name = ? AND failed_attempts >= ?`,
			at.Add(lockFor).UTC(), name, max)
		if err != nil {
			return fmt.Errorf("sqlite: account %q: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return store.Account{}, err
	}
	return s.Account(ctx, name)
}

// Unlock clears failures and the lock.
func (s *Store) Unlock(ctx context.Context, name string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("sqlite: account %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("account %q: %w", name, store.ErrNotFound)
	}
	return nil
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, ss store.Session) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (token_hash, kind, subject, provider_id, created_at, expires_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ss.TokenHash, string(ss.Kind), ss.Subject, ss.ProviderID,
		ss.CreatedAt.UTC(), ss.ExpiresAt.UTC(), ss.LastSeenAt.UTC())
	if err != nil {
		return fmt.Errorf("sqlite: session of %s %q: %w", ss.Kind, ss.Subject, err)
	}
	return nil
}

// Session returns a session by its token's hash.
func (s *Store) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	ss := store.Session{TokenHash: tokenHash}
	var kind string
	err := s.db.QueryRowContext(ctx, `SELECT kind, subject, provider_id, created_at, expires_at, last_seen_at FROM sessions
		WHERE token_hash = ?`, tokenHash).Scan(&kind, &ss.Subject, &ss.ProviderID, &ss.CreatedAt, &ss.ExpiresAt, &ss.LastSeenAt)
	ss.Kind = store.SessionKind(kind)
	if errors.Is(err, sql.ErrNoRows) {
		return ss, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	if err != nil {
		return ss, fmt.Errorf("sqlite: session: %w", err)
	}
	return ss, nil
}

// TouchSession records activity on a session.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, at.UTC(), tokenHash); err != nil {
		return fmt.Errorf("sqlite: session: %w", err)
	}
	return nil
}

// DeleteSession ends a session; an unknown one is no error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("sqlite: session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions expired before at.
func (s *Store) DeleteExpiredSessions(ctx context.Context, at time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, at.UTC())
	if err != nil {
		return 0, fmt.Errorf("sqlite: expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// AddChallenge stores a domain challenge.
func (s *Store) AddChallenge(ctx context.Context, c store.Challenge) (int64, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO domain_challenges (provider_id, domain, token, requester_hash, created_at)
		VALUES (?, ?, ?, ?, ?)`, c.ProviderID, c.Domain, c.Token, c.RequesterHash, c.CreatedAt.UTC())
	if err != nil {
		return 0, fmt.Errorf("sqlite: challenge of %s: %w", c.ProviderID, err)
	}
	return res.LastInsertId()
}

// Challenge returns a provider's challenge.
func (s *Store) Challenge(ctx context.Context, providerID string, id int64) (store.Challenge, error) {
	c := store.Challenge{ID: id, ProviderID: providerID}
	var verified sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT domain, token, requester_hash, method, created_at, verified_at FROM domain_challenges
		WHERE id = ? AND provider_id = ?`, id, providerID).Scan(&c.Domain, &c.Token, &c.RequesterHash, &c.Method, &c.CreatedAt, &verified)
	c.VerifiedAt = verified.Time
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("challenge %d of %s: %w", id, providerID, store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("sqlite: challenge %d: %w", id, err)
	}
	return c, nil
}

// ChallengeVerified records how a challenge was answered.
func (s *Store) ChallengeVerified(ctx context.Context, id int64, method string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE domain_challenges SET method = ?, verified_at = ? WHERE id = ?`, method, at.UTC(), id)
	if err != nil {
		return fmt.Errorf("sqlite: challenge %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("challenge %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// SetSourcePaused pauses or resumes a source.
func (s *Store) SetSourcePaused(ctx context.Context, sourceID string, paused bool) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sources SET paused = ? WHERE id = ?`, paused, sourceID)
	if err != nil {
		return fmt.Errorf("sqlite: source %s: %w", sourceID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("source %s: %w", sourceID, store.ErrNotFound)
	}
	return nil
}

// AddAudit appends to the audit log.
func (s *Store) AddAudit(ctx context.Context, e store.AuditEntry) error {
	details := e.Details
	if len(details) == 0 {
		details = []byte("{}")
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO audit_log (at, actor_kind, actor, action, target, details) VALUES (?, ?, ?, ?, ?, ?)`,
		e.At.UTC(), e.ActorKind, e.Actor, e.Action, e.Target, string(details))
	if err != nil {
		return fmt.Errorf("sqlite: audit %s by %s: %w", e.Action, e.Actor, err)
	}
	return nil
}

// ListAudit returns audit entries, newest first.
func (s *Store) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	q := `SELECT id, at, actor_kind, actor, action, target, details FROM audit_log WHERE 1 = 1`
	var args []any
	if f.Actor != "" {
		q += ` AND actor = ?`
		args = append(args, f.Actor)
	}
	if f.Action != "" {
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	q += ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var details string
		if err := rows.Scan(&e.ID, &e.At, &e.ActorKind, &e.Actor, &e.Action, &e.Target, &details); err != nil {
			return nil, fmt.Errorf("sqlite: audit log: %w", err)
		}
		e.Details = []byte(details)
		out = append(out, e)
	}
	return out, rows.Err()
}
