package web

import (
	"bytes"
	"context"
	"encoding/json"

	"qlink/internal/store"
)

// At a million courses, an API answer was mostly its twenty courses: their
// stored JSON decoded into the model, presented and encoded again (some
// two thirds of the API's CPU). A course's item depends only on the
// stored course, the snapshot of providers it names and the labels, so
// the encoded items of recent answers are kept, in about itemCacheBytes,
// for as long as the store's content version (store.Versioned) and the
// providers' snapshot stay what they were when the items were made. An
// answer is then the kept items spliced between its counts and facets. A
// store that cannot name its version keeps nothing: every item is made
// afresh, as before.

// itemCacheBytes bounds the items kept: about 12,000 courses of the
// million-course benchmark, the items of some 600 recent answers.
const itemCacheBytes = 48 << 20

// itemGeneration names what the items made now are derived from: the
// store's version and the version the providers' snapshot was read at;
// "" when the store cannot tell, and then nothing is kept or served.
func (s *Server) itemGeneration(ctx context.Context) string {
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

// courseItems returns the API items of the courses ids, in that order;
// unknown IDs are skipped.
func (s *Server) courseItems(ctx context.Context, ids []string) ([][]byte, error) {
	gen := s.itemGeneration(ctx)
	byID := make(map[string][]byte, len(ids))
	var missing []string
	for _, id := range ids {
		if _, seen := byID[id]; seen {
			continue
		}
		b, ok := s.items.Get(gen, id)
		if ok && gen != "" {
			byID[id] = b
		} else {
			byID[id] = nil
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		courses, err := s.opts.Store.CoursesByID(ctx, missing)
		if err != nil {
			return nil, err
		}
		for _, c := range courses {
			b, err := json.Marshal(s.presentCourse(ctx, c))
			if err != nil {
				return nil, err
			}
			byID[c.Spec.ID] = b
			if gen != "" {
				s.items.Put(gen, c.Spec.ID, b, cap(b))
			}
		}
	}
	out := make([][]byte, 0, len(ids))
	for _, id := range ids {
		if b := byID[id]; b != nil {
			out = append(out, b)
		}
	}
	return out, nil
}

// itemsMarker is where an answer encoded without its items takes them:
// the first place it can occur, since only numbers come before it.
var itemsMarker = []byte(`"items":[]`)

// spliceItems puts the encoded items into an answer encoded with an empty
// "items" list.
func spliceItems(answer []byte, items [][]byte) []byte {
	at := bytes.Index(answer, itemsMarker)
	if at < 0 {
		panic("web: an answer without its items list")
	}
	n := len(answer) + len(items)
	for _, it := range items {
		n += len(it)
	}
	out := make([]byte, 0, n)
	out = append(out, answer[:at+len(itemsMarker)-1]...)
	for i, it := range items {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, it...)
	}
	return append(out, answer[at+len(itemsMarker)-1:]...)
}
