// Package store is qlink's persistence layer: providers, discovery records,
// manifest versions, sources with a stable identity, harvest runs with their
// raw pages, and courses with their current state.
//
// The Store interface is implemented by store/sqlite (the embedded default)
// and, for scale-out, PostgreSQL; both pass the contract tests in
// store/storetest. Only the harvest pipeline writes through it; the web
// layer reads. Raw snapshots live in a Blobs store beside the database.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"qlink/internal/model"
)

// ErrNotFound is returned when a requested record does not exist.
var ErrNotFound = errors.New("store: not found")

// Store is everything qlink persists.
type Store interface {
	Providers
	Discoveries
	Sources
	Runs
	Courses
	CourseIdentifiers
	Credentials
	InstitutionRecords
	Alliances
	Refreshes
	Blocks
	Accounts
	Operations
	Close() error
}

// Versioned is a store that can name the version of its content cheaply.
// Version returns a string that changes whenever a write to what the
// catalogue shows commits (courses, providers, alliances, the sources'
// last sight of their courses), from this process or another, and "" when
// it cannot tell. A reader keys what it derives from those by it: what was
// derived under one version is never served under another. A read that
// starts after Version returned sees that version or a newer one. A store
// that several processes share may name a change a moment after its
// commit (PostgreSQL: once the change's notification has arrived).
type Versioned interface {
	Version() string
}

// Credentials keeps OAuth 2.0 clients registered out of band.
type Credentials interface {
	// SetOAuthClient inserts or replaces the client of a provider at a
	// token endpoint.
	SetOAuthClient(ctx context.Context, c OAuthClient) error
	// OAuthClient returns the client of a provider at exactly this token
	// endpoint (already normalised by the caller).
	OAuthClient(ctx context.Context, providerID, tokenEndpoint string) (OAuthClient, error)
	// ListOAuthClients lists a provider's clients, or all when
	// providerID is empty.
	ListOAuthClients(ctx context.Context, providerID string) ([]OAuthClient, error)
	DeleteOAuthClient(ctx context.Context, providerID, tokenEndpoint string) error
}

// OAuthClient is an OAuth 2.0 client of the aggregator at a provider's
// token endpoint.
type OAuthClient struct {
	ProviderID    string
	TokenEndpoint string
	ClientID      string
	// SecretEncrypted is the client secret, encrypted for the aggregator's
	// RSA key (base64 RSA-OAEP), as manifest secrets are.
	SecretEncrypted string
	UpdatedAt       time.Time
}

// Providers keeps the registry of institutions.
type Providers interface {
	// UpsertProviders inserts or updates providers by ID. A provider whose
	// record changed has its courses put back in the index backlog (their
	// documents carry its name), in the same transaction.
	UpsertProviders(ctx context.Context, ps []model.Provider) error
	Provider(ctx context.Context, id string) (model.Provider, error)
	// ListProviders returns all providers ordered by ID.
	ListProviders(ctx context.Context) ([]model.Provider, error)
	// ProviderStates says, per provider ID, what its latest discovery
	// found and when its data was last read. Providers never discovered
	// nor harvested are missing from the map.
	ProviderStates(ctx context.Context) (map[string]ProviderState, error)
}

// ProviderState is where a provider's data stands.
type ProviderState struct {
	// DiscoveredAt is when the latest discovery started (zero: never).
	DiscoveredAt time.Time
	// ManifestURL is the manifest the latest discovery found, "" when it
	// found none.
	ManifestURL string
	// Refreshed is when a run last brought one of the provider's sources
	// up to date (ok, partial or not-modified); zero when none has.
	Refreshed time.Time
}

// Discoveries records every discovery attempt with its probe log.
type Discoveries interface {
	AddDiscovery(ctx context.Context, d Discovery) (int64, error)
	// LatestDiscovery returns the newest discovery of a provider.
	LatestDiscovery(ctx context.Context, providerID string) (Discovery, error)
}

