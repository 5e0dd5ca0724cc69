package harvest

import (
	"time"

	"qlink/internal/store"
)

// RefreshInterval is how often a source's manifest entry asks to be
// harvested (its "refresh", in hours); zero when it does not say. The
// scheduler clamps it to the operator's floor and ceiling.
func RefreshInterval(src store.Source) (time.Duration, error) {
	entry, err := sourceEntry(src)
	if err != nil {
		return 0, err
	}
	return time.Duration(entry.Refresh * float64(time.Hour)), nil
}
