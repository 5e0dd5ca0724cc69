package config

import (
	"errors"
	"time"
)

// AccountsConfig tunes sign-in and sessions (qlink serve).
type AccountsConfig struct {
	// SessionTTL bounds a session's life; SessionIdle ends one nobody
	// used for that long.
	SessionTTL  time.Duration
	SessionIdle time.Duration
	// MaxFailures failed sign-ins in a row lock an operator account for
	// Lockout; Lockout is also the window of the per-address limit.
	MaxFailures int
	Lockout     time.Duration
}

func defaultAccounts() AccountsConfig {
	return AccountsConfig{SessionTTL: 12 * time.Hour, SessionIdle: time.Hour, MaxFailures: 5, Lockout: 15 * time.Minute}
}

func (a AccountsConfig) validate() []error {
	var errs []error
	if a.SessionIdle < time.Minute || a.SessionTTL < a.SessionIdle {
		errs = append(errs, errors.New("session-idle must be at least 1m, and session-ttl at least session-idle"))
	}
	if a.MaxFailures < 1 || a.Lockout < time.Minute {
		errs = append(errs, errors.New("login-max-failures must be at least 1 and login-lockout at least 1m"))
	}
	return errs
}
