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
	// edits are Evolve's changes by institution index, in the order made.
	// They are applied each time an institution is generated, so the
	// federation stores no courses; a slice is only ever appended to.
	edits map[int][]edit
}

// editKind is what an edit does to a course.
type editKind int

const (
	editTitle editKind = iota
	editWithdraw
	editAdd
)

// edit is one change Evolve made to an institution: to the course with
// id course in its source'th source, in round.
type edit struct {
	kind   editKind
	round  int
	source int
	course string
	stamp  time.Time // the Modified time of an edited or added course
}

// apply makes the edit on a freshly generated institution.
func (e edit) apply(in *Institution, seed int64) {
	src := &in.Sources[e.source]
	i := slices.IndexFunc(src.Courses, func(c Course) bool { return c.ID == e.course })
	if i < 0 {
		panic("testfed: edit of a course that is not there: " + e.course)
	}
	switch e.kind {
	case editTitle:
		c := &src.Courses[i]
		c.Name = slices.Clone(c.Name)
		for j := range c.Name {
			c.Name[j].Value += fmt.Sprintf(" (%d)", e.round)
		}
		c.Modified = e.stamp
	case editWithdraw:
		src.Courses = slices.Delete(src.Courses, i, i+1)
	case editAdd:
		c := src.Courses[i]
		c.ID = addedID(seed, e.round, c.ID)
		c.Code = fmt.Sprintf("%s-N%d", c.Code, e.round)
		c.Name = slices.Clone(c.Name)
		for j := range c.Name {
			c.Name[j].Value += fmt.Sprintf(" — new in round %d", e.round)
		}
		c.Offerings = slices.Clone(c.Offerings)
		for j := range c.Offerings {
			c.Offerings[j].ID = addedID(seed, e.round, c.Offerings[j].ID)
			c.Offerings[j].Code = fmt.Sprintf("%s-N%d", c.Offerings[j].Code, e.round)
		}
		c.Modified = e.stamp
		src.Courses = append(src.Courses, c)
	}
}

// addedID is the id of a record Evolve adds in round, copied from the
// record with id from.
func addedID(seed int64, round int, from string) string {
	return stableUUID(seed, "evolve", strconv.Itoa(round), from)
}

// editsOf returns the edits made so far to institution k.
func (e *evolution) editsOf(k int) []edit {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.edits[k]
}

// failWhenFailing wraps the handler of one data source of institution k:
// it fails with 503 while the institution is failing.
func (e *evolution) failWhenFailing(k int, serve serveFunc) serveFunc {
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
		serve(w, req, rel)
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
	candidates := f.changeableInstitutions(r, 4)
	if len(candidates) == 0 {
		return ev
	}
	// Evolve stamps what it changes with the wall clock: a delta harvest
	// asks for what changed since its last run, which ran on that clock.
	stamp := time.Now().UTC().Add(time.Second).Truncate(time.Second)
	for n, kind := range []editKind{editTitle, editWithdraw, editAdd} {
		ch := f.change(candidates[n%len(candidates)], r, edit{kind: kind, round: ev.Round, stamp: stamp})
		switch kind {
		case editTitle:
			ev.Edited = ch
		case editWithdraw:
			ev.Withdrawn = ch
		case editAdd:
			ch.CourseID = addedID(f.seed, ev.Round, ch.CourseID)
			ev.Added = ch
		}
	}
	// A federation of fewer than four such institutions changes some of
	// them twice and has none failing: a failing one would hide its own
	// changes for the round.
	if len(candidates) >= 4 {
		f.evo.failing = candidates[3]
		ev.Failing = f.skel[candidates[3]].SCHAC
	} else {
		f.evo.failing = -1
	}
	return ev
}

// changeableInstitutions returns up to n well-behaved institutions that
// have a course Evolve may change, in an order drawn from r. Only the
// institutions looked at are generated: in a federation of a thousand,
// the first n of the order nearly always do.
func (f *Federation) changeableInstitutions(r *rand.Rand, n int) []int {
	var order []int
	for k := range f.skel {
		if f.skel[k].Misbehavior == "" && len(f.skel[k].Sources) > 0 {
			order = append(order, k)
		}
	}
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var out []int
	for _, k := range order {
		if in := f.generate(k, f.evo.edits[k]); len(changeable(&in)) > 0 {
			if out = append(out, k); len(out) == n {
				break
			}
		}
	}
	return out
}

// change picks a random changeable course of institution k as it is now,
// records e on it and says what it changes (the course as it was). The
// institution is generated again from then on: cached copies are stale.
// The caller holds f.evo.mu.
func (f *Federation) change(k int, r *rand.Rand, e edit) Change {
	in := f.generate(k, f.evo.edits[k])
	spots := changeable(&in)
	spot := spots[r.IntN(len(spots))]
	src := &in.Sources[spot[0]]
	e.source, e.course = spot[0], src.Courses[spot[1]].ID
	f.evo.edits[k] = append(f.evo.edits[k], e)
	return Change{SCHAC: in.SCHAC, Source: src.ID, Format: src.Type, CourseID: e.course}
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
