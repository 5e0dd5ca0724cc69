package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"qlink/internal/model"
)

// StoredCourse is what ApplyCourses needs to know of a course already
// stored: who holds it, its content hash and its status.
type StoredCourse struct {
	SourceID, ProviderID string
	Hash                 string
	Inactive             bool
	// Retired: the source holding it is no longer in its manifest.
	Retired bool
}

// takesOver reports whether a course held by another source passes to
// this provider's source: its holder was retired from the same
// provider's manifest (a source renamed there keeps its courses).
func (c StoredCourse) takesOver(providerID string) bool {
	return c.Retired && c.ProviderID == providerID
}

// CourseWriter is the SQL side of ApplyCourses, which each engine
// implements inside its transaction. ApplyBatch decides what happens to
// every course and calls it, so that the engines cannot decide apart.
// An engine may run the writes at once or queue them until the batch is
// done; only StoredDocs must answer at once.
type CourseWriter interface {
	// StoredDocs returns the stored documents of the given courses, by ID.
	StoredDocs(ctx context.Context, ids []string) (map[string][]byte, error)
	// KeepCourse records that the source saw a course unchanged: its
	// last-seen time, and the source now holding it. A complete run calls
	// it only for courses that pass from another source; SourceSeen says
	// the rest.
	KeepCourse(ctx context.Context, id string) error
	// WriteCourse stores a course's new document and hash, and its quality
	// report when given, active and held by the source.
	WriteCourse(ctx context.Context, c CourseWrite) error
	// InactivateCourse marks a course inactive as of the batch's time;
	// its last-seen time stays the last time a run saw it, the source's
	// courses_seen_at included.
	InactivateCourse(ctx context.Context, id string) error
	// SourceSeen records that the batch's run saw every active course of
	// the source (a complete run), as MarkSeen does; called last.
	SourceSeen(ctx context.Context) error
	// RecordHistory adds a history entry; changes is a JSON array of
	// FieldChange.
	RecordHistory(ctx context.Context, id string, kind HistoryKind, changes []byte) error
	// SetIdentifiers replaces the other identifiers a course is found by.
	SetIdentifiers(ctx context.Context, id string, values []string) error
}

// CourseWrite is one course WriteCourse stores.
type CourseWrite struct {
	ID   string
	Doc  []byte
	Hash string
	// Quality is the course's encoded quality report (EncodeQuality) and
	// Flagged its flag; a nil Quality leaves the stored report as it is.
	Quality []byte
	Flagged bool
	// New: the course is inserted, else its row rewritten.
	New bool
}

// ApplyBatch is ApplyCourses once the engine has opened its transaction
// and read existing: the stored state of the source's courses and of
// every course in specs, whichever source holds it. It returns what
// changed; see Courses.ApplyCourses for the rules.
func ApplyBatch(ctx context.Context, w CourseWriter, sourceID, providerID string, existing map[string]StoredCourse,
	specs []model.Specification, complete bool, quality map[string]CourseQuality) (Change, error) {
	var ch Change
	batch, err := encodeBatch(specs, quality)
	if err != nil {
		return ch, err
	}
	ch.Hashes = make(map[string]string, len(batch))
	// The documents of courses that changed are read in one go, for the
	// history's field changes.
	var rewrite []string
	for _, c := range batch {
		old, found := existing[c.spec.ID]
		if found && (old.Inactive || old.Hash != c.hash) {
			rewrite = append(rewrite, c.spec.ID)
		}
	}
	docs, err := w.StoredDocs(ctx, rewrite)
	if err != nil {
		return ch, err
	}
	seen := map[string]bool{}
	for _, c := range batch {
		seen[c.spec.ID] = true
		if err := applyOne(ctx, w, &ch, sourceID, providerID, existing, docs, c, complete); err != nil {
			return ch, fmt.Errorf("course %s: %w", c.spec.ID, err)
		}
	}
	if !complete {
		return ch, nil
	}
	// A complete run makes the source's active courses it did not see
	// inactive; their last-seen time stays the last time a run saw them.
	for id, c := range existing {
		if c.SourceID == sourceID && !c.Inactive && !seen[id] {
			ch.Removed = append(ch.Removed, id)
		}
	}
	slices.Sort(ch.Removed)
	for _, id := range ch.Removed {
		err := w.InactivateCourse(ctx, id)
		if err == nil {
			err = w.RecordHistory(ctx, id, HistoryInactive, noChanges)
		}
		if err != nil {
			return ch, fmt.Errorf("course %s: %w", id, err)
		}
	}
	return ch, w.SourceSeen(ctx)
}

