package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"io"
	"time"

	"qlink/internal/gencache"
	"qlink/internal/markup"
	"qlink/internal/model"
	"qlink/internal/store"
)

// At a million courses, a page of results was mostly its twenty courses:
// their stored JSON decoded into the model, then presented (some two
// thirds of the API's CPU, a third of the catalogue page's). What a list
// shows of a course depends only on the stored course, the providers'
// snapshot and the labels, so it is kept per course, in two forms: the
// API's encoded item (items) and the catalogue's card in every language
// (cards). Both are kept for as long as the store's content version
// (store.Versioned) and the version the providers' snapshot was read at
// stay the same. A store that cannot name its version keeps nothing:
// every item and card is made afresh.
//
// A card still went through the page's template at every page, and
// html/template's escaping of twenty cards was much of a catalogue page's
// CPU (a tenth of serve's under load at a million courses). So each card
// is also kept as the HTML of its entry in a result list (shown), per
// course, interface language, the languages its texts were shown in and
// day (the next start date depends on it).

// itemBytes, cardBytes and shownBytes bound what is kept: some 90,000
// items of the million-course benchmark (about 3.5 KB each; the items of
// 4,500 answers), 48,000 cards (about 1.3 KB) and as many list entries
// (about 1.2 KB). Answers repeat their first pages more than anything,
// and the API is asked twice as often as the pages. An item made afresh
// costs some 140 µs of CPU there (read, decoded, presented, encoded):
// under the benchmark's load, a third of the items' budget kept three in
// four of the items shown, and this budget nine in ten: 1.1 ms of CPU per
// answer instead of 1.3. A smaller catalogue never fills it.
const (
	itemBytes  = 320 << 20
	cardBytes  = 64 << 20
	shownBytes = 64 << 20
)

// KeptBytes is the memory what is kept of courses takes at most, unless
// Options.KeptBytes says otherwise.
const KeptBytes = itemBytes + cardBytes + shownBytes

type keptCourses struct {
	items *gencache.Cache[[]byte]
	cards *gencache.Cache[*courseCard]
	shown *gencache.Cache[template.HTML]
}

// newKeptCourses keeps up to budget bytes (0: KeptBytes), shared as
// between the defaults.
func newKeptCourses(budget int) keptCourses {
	if budget == 0 {
		budget = KeptBytes
	}
	share := func(n int) int { return int(int64(budget) * int64(n) / KeptBytes) }
	return keptCourses{items: gencache.New[[]byte](share(itemBytes)), cards: gencache.New[*courseCard](share(cardBytes)),
		shown: gencache.New[template.HTML](share(shownBytes))}
}

