package harvest

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Limits bound what one source and one provider may cost, and when a run
// is too destructive to apply without a second look. Zero fields take the
// defaults below, which are also the configuration's.
type Limits struct {
	// MaxRemovalPercent: a complete run that would remove more than this
	// share of a source's live courses is suspicious.
	MaxRemovalPercent int
	// MaxRunBytes caps the bytes one source run reads (all pages).
	MaxRunBytes int64
	// MaxRunPages caps the requests of one source run, over all its
	// endpoints (MaxPages caps each pagination loop).
	MaxRunPages int
	// MaxRecords caps the records one source run may yield.
	MaxRecords int
	// ProviderTimeout bounds discovery and every source run of one
	// provider together.
	ProviderTimeout time.Duration
	// KeepSnapshots is how many distinct snapshots of a source are kept.
	KeepSnapshots int
	// MaxSources caps the sources one manifest may list.
	MaxSources int
}

// Default limits, sized for the largest real institution with room to
// spare: about 20,000 courses, each with a page of offerings in OOAPI,
// paged 100 at a time, is some 21,000 requests and a few hundred MB.
const (
	DefaultMaxRemovalPercent = 50
	DefaultMaxRunBytes       = 2 << 30
	DefaultMaxRunPages       = 50000
	DefaultMaxRecords        = 200000
	DefaultProviderTimeout   = 30 * time.Minute
	DefaultKeepSnapshots     = 5
	DefaultMaxSources        = 100
)

func (l Limits) withDefaults() Limits {
	or := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	l.MaxRemovalPercent = or(l.MaxRemovalPercent, DefaultMaxRemovalPercent)
	l.MaxRunPages = or(l.MaxRunPages, DefaultMaxRunPages)
	l.MaxRecords = or(l.MaxRecords, DefaultMaxRecords)
	l.KeepSnapshots = or(l.KeepSnapshots, DefaultKeepSnapshots)
	l.MaxSources = or(l.MaxSources, DefaultMaxSources)
	if l.MaxRunBytes <= 0 {
		l.MaxRunBytes = DefaultMaxRunBytes
	}
	if l.ProviderTimeout <= 0 {
		l.ProviderTimeout = DefaultProviderTimeout
	}
	return l
}

// BudgetError says which budget a run exceeded. It is the cause of the
// run's cancelled context; a run that ends with it changes nothing.
type BudgetError struct {
	// What was exceeded and the limit, in words.
	What    string
	Setting string
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("stopped: %s (setting %s); nothing was changed", e.What, e.Setting)
}

// budgetCause returns the BudgetError that stopped ctx, if any.
func budgetCause(ctx context.Context) error {
	var be *BudgetError
	if errors.As(context.Cause(ctx), &be) {
		return be
	}
	return nil
}

// byteSize writes n bytes for people.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}