// Sources keeps the data sources manifests declare.
type Sources interface {
	// SyncManifest stores a fetched manifest for a provider and brings its
	// sources up to date: sources are matched by Key, so history survives
	// manifest edits; sources no longer listed become inactive. A manifest
	// identical to the latest one does not create a new version.
	SyncManifest(ctx context.Context, m Manifest, sources []Source) ([]Source, error)
	Source(ctx context.Context, id string) (Source, error)
	// ListSources returns a provider's sources, or all sources when
	// providerID is empty, active ones first.
	ListSources(ctx context.Context, providerID string) ([]Source, error)
	// SetNextRun records when the scheduler will next refresh a source.
	SetNextRun(ctx context.Context, sourceID string, at time.Time) error
}

// Runs records harvest runs.
type Runs interface {
	// StartRun opens a run in the running state, worked by owner (the
	// process, HeartbeatRun), with its heartbeat at now: a process killed
	// before its first heartbeat leaves a run that names it.
	StartRun(ctx context.Context, sourceID, trigger, owner string, at time.Time) (Run, error)
	// AddRunPages records fetched pages of a run (in one transaction:
	// a run reads thousands of pages).
	AddRunPages(ctx context.Context, pages []RunPage) error
	// FinishRun stores the outcome of a run and the source's health.
	FinishRun(ctx context.Context, r Run) error
	Run(ctx context.Context, id int64) (Run, error)
	// ListRuns returns a source's runs, newest first.
	ListRuns(ctx context.Context, sourceID string, limit int) ([]Run, error)
	RunPages(ctx context.Context, runID int64) ([]RunPage, error)
	// LastPages returns the pages of the source's latest run that read
	// its data (status ok, partial or not-modified), keyed by URL.
	LastPages(ctx context.Context, sourceID string) (map[string]RunPage, error)
	// FindRuns lists runs matching the filter, newest first.
	FindRuns(ctx context.Context, f RunFilter) ([]Run, error)
	// CountRuns counts the runs matching the filter, ignoring its Limit
	// and Offset, so that callers can page through FindRuns.
	CountRuns(ctx context.Context, f RunFilter) (int, error)
	// InterruptRuns marks as interrupted, with the time and reason, the
	// runs still running that belong to owner (this process, starting
	// again) or whose heartbeat is older than staleBefore (their process
	// died), and returns how many there were. Runs of other live processes
	// sharing the database are left alone. An empty owner selects by
	// heartbeat alone.
	InterruptRuns(ctx context.Context, at time.Time, reason, owner string, staleBefore time.Time) (int, error)
	// HeartbeatRun records that owner's process works the run, still
	// running, at the time at.
	HeartbeatRun(ctx context.Context, runID int64, owner string, at time.Time) error
	// OldestRunStart returns the start of the oldest run in progress
	// whose heartbeat is not older than staleBefore, in any process; zero
	// when there is none.
	OldestRunStart(ctx context.Context, staleBefore time.Time) (time.Time, error)
	// PruneSnapshots forgets the snapshots of a source's older runs: it
	// keeps the pages of the runs holding the newest keep distinct
	// snapshots and of the latest run that read data (the next run
	// revalidates against it), and the record set of a suspicious run no
	// later run superseded. It returns the blob keys it let go of; other
	// runs may still refer to them (content addressing shares blobs).
	PruneSnapshots(ctx context.Context, sourceID string, keep int) ([]string, error)
	// BlobReferenced reports whether any run still refers to a blob.
	BlobReferenced(ctx context.Context, key string) (bool, error)
}

// RunFilter selects runs; zero fields select everything.
type RunFilter struct {
	SourceID string
	// ProviderID selects the runs of all of a provider's sources.
	ProviderID string
	Status     RunStatus
	Limit      int
	// Offset skips that many of the newest matching runs (with a Limit).
	Offset int
}

