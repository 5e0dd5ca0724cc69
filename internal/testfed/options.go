package testfed

import (
	"log/slog"
	"time"
)

// Options configure a federation. The zero value is usable: every field has
// a default.
type Options struct {
	// Institutions is the number of well-behaved institutions (default 25).
	Institutions int
	// Seed selects the generated data (default 1; 0 means the default).
	Seed int64
	// Now is the reference date: academic years, offering dates and the
	// OOAPI default `since` are computed from it, never from the clock.
	// Default: today in UTC, truncated to the day.
	Now time.Time
	// Logger receives one debug record per request served (nil: discard).
	Logger *slog.Logger
	// Misbehaving adds one extra institution per [Misbehavior], after the
	// well-behaved ones, to exercise error reporting.
	Misbehaving bool
}

// withDefaults returns o with every unset field set to its default.
func (o Options) withDefaults() Options {
	if o.Institutions <= 0 {
		o.Institutions = 25
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = dayOf(o.Now)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// dayOf returns midnight UTC of t's date in UTC.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
