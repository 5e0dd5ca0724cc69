package fetch

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// RetryPolicy says when a failed GET is tried again. Only failures that
// may pass are retried: 429 and 503 (waiting as Retry-After asks), 502
// and 504, and connections that failed or dropped. Timeouts are not
// retried: a server that did not answer within Timeout is usually
// overloaded, and asking again would cost another Timeout each.
type RetryPolicy struct {
	// Attempts is the most tries in all (default 3; 1 turns retries off).
	Attempts int
	// MaxElapsed stops retrying when the next try would start later than
	// this after the first (default 2 minutes).
	MaxElapsed time.Duration
	// MaxWait is the longest wait before one retry. A server asking for a
	// longer Retry-After gets no retry: the error carries its wish
	// instead, for the scheduler (default 30 seconds).
	MaxWait time.Duration
	// BaseWait is the first back-off interval, which then doubles, with
	// jitter (default 1 second).
	BaseWait time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 3
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = 2 * time.Minute
	}
	if p.MaxWait <= 0 {
		p.MaxWait = 30 * time.Second
	}
	if p.BaseWait <= 0 {
		p.BaseWait = time.Second
	}
	return p
}

func (p RetryPolicy) backOff() *backoff.ExponentialBackOff {
	b := &backoff.ExponentialBackOff{InitialInterval: p.BaseWait, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: p.MaxWait}
	b.Reset()
	return b
}

// next says whether err is worth another try and how long to wait first.
func (p RetryPolicy) next(err error, b *backoff.ExponentialBackOff) (time.Duration, bool) {
	var fe *Error
	if !errors.As(err, &fe) {
		return 0, false
	}
	switch {
	case fe.Kind == KindNetwork:
	case fe.Kind == KindStatus && retryableStatus(fe.Status):
		if fe.RetryAfter > 0 {
			return fe.RetryAfter, fe.RetryAfter <= p.MaxWait
		}
	default:
		return 0, false
	}
	return min(b.NextBackOff(), p.MaxWait), true
}

func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryAfter reads a Retry-After value: delay-seconds or an HTTP-date
// (RFC 9110 §10.2.3). It returns 0 when the header is absent or invalid,
// and a past date as a minimal wait rather than none.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > int64(24*time.Hour/time.Second) {
			return 0
		}
		return max(time.Duration(secs)*time.Second, time.Millisecond)
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return max(t.Sub(now), time.Millisecond)
}
