package testfed

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"
)

// Options configure a federation. The zero value is usable: every field has
// a default.
type Options struct {
	// Institutions is the number of well-behaved institutions (default 25).
	Institutions int
	// CoursesPerInstitution is the number of courses each institution
	// publishes across its sources (default: 40 to 90, as the
	// seed draws). A running federation generates an institution's
	// courses when its data servers are first asked and keeps those of
	// the few institutions served last, so 1000 institutions of 1000
	// courses take some 100 MiB while harvested; Generate and
	// [Federation.Institutions] hold them all, about 3 KiB a course.
	CoursesPerInstitution int
	// Seed selects the generated data (default 1; 0 means the default).
	Seed int64
	// Now is the reference date: academic years, offering dates and the
	// OOAPI default `since` are computed from it, never from the clock.
	// Default: today in UTC, truncated to the day.
	Now time.Time
	// Logger receives one debug record per request served (nil: discard).
	Logger *slog.Logger
	// Misbehaving adds one extra institution per [Misbehavior] of
	// discovery (no manifest, a malformed one), after the well-behaved
	// ones, to exercise error reporting.
	Misbehaving bool
	// Formats lists the source formats institutions publish in:
	// [FormatOOAPI], [FormatEduAPI], [FormatOCCAPI], [FormatELM]. Nil means OOAPI only,
	// exactly the federation of earlier versions. With n formats,
	// institution i's main source uses Formats[(i+i/n) mod n] and its
	// alliance virtual-campus source, if any, the next one, so every
	// format meets every discovery variant and language tagging. The data
	// are the same whatever the formats, apart from what a format cannot
	// publish (see [Source]).
	Formats []string
	// Hostile adds one institution per entry, after all others, whose data
	// server misbehaves as the entry says ([HostileProfiles] makes them
	// from profile names).
	Hostile []Hostile
	// HostileLater makes the hostile data servers behave until
	// [Federation.TurnHostile], so a test can check that a misbehaving
	// source keeps what an earlier harvest stored. It holds for the
	// profiles served by wrapping a data server (see [Profile].Later);
	// the others misbehave from the start.
	HostileLater bool
	// Port and DNSPort, when set, are the port of the web servers and of
	// the DNS server (on 127.0.0.1) instead of free ones: a federation
	// started again on the same day with the same options and ports
	// serves what the last one did, under the same URLs, so a data
	// directory that harvested one can be refreshed from the other.
	Port, DNSPort int
	// Wrap, when set, wraps the handler of each of the federation's HTTP
	// servers: a test watches or holds requests with it.
	Wrap func(http.Handler) http.Handler
}

// Hostile is an institution whose data server misbehaves in one format.
type Hostile struct {
	Misbehavior Misbehavior
	// Format is the format of the institution's sources; "" means the
	// first of Options.Formats.
	Format string
}

// valid reports whether the format can show the misbehaviour (see
// [Profile].Formats): paging misbehaviours need a paged format, foreign
// links a linked one, XML bombs an RDF file.
func (h Hostile) valid() bool {
	p, ok := ProfileOf(h.Misbehavior)
	return ok && slices.Contains(p.Formats, h.Format)
}

// The source formats.
const (
	FormatOOAPI  = "ooapi"
	FormatEduAPI = "edu-api"
	FormatOCCAPI = "occapi"
	// FormatELM publishes one static ELM file (Turtle, RDF/XML or JSON-LD).
	FormatELM = "elm"
)

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
	if len(o.Formats) == 0 {
		o.Formats = []string{FormatOOAPI}
	}
	o.Hostile = slices.Clone(o.Hostile)
	for i, h := range o.Hostile {
		if h.Format == "" {
			o.Hostile[i].Format = o.Formats[0]
		}
	}
	return o
}

// validate reports options no federation can honour.
func (o Options) validate() error {
	for _, f := range o.Formats {
		if f != FormatOOAPI && f != FormatEduAPI && f != FormatOCCAPI && f != FormatELM {
			return fmt.Errorf("testfed: unknown format %q", f)
		}
	}
	for _, h := range o.Hostile {
		if !h.valid() {
			return fmt.Errorf("testfed: a %s server cannot show %q", h.Format, h.Misbehavior)
		}
	}
	return nil
}

// total returns the number of institutions o makes.
func (o Options) total() int {
	n := o.Institutions + len(o.Hostile)
	if o.Misbehaving {
		n += len(misbehaviors)
	}
	return n
}

// misbehaviorOf returns the misbehaviour of institution i, if any.
func (o Options) misbehaviorOf(i int) (Misbehavior, *Hostile) {
	k := i - o.Institutions
	switch {
	case k < 0:
		return "", nil
	case o.Misbehaving && k < len(misbehaviors):
		return misbehaviors[k], nil
	case o.Misbehaving:
		k -= len(misbehaviors)
	}
	return o.Hostile[k].Misbehavior, &o.Hostile[k]
}

// dayOf returns midnight UTC of t's date in UTC.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