// encodedCourse is a specification with its stored document and hash,
// and its quality report when it has one.
type encodedCourse struct {
	spec   *model.Specification
	doc    []byte
	hash   string
	report *CourseQuality
}

// encodeBatch encodes the specifications, with their reports, keeping
// the first of duplicate IDs (the harvest reports duplicates).
func encodeBatch(specs []model.Specification, quality map[string]CourseQuality) ([]encodedCourse, error) {
	out := make([]encodedCourse, 0, len(specs))
	seen := make(map[string]bool, len(specs))
	for i := range specs {
		spec := &specs[i]
		if seen[spec.ID] {
			continue
		}
		seen[spec.ID] = true
		doc, err := json.Marshal(spec)
		if err != nil {
			return nil, fmt.Errorf("course %s: %w", spec.ID, err)
		}
		c := encodedCourse{spec: spec, doc: doc, hash: courseHash(doc)}
		if q, ok := quality[spec.ID]; ok {
			c.report = &q
		}
		out = append(out, c)
	}
	return out, nil
}

// noChanges is the changes of a history entry that lists none.
var noChanges = []byte("[]")

func applyOne(ctx context.Context, w CourseWriter, ch *Change, sourceID, providerID string, existing map[string]StoredCourse,
	docs map[string][]byte, c encodedCourse, complete bool) error {
	id := c.spec.ID
	old, found := existing[id]
	if found && old.SourceID != sourceID && !old.Inactive && !old.takesOver(providerID) {
		ch.Conflicts = append(ch.Conflicts, id)
		return nil
	}
	ch.Hashes[id] = c.hash
	if found && !old.Inactive && old.Hash == c.hash {
		ch.Unchanged = append(ch.Unchanged, id)
		if complete && old.SourceID == sourceID {
			return nil // SourceSeen covers it, without rewriting the row
		}
		return w.KeepCourse(ctx, id)
	}
	kind, changes := HistoryAdded, noChanges
	switch {
	case found && old.Inactive:
		kind = HistoryReactivated
		ch.Added = append(ch.Added, id)
	case found:
		kind = HistoryChanged
		ch.Updated = append(ch.Updated, id)
	default:
		ch.Added = append(ch.Added, id)
	}
	if found {
		diff, err := DiffSpecs(docs[id], c.doc)
		if err != nil {
			return err
		}
		if changes, err = encodeChanges(diff); err != nil {
			return err
		}
	}
	write := CourseWrite{ID: id, Doc: c.doc, Hash: c.hash, New: !found}
	if c.report != nil {
		doc, err := EncodeQuality(*c.report)
		if err != nil {
			return fmt.Errorf("quality report: %w", err)
		}
		write.Quality, write.Flagged = doc, c.report.Flagged
	}
	if err := w.WriteCourse(ctx, write); err != nil {
		return err
	}
	if err := w.RecordHistory(ctx, id, kind, changes); err != nil {
		return err
	}
	return w.SetIdentifiers(ctx, id, otherIdentifiers(c.spec))
}

func encodeChanges(changes []FieldChange) ([]byte, error) {
	if len(changes) == 0 {
		return noChanges, nil
	}
	return json.Marshal(changes)
}

// courseHash is the digest of a course's document that spots changes.
func courseHash(doc []byte) string {
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:16])
}

// otherIdentifiers lists the values a course can be found by besides its
// ID: its identifiers' values and its offerings' IDs.
func otherIdentifiers(spec *model.Specification) []string {
	var vs []string
	add := func(v string) {
		if v != "" && v != spec.ID {
			vs = append(vs, v)
		}
	}
	for _, id := range spec.Identifiers {
		add(id.Value)
	}
	for _, in := range spec.Instances {
		add(in.ID)
	}
	return vs
}