// Courses keeps the current state of every course and how it changed.
// Courses are never deleted: one that vanishes from its source becomes
// inactive and keeps its last known content.
type Courses interface {
	// ApplyCourses makes the given specifications the current content of
	// a source, as read by run runID (0 when no run read them), and
	// records each course's change in its history. Unchanged courses keep
	// their timestamps. When complete is true, the source's active courses
	// missing from the batch become inactive (their last-seen time stays
	// the last time a run saw them); a partial run never inactivates
	// anything. An inactive course that comes back is reactivated.
	// Courses whose ID belongs to another source's active course are not
	// touched and come back as conflicts, unless that source was retired
	// from the same provider's manifest: then they pass to this source (a
	// source renamed in its manifest keeps its courses). quality holds the
	// specifications' quality reports by ID, when checked already: a
	// course written keeps its report with it, as SetCourseQuality would
	// set it (one write of the row rather than two).
	ApplyCourses(ctx context.Context, sourceID string, runID int64, specs []model.Specification, complete bool, at time.Time,
		quality map[string]CourseQuality) (Change, error)
	// MarkSeen records that a run saw every active course of a source
	// unchanged at the given time (their last-seen time), without
	// rewriting them: a source that answered "not modified".
	MarkSeen(ctx context.Context, sourceID string, at time.Time) error
	// Course returns one course, active or inactive.
	Course(ctx context.Context, id string) (Course, error)
	// CoursesByID returns the courses with the given IDs, active or
	// inactive, in the order given; unknown IDs are skipped.
	CoursesByID(ctx context.Context, ids []string) ([]Course, error)
	// EachCourse calls fn for every active course of the providers given
	// (of all providers when providers is nil), ordered by ID.
	EachCourse(ctx context.Context, providers []string, fn func(Course) error) error
	// CountCourses counts active courses per provider.
	CountCourses(ctx context.Context) (map[string]int, error)
	// CourseIDs lists the IDs of a source's courses (of all sources when
	// sourceID is empty) with the given status (any status when empty),
	// ordered by ID.
	CourseIDs(ctx context.Context, sourceID string, status CourseStatus) ([]string, error)
	// CourseHistory returns one page of a course's history, newest first,
	// and how many entries it has in all.
	CourseHistory(ctx context.Context, id string, limit, offset int) ([]HistoryEntry, int, error)
	// IndexBacklog lists what the search index lags behind on for a source
	// (all sources when sourceID is empty): courses whose indexed state
	// (content and status) differs from their current one.
	IndexBacklog(ctx context.Context, sourceID string) (IndexBacklog, error)
	// SetCourseQuality stores the latest quality reports of a source's
	// courses, by course ID; courses of other sources and unknown IDs are
	// left alone. A change of the flag makes the course stale for the
	// index, which holds the flag.
	SetCourseQuality(ctx context.Context, sourceID string, reports map[string]CourseQuality) error
	// MarkIndexed records that the index now holds these courses in the
	// given states. Call it only after the index write succeeded. A course
	// whose state has changed since (another write came between) is left
	// in the backlog, as are unknown IDs.
	MarkIndexed(ctx context.Context, courses []CourseState) error
}

// IndexBacklog is the work that brings the index in line with the store.
type IndexBacklog struct {
	// Stale courses to (re-)index, active or inactive, with their
	// current state.
	Stale []CourseState
	// Gone documents to delete from the index: IDs the store holds no
	// course for (start-up repair finds them in the index itself).
	Gone []string
}

// CourseStatus says whether a course is still offered.
type CourseStatus string

// Course statuses.
const (
	// StatusActive: the course's source published it in its latest runs.
	StatusActive CourseStatus = "active"
	// StatusInactive: a complete run of its source no longer listed it;
	// the store keeps its last known content.
	StatusInactive CourseStatus = "inactive"
)

// HistoryKind is what happened to a course in one history entry.
type HistoryKind string

// History kinds.
const (
	HistoryAdded       HistoryKind = "added"
	HistoryChanged     HistoryKind = "changed"
	HistoryInactive    HistoryKind = "inactive"
	HistoryReactivated HistoryKind = "reactivated"
)