// keptGeneration names what is made from the store now: its version and
// the version the providers' snapshot was read at; "" when the store
// cannot tell, and then nothing is kept or served.
func (s *Server) keptGeneration(ctx context.Context) string {
	v := s.storeVersion()
	if v == "" {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadProvidersLocked(ctx); err != nil || s.providersVersion == "" {
		return ""
	}
	return v + "/" + s.providersVersion
}

// storeVersion is the store's content version, "" for a store that
// cannot name it.
func (s *Server) storeVersion() string {
	if vs, ok := s.opts.Store.(store.Versioned); ok {
		return vs.Version()
	}
	return ""
}

// perCourse returns what build makes of the courses ids, in that order,
// from cache where it was made under generation gen (keptGeneration; ""
// keeps nothing); unknown IDs are skipped. build returns the value and
// its size in bytes.
func perCourse[V any](ctx context.Context, s *Server, gen string, cache *gencache.Cache[V], ids []string,
	build func(store.Course) (V, int, error)) ([]V, error) {
	type found struct {
		v  V
		ok bool
	}
	byID := make(map[string]found, len(ids))
	var missing []string
	for _, id := range ids {
		if _, seen := byID[id]; seen {
			continue
		}
		var f found
		if gen != "" {
			f.v, f.ok = cache.Get(gen, id)
		}
		byID[id] = f
		if !f.ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		courses, err := s.opts.Store.CoursesByID(ctx, missing)
		if err != nil {
			return nil, err
		}
		for _, c := range courses {
			v, size, err := build(c)
			if err != nil {
				return nil, err
			}
			byID[c.Spec.ID] = found{v, true}
			if gen != "" {
				cache.Put(gen, c.Spec.ID, v, size)
			}
		}
	}
	out := make([]V, 0, len(ids))
	for _, id := range ids {
		if f := byID[id]; f.ok {
			out = append(out, f.v)
		}
	}
	return out, nil
}

// courseItems returns the API items of the courses ids, encoded.
func (s *Server) courseItems(ctx context.Context, ids []string) ([][]byte, error) {
	return perCourse(ctx, s, s.keptGeneration(ctx), s.kept.items, ids, func(c store.Course) ([]byte, int, error) {
		b, err := json.Marshal(s.presentCourse(ctx, c))
		return b, cap(b), err
	})
}

// itemsMarker is where an answer encoded without its items takes them:
// the first place it can occur, since only numbers come before it.
var itemsMarker = []byte(`"items":[]`)

var comma = []byte{','}

// writeSpliced writes an answer encoded with an empty "items" list, with
// the encoded items put into it, in pieces: the whole is never copied
// into one slice first.
func writeSpliced(w io.Writer, answer []byte, items [][]byte) {
	at := bytes.Index(answer, itemsMarker)
	if at < 0 {
		panic("web: an answer without its items list")
	}
	at += len(itemsMarker) - 1 // at the list's "]"
	w.Write(answer[:at])
	for i, it := range items {
		if i > 0 {
			w.Write(comma)
		}
		w.Write(it)
	}
	w.Write(answer[at:])
}

// courseCard is what a course's summary in a list is made of, in every
// language: the reader's language and today's date pick from it
// (summaries). Cards are shared by readers and never change once made.
type courseCard struct {
	id, providerID string
	title          model.Text
	// snippet holds the description's snippet in each of its languages.
	snippet          model.Text
	eqf, offerings   int
	ects             float64
	hasECTS          bool
	languages, modes []string
	typ              string
	starts           []time.Time
	inactive         bool
	lastSeen         time.Time
}

func newCourseCard(c store.Course) (*courseCard, int) {
	sp := c.Spec
	card := &courseCard{id: sp.ID, providerID: c.ProviderID, title: sp.Title, eqf: sp.EQFLevel, offerings: len(sp.Instances),
		languages: sp.Languages, modes: sp.Modes(), typ: sp.Type, inactive: c.Inactive, lastSeen: c.LastSeen}
	card.ects, card.hasECTS = sp.ECTS()
	size := 256 + len(card.id) + len(card.providerID) + len(card.typ)
	if len(sp.Description) > 0 {
		card.snippet = make(model.Text, len(sp.Description))
		for lang, desc := range sp.Description {
			card.snippet[lang] = markup.Snippet(desc, 220)
			size += 48 + len(lang) + len(card.snippet[lang])
		}
	}
	for lang, v := range card.title {
		size += 48 + len(lang) + len(v)
	}
	for _, l := range card.languages {
		size += 16 + len(l)
	}
	for _, m := range card.modes {
		size += 16 + len(m)
	}
	for _, in := range sp.Instances {
		if !in.Start.IsZero() {
			card.starts = append(card.starts, in.Start)
		}
	}
	return card, size + 24*len(card.starts)
}

// courseCards returns the cards of the courses ids, kept under generation
// gen.
func (s *Server) courseCards(ctx context.Context, gen string, ids []string) ([]*courseCard, error) {
	return perCourse(ctx, s, gen, s.kept.cards, ids, func(c store.Course) (*courseCard, int, error) {
		card, size := newCourseCard(c)
		return card, size, nil
	})
}
