package store

import (
	"context"
	"errors"
	"time"
)

// ErrExists is returned when a record with the same name already exists.
var ErrExists = errors.New("store: already exists")

// Accounts keeps who may change things: operator accounts, the sessions of
// operators and providers, the domain challenges providers answer to get
// one, the audit log of what they did, and the pause switch of sources.
type Accounts interface {
	// CreateAccount adds an operator; a taken name is ErrExists.
	CreateAccount(ctx context.Context, a Account) error
	Account(ctx context.Context, name string) (Account, error)
	// ListAccounts returns all operators ordered by name.
	ListAccounts(ctx context.Context) ([]Account, error)
	// SetPassword replaces an operator's hash, clears failures and the
	// lock, and ends the operator's sessions.
	SetPassword(ctx context.Context, name, hash string) error
	// LoginFailed counts a failed sign-in; the failure that reaches max
	// locks the account until at+lockFor and starts the count again. It
	// returns the account as it is now.
	LoginFailed(ctx context.Context, name string, at time.Time, max int, lockFor time.Duration) (Account, error)
	// Unlock clears an operator's failures and lock (also after a
	// successful sign-in).
	Unlock(ctx context.Context, name string) error

	CreateSession(ctx context.Context, s Session) error
	// Session returns the session whose token hashes to tokenHash,
	// expired or not: the caller decides.
	Session(ctx context.Context, tokenHash string) (Session, error)
	// TouchSession records activity on a session.
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteExpiredSessions removes sessions that expired before at.
	DeleteExpiredSessions(ctx context.Context, at time.Time) (int, error)

	// AddChallenge stores a new domain challenge and returns its ID.
	AddChallenge(ctx context.Context, c Challenge) (int64, error)
	// Challenge returns a provider's challenge by ID; another provider's
	// is ErrNotFound.
	Challenge(ctx context.Context, providerID string, id int64) (Challenge, error)
	// ChallengeVerified records that a challenge was answered, and how.
	ChallengeVerified(ctx context.Context, id int64, method string, at time.Time) error

	// SetSourcePaused pauses or resumes a source.
	SetSourcePaused(ctx context.Context, sourceID string, paused bool) error

	AddAudit(ctx context.Context, e AuditEntry) error
	// ListAudit returns entries newest first.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// Account is an operator.
type Account struct {
	Name string
	// PasswordHash is a PHC string that carries its own parameters.
	PasswordHash   string
	CreatedAt      time.Time
	FailedAttempts int
	// LockedUntil is zero when the account is not locked.
	LockedUntil time.Time
}

// Locked reports whether the account refuses sign-ins at t.
func (a Account) Locked(t time.Time) bool { return t.Before(a.LockedUntil) }

// SessionKind says who a session belongs to.
type SessionKind string

// Session kinds.
const (
	SessionAdmin    SessionKind = "admin"
	SessionProvider SessionKind = "provider"
)

// Session is a signed-in operator or provider.
type Session struct {
	// TokenHash is the hex SHA-256 of the cookie's token; the token
	// itself is never stored.
	TokenHash string
	Kind      SessionKind
	// Subject is the operator's name, or for a provider the domain it
	// proved control of.
	Subject string
	// ProviderID is the provider a provider session acts for.
	ProviderID string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// Challenge is a token a provider publishes to prove control of a domain.
type Challenge struct {
	ID         int64
	ProviderID string
	Domain     string
	Token      string
	// RequesterHash is the SHA-256 of a secret the requesting browser
	// holds: the token is public once published, so it alone must not
	// sign anyone in.
	RequesterHash string
	// Method is how it was proved (dns-txt, well-known); empty until then.
	Method     string
	CreatedAt  time.Time
	VerifiedAt time.Time
}

// AuditEntry is one recorded action of an operator or a provider.
type AuditEntry struct {
	ID        int64
	At        time.Time
	ActorKind string
	Actor     string
	Action    string
	Target    string
	// Details is a JSON object ("{}" when there is nothing to add).
	Details []byte
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	Actor  string
	Action string
	Limit  int
	Offset int
}
