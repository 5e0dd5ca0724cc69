package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"

	"qlink/internal/gencache"
)

// Reading the twenty courses of a search page is most of the page's work
// at a million courses: an index and a table lookup per course, most of
// their pages outside SQLite's cache, and the course's JSON. The rows of
// recent pages are kept, undecoded, until what the catalogue shows
// changes: the content_version row, which triggers move on at every write
// to courses, providers, alliances and the sources' sight of their courses
// (migration 00017), whichever process writes. Reading it costs a query,
// so each CoursesByID first asks SQLite's data_version, on a connection of
// its own, whether any other connection has committed since the last look
// at all; most of the time none has. The job queue, which shares the file,
// commits every few seconds without changing the content. A new version
// drops every row kept (gencache): a row read under an older version never
// serves a newer one.
type rowCache struct {
	rows *gencache.Cache[*courseRow]

	mu sync.Mutex
	// watch is a reading connection kept for the version alone; seen is
	// the data_version it last saw, at which the content's version was
	// content ("": not read yet).
	db      *sql.DB
	watch   *sql.Conn
	seen    int64
	content string
}

// RowCacheBytes bounds the rows kept unless SetRowCacheBudget says
// otherwise: about 4,000 courses of the million-course benchmark. The web
// layer keeps what its lists show of recent courses (web/kept.go), so
// rows are read mostly for the courses a list has not shown yet and for
// course pages opened from a list.
const RowCacheBytes = 16 << 20

func newRowCache(db *sql.DB) *rowCache {
	return &rowCache{rows: gencache.New[*courseRow](RowCacheBytes), db: db}
}

// SetRowCacheBudget bounds the memory the rows of recent pages take.
func (s *Store) SetRowCacheBudget(bytes int) { s.rows.rows.SetBudget(bytes) }

// version names the content's version as this connection sees it now; ""
// when it cannot tell, and then nothing is kept or served.
func (c *rowCache) version() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Not the request's context: a request that ends mid-query would
	// leave the connection unusable for the next.
	ctx := context.Background()
	if c.watch == nil {
		conn, err := c.db.Conn(ctx)
		if err != nil {
			return ""
		}
		c.watch, c.content = conn, ""
	}
	var committed, n int64
	err := c.watch.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&committed)
	if err == nil && c.content != "" && committed == c.seen {
		return c.content // nothing committed since the last look
	}
	if err == nil {
		err = c.watch.QueryRowContext(ctx, `SELECT n FROM content_version`).Scan(&n)
	}
	if err != nil {
		c.watch.Close()
		c.watch = nil
		return ""
	}
	c.seen, c.content = committed, strconv.FormatInt(n, 10)
	return c.content
}

func (c *rowCache) get(version, id string) (*courseRow, bool) {
	if version == "" {
		return nil, false
	}
	return c.rows.Get(version, id)
}

func (c *rowCache) put(version string, r *courseRow) {
	if version != "" {
		c.rows.Put(version, r.id, r, r.size())
	}
}

func (c *rowCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.watch != nil {
		err = c.watch.Close()
		c.watch = nil
	}
	return errors.Join(err, c.db.Close())
}

// Version names the database's content now (store.Versioned): the
// version the rows kept are scoped to.
func (s *Store) Version() string { return s.rows.version() }
