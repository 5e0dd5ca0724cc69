package testfed

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// A federation that never changes shows neither history nor withdrawn
// courses nor failing servers. Evolve makes one round of the small
// changes real institutions make between two harvests, chosen by the
// seed and the round, so a test knows exactly what a harvest must see.

// Change is one course that Evolve edited, withdrew or added.
type Change struct {
	SCHAC    string // the institution
	Source   string // the source's manifest id
	Format   string // the source's format
	CourseID string
}

// Evolution says what one round of Evolve changed.
type Evolution struct {
	Round int
	// Edited is a course whose title changed; Withdrawn one that is no
	// longer published; Added a new one.
	Edited, Withdrawn, Added Change
	// Failing is the SCHAC code of the institution whose data servers
	// answer 503 until the next round (manifests and DNS still answer).
	Failing string
}

// evolution is the mutable state of a federation that Evolve changes.
type evolution struct {
	mu    sync.RWMutex
	round int
	// failing is the index of the institution whose data servers fail
	// (-1: none).
	failing int
	// renderers are the data sources' renderers, by institution index,
	// so a changed source is rendered afresh.
	renderers map[int][]*renderer
}

// renderer serves a data source, rendered on its first request and again
// after a reset.
type renderer struct {
	mu     sync.Mutex
	render func() api
	a      api
}

func (r *renderer) serve(w http.ResponseWriter, req *http.Request, rel string) {
	r.mu.Lock()
	if r.a == nil {
		r.a = r.render()
	}
	a := r.a
	r.mu.Unlock()
	a.serve(w, req, rel)
}

func (r *renderer) reset() {
	r.mu.Lock()
	r.a = nil
	r.mu.Unlock()
}

// mountData returns the handler of one data source of institution k: it
// fails with 503 while the institution is failing.
func (e *evolution) mountData(k int, render func() api) func(http.ResponseWriter, *http.Request, string) {
	r := &renderer{render: render}
	e.renderers[k] = append(e.renderers[k], r)
	return func(w http.ResponseWriter, req *http.Request, rel string) {
		e.mu.RLock()
		failing := e.failing == k
		e.mu.RUnlock()
		if failing {
			// A long Retry-After: a harvester gives up at once instead
			// of retrying against a server that stays down this round.
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "testfed: the server is failing this round", http.StatusServiceUnavailable)
			return
		}
		r.serve(w, req, rel)
	}
}

// Evolve applies the next round of changes: in four different
// well-behaved institutions (fewer in a small federation, where none fails), one course's title is edited, one course is
// withdrawn, one course is added, and one institution's data servers
// answer 503 until the next round. Courses that belong to a programme or
// an alliance catalogue are left alone, so each change touches exactly
// one record. The choice depends only on the seed and the round. Call
// Institutions again for the new ground truth.
func (f *Federation) Evolve() Evolution {
	f.evo.mu.Lock()
	defer f.evo.mu.Unlock()
	f.evo.round++
	ev := Evolution{Round: f.evo.round}
	r := rand.New(rand.NewPCG(uint64(f.seed), uint64(ev.Round)))
	var candidates []int
	for k := range f.insts {
		if f.insts[k].Misbehavior == "" && len(changeable(&f.insts[k])) > 0 {
			candidates = append(candidates, k)
		}
	}
	if len(candidates) == 0 {
		return ev
	}
	r.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	// Evolve stamps what it changes with the wall clock: a delta harvest
	// asks for what changed since its last run, which ran on that clock.
	stamp := time.Now().UTC().Add(time.Second).Truncate(time.Second)
	ev.Edited = f.change(candidates[0%len(candidates)], r, func(src *Source, i int) {
		c := &src.Courses[i]
		c.Name = slices.Clone(c.Name)
		for j := range c.Name {
			c.Name[j].Value += fmt.Sprintf(" (%d)", ev.Round)
		}
		c.Modified = stamp
	})
	ev.Withdrawn = f.change(candidates[1%len(candidates)], r, func(src *Source, i int) {
		src.Courses = slices.Delete(src.Courses, i, i+1)
	})
	ev.Added = f.change(candidates[2%len(candidates)], r, func(src *Source, i int) {
		c := src.Courses[i]
		c.ID = stableUUID(f.seed, "evolve", strconv.Itoa(ev.Round), c.ID)
		c.Code = fmt.Sprintf("%s-N%d", c.Code, ev.Round)
		c.Name = slices.Clone(c.Name)
		for j := range c.Name {
			c.Name[j].Value += fmt.Sprintf(" — new in round %d", ev.Round)
		}
		c.Offerings = slices.Clone(c.Offerings)
		for j := range c.Offerings {
			c.Offerings[j].ID = stableUUID(f.seed, "evolve", strconv.Itoa(ev.Round), c.Offerings[j].ID)
			c.Offerings[j].Code = fmt.Sprintf("%s-N%d", c.Offerings[j].Code, ev.Round)
		}
		c.Modified = stamp
		src.Courses = append(src.Courses, c)
	})
	ev.Added.CourseID = f.lastAdded(ev.Added)
	// A federation of fewer than four such institutions changes some of
	// them twice and has none failing: a failing one would hide its own
	// changes for the round.
	if len(candidates) >= 4 {
		f.evo.failing = candidates[3]
		ev.Failing = f.insts[candidates[3]].SCHAC
	} else {
		f.evo.failing = -1
	}
	return ev
}

// change applies edit to a random changeable course of institution k, on
// copies of its sources and courses (callers of Institutions keep the
// truth they were given), renders its sources afresh and says what it
// changed.
func (f *Federation) change(k int, r *rand.Rand, edit func(src *Source, i int)) Change {
	in := &f.insts[k]
	in.Sources = slices.Clone(in.Sources)
	spots := changeable(in)
	spot := spots[r.IntN(len(spots))]
	src := &in.Sources[spot[0]]
	src.Courses = slices.Clone(src.Courses)
	ch := Change{SCHAC: in.SCHAC, Source: src.ID, Format: src.Type, CourseID: src.Courses[spot[1]].ID}
	edit(src, spot[1])
	for _, rd := range f.evo.renderers[k] {
		rd.reset()
	}
	return ch
}

// lastAdded returns the ID of the course just appended to a source.
func (f *Federation) lastAdded(ch Change) string {
	for _, in := range f.insts {
		for _, src := range in.Sources {
			if in.SCHAC == ch.SCHAC && src.ID == ch.Source {
				return src.Courses[len(src.Courses)-1].ID
			}
		}
	}
	return ""
}

// changeable lists the courses Evolve may change, as (source, course)
// positions: in no programme, no alliance catalogue, without quirks.
func changeable(in *Institution) [][2]int {
	var out [][2]int
	for s, src := range in.Sources {
		if src.Alliance != "" || len(src.Courses) < 2 {
			continue
		}
		for c, course := range src.Courses {
			if len(course.Programs) == 0 && course.Alliance == "" && len(course.Quirks) == 0 {
				out = append(out, [2]int{s, c})
			}
		}
	}
	return out
}