// HistoryEntry is one change of a course.
type HistoryEntry struct {
	CourseID string
	// RunID is the run that saw the change (0 when none did, e.g. a
	// course applied by a tool).
	RunID int64
	At    time.Time
	Kind  HistoryKind
	// Changes lists the fields that changed, for changed and reactivated
	// entries (a reactivated course may come back with other content).
	Changes []FieldChange
}

// Discovery is one discovery attempt for a provider.
type Discovery struct {
	ID          int64
	ProviderID  string
	StartedAt   time.Time
	Duration    time.Duration
	ManifestURL string
	// Error is empty when a manifest was found.
	Error string
	// Probes is the probe log as JSON, as the discovery stage wrote it.
	Probes []byte
}

// Manifest is one fetched manifest of a provider.
type Manifest struct {
	ProviderID string
	URL        string
	FetchedAt  time.Time
	// Body is the manifest as fetched; versions are compared on it.
	Body []byte
}

// Source is a data source declared in a manifest.
type Source struct {
	// ID is stable: provider ID and Key.
	ID         string
	ProviderID string
	// Key identifies the source within its provider across manifest
	// versions: the manifest's id when given, otherwise type and path.
	Key     string
	Type    string
	URL     string
	Version string
	Name    string
	// Entry is the manifest's JSON object for this source.
	Entry  []byte
	Active bool
	// ManifestVersion is the version of the manifest that last listed it.
	ManifestVersion int
	CreatedAt       time.Time
	UpdatedAt       time.Time

	// Health of the latest run.
	LastRunID  int64
	LastStatus RunStatus
	LastError  string
	LastRunAt  time.Time
	ErrorCount int
	// NextRunAt is when the scheduler will next refresh the source (zero:
	// not planned yet).
	NextRunAt time.Time
	// Paused: the scheduler leaves the source alone until it is resumed.
	Paused bool
}

// RunStatus is the outcome of a harvest run.
type RunStatus string

// Run outcomes.
const (
	RunRunning RunStatus = "running"
	// RunOK: every page was read and the source's content replaced.
	RunOK RunStatus = "ok"
	// RunPartial: some pages or records failed; nothing was removed.
	RunPartial RunStatus = "partial"
	// RunFailed: the source could not be read; stored data is untouched.
	RunFailed RunStatus = "failed"
	// RunNotModified: the server said nothing changed since the last run.
	RunNotModified RunStatus = "not-modified"
	// RunSuspicious: a complete run that would empty the source or remove
	// more than the allowed share of its courses; nothing was changed.
	// It is applied when the next run sees the same records, or when an
	// operator confirms it (then its status becomes ok).
	RunSuspicious RunStatus = "suspicious"
	// RunInterrupted: the process stopped during the run (crash, kill);
	// found and marked at the next start-up.
	RunInterrupted RunStatus = "interrupted"
)

// Run is one harvest of one source.
type Run struct {
	ID         int64
	SourceID   string
	Trigger    string
	StartedAt  time.Time
	FinishedAt time.Time
	Status     RunStatus
	Pages      int
	Bytes      int64
	// Seen counts records the adapter produced; the rest is the Change.
	Seen      int
	Added     int
	Updated   int
	Unchanged int
	Removed   int // courses that became inactive
	Conflicts int
	// Warnings holds the first warnings; WarningCount counts them all.
	Warnings     []Warning
	WarningCount int
	Error        string
	// Reason says in words why a run is suspicious or interrupted, or
	// how a suspicious outcome came to be applied.
	Reason string
	// Digest identifies a complete run's record set (IDs and content).
	Digest string
	// RecordsBlob is the blob holding a suspicious run's records, so a
	// confirmation can apply them; empty otherwise.
	RecordsBlob string
	// Quality is the quality summary of the records the run read, as JSON
	// as the harvest wrote it (a quality.Summary); empty when the run
	// checked nothing.
	Quality []byte
	// ValidationTime is how long the quality checks of the run took.
	ValidationTime time.Duration
	// ProgressAt is when the run last recorded its progress while it ran
	// (zero: never).
	ProgressAt time.Time
	// PagesOf, when set, is the earlier run whose every page this run
	// found unchanged (304 with the same validators): the run records no
	// pages of its own, and its pages (RunPages, LastPages) are those.
	PagesOf int64
}

// Warning is a problem with one record or field that did not stop the run.
type Warning struct {
	Record  string `json:"record,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// RunPage is one HTTP response read during a run.
type RunPage struct {
	RunID       int64
	Seq         int
	URL         string
	Status      int
	ContentType string
	Bytes       int64
	// Blob is the key of the raw body in the Blobs store.
	Blob      string
	FetchedAt time.Time
	// ETag and LastModified are the response's validators, for the next
	// run's conditional request.
	ETag         string
	LastModified string
}

// Course is a stored specification with its bookkeeping.
type Course struct {
	Spec       model.Specification
	ProviderID string
	SourceID   string
	// Hash is a digest of the specification, used to spot changes.
	Hash      string
	FirstSeen time.Time
	Changed   time.Time
	// LastSeen is when a run last saw the course; for an inactive course,
	// the date it was last offered.
	LastSeen time.Time
	Inactive bool
	// Quality is the course's latest quality report; nil before its
	// first check.
	Quality *CourseQuality
}

// CourseQuality is what the quality checks found in a course.
type CourseQuality struct {
	// Score is the course's completeness, 0–100.
	Score int `json:"score"`
	// Flagged: the course breaks a rule at violation severity. It is
	// stored and shown all the same; the catalogue can hide it.
	Flagged    bool             `json:"-"`
	Violations []QualityFinding `json:"violations"`
}

// QualityFinding is one broken rule in a course.
type QualityFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"` // violation, warning or info
	// Message says in plain words what is wrong.
	Message string `json:"message"`
	// Field names the offending field as the source's format calls it.
	Field string `json:"field,omitempty"`
}

// CourseState is what the search index holds of a course, beside its
// content: the content's hash and the course's status and quality flag.
// A course whose state differs from the one its index document was
// written with is in the index backlog.
type CourseState struct {
	ID       string
	Hash     string
	Inactive bool
	Flagged  bool
}

// State is the course's current state for the index.
func (c Course) State() CourseState {
	return CourseState{ID: c.Spec.ID, Hash: c.Hash, Inactive: c.Inactive, Flagged: c.Quality != nil && c.Quality.Flagged}
}

// Status is the course's status.
func (c Course) Status() CourseStatus {
	if c.Inactive {
		return StatusInactive
	}
	return StatusActive
}

// Change reports what ApplyCourses did, by course ID.
type Change struct {
	// Added holds new and reactivated courses.
	Added     []string
	Updated   []string
	Unchanged []string
	// Removed holds the courses that became inactive.
	Removed   []string
	Conflicts []string
	// Hashes holds the stored hash of every course the batch wrote or
	// found unchanged (Added, Updated and Unchanged), by ID: what the
	// index needs to know that a specification in hand is the stored one.
	Hashes map[string]string
}

// Blobs stores raw snapshots by content address.
type Blobs interface {
	// Put stores data and returns its key (the hex SHA-256 of data). A
	// Put of content already there renews its write time, so a sweep
	// never takes a blob a run in progress has just been given.
	Put(ctx context.Context, data []byte) (string, error)
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes a blob last written before the given time and says
	// whether it did; a blob written since (a run may be about to refer
	// to it) or already gone is left alone.
	Delete(ctx context.Context, key string, writtenBefore time.Time) (bool, error)
	// Each calls fn with every blob's key. (Delete checks the write time
	// itself: a directory's listing would pay a stat per blob for it, five
	// seconds of CPU at every start of a million-course instance.)
	Each(ctx context.Context, fn func(key string) error) error
}

// SourceID derives a source's stable ID from its provider and key. It is a
// digest so that it is safe in URLs whatever the manifest put in the key.
func SourceID(providerID, key string) string {
	sum := sha256.Sum256([]byte(providerID + "\x00" + key))
	return hex.EncodeToString(sum[:8])
}
