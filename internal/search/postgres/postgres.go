// Package postgres is search.Index on PostgreSQL (15 and later), so that
// several qlink web nodes answer any query from one database with no
// local index. Its tables (search_*) live in the store's database, created
// by migrations of their own (versioned in search_goose_db_version): the
// index is derived data, rebuilt from the store at will, and its schema
// changes without touching the store's.
//
// # Text
//
// Each text of a document is analysed by its language's text search
// configuration (german, french, english, …; "simple" for languages
// PostgreSQL has no stemmer for and for text of unstated language), after
// unaccent, so accents are optional. A
// query requires every word; each word is ORed across every configuration
// present in the index, so a German query word meets German stems and
// English ones alike; a stop word of a language is satisfied by any
// document with text in that language (a marker lexeme per language), as
// in the bleve index. A word of five letters or more may carry one typo
// (not in its first letter): pg_trgm finds words of the index's vocabulary
// (search_terms) one edit away, and the query ORs them in. CJK runs are
// cut into bigrams on both sides, since PostgreSQL's parser takes a run
// for one word.
//
// A hit scores the sum, over the words, of the best part each occurs
// in: title 4 (more for a short title), institution names and codes 2,
// description 1.5, outcomes 1, as the bleve index boosts them.
// Repetition adds nothing, unlike ts_rank, which put a description saying
// "data science" five times in three languages above a course titled
// "Data Science". The score is computed on the stored vector (no text is
// parsed again): each word's stems are restricted to one weight per part
// ('stem':A matches in the title only), once per query (search_query),
// and a hit is tested against them in an SQL expression, with no
// function call per hit; the title's length is a column (title_terms).
//
// # Facet counts
//
// A plain GROUP BY per facet over the hits costs time in proportion to
// the hits: 245–375 ms per query, 1.9 s for match-all, at 70,782 courses.
// Here every facet value (and every status, the quality flag, each ECTS
// value, and "every document") has a bitmap of document ordinals
// (search_bitmaps, bit varying, bit n = document ordinal n). A query:
//
//   - without text and filters reads the counts kept beside each bitmap
//     per status × quality: no bitmap, no document is read;
//   - with filters ANDs and ORs the few bitmaps its filters name, in Go,
//     into one mask per facet (the mask of a facet leaves out its own
//     selection: disjunctive counts), and counts each value as
//     bit_count(value & mask) in one statement;
//   - with text first collects the ordinals of the text matches (that
//     part is the text search itself and grows with its hits, see below),
//     then counts as with filters.
//
// Counting thus costs (values × documents / 8) bytes of AND and popcount,
// whatever the number of hits: ~1,100 values × 8.8 kB at 70,782
// documents. The trade-offs: the cost grows with the corpus and the
// number of values (at millions of documents compressed bitmaps would be
// needed, which PostgreSQL lacks); writers serialise on one row
// (search_capacity) and rewrite the bitmaps of every value a batch
// touches, so index in batches; and ordinals of deleted documents are not
// reused, so heavy churn lengthens the bitmaps until the index is rebuilt.
//
// Text search reads the row of every match (a GIN index gives row
// addresses, not ordinals), once: from those rows come the ordinals of
// all matches, unscored, for the counts and the total, and the page, for
// which only the matches within the other filters are scored and
// PostgreSQL keeps the best (offset + size) in a bounded heap instead of
// sorting them all. The rows are kept narrow for that read: the vector
// holds one position per lexeme, weighted by the best part it occurs in
// (all the score needs; search_compact), and the keys writers need live
// in search_document_keys. The read still grows with the number of text
// hits, by a few µs per hit (BENCHMARKS.md, "Search on PostgreSQL").
//
// # Order and paging
//
// Text hits come by score, then folded title, then ID; hits of a query
// without text by folded title, then ID. Pages and sort keys (Query.After)
// follow that order; a key of a query without text is (title, ID), of a
// query with text (score, title, ID), so one is refused by the other.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"qlink/internal/migration"
	"qlink/internal/search"
)

//go:embed migrations/*.sql
var migrations embed.FS

// versionTable keeps the search migrations apart from the store's.
const versionTable = "search_goose_db_version"

// Index is a search.Index on a PostgreSQL database. It is safe for
// concurrent use, by several processes too.
type Index struct {
	pool *pgxpool.Pool
}

var _ search.Index = (*Index)(nil)

var errNoID = errors.New("search/postgres: document without ID")

// Open connects to the database at url (postgres://…; pool settings such
// as pool_max_conns may be given in it). Call Migrate before the first
// use of a database.
func Open(ctx context.Context, url string) (*Index, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, errors.New("search/postgres: the database URL cannot be read; want postgres://user@host:port/database")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("search/postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("search/postgres: connecting to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &Index{pool: pool}, nil
}

// Close closes the pool.
func (ix *Index) Close() error {
	ix.pool.Close()
	return nil
}

// Migrate applies the pending search migrations, under an advisory lock
// so that processes starting together migrate once. It refuses a database
// a newer qlink migrated.
func (ix *Index) Migrate(ctx context.Context) error {
	db := stdlib.OpenDBFromPool(ix.pool)
	defer db.Close()
	p, err := migrator(db)
	if err != nil {
		return fmt.Errorf("search/postgres: migrations: %w", err)
	}
	if err := migration.Up(ctx, p); err != nil {
		return fmt.Errorf("search/postgres: %w", err)
	}
	return nil
}

func migrator(db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, sub,
		goose.WithTableName(versionTable), goose.WithSessionLocker(locker))
}

// Count returns the number of indexed documents.
func (ix *Index) Count(ctx context.Context) (int, error) {
	var n int
	if err := ix.pool.QueryRow(ctx, `SELECT count(*) FROM search_documents`).Scan(&n); err != nil {
		return 0, fmt.Errorf("search/postgres: count: %w", err)
	}
	return n, nil
}

// eachIDChunk is how many IDs EachID reads at a time; it holds no
// connection while fn runs.
const eachIDChunk = 1000

// EachID calls fn with every document ID, in ID order.
func (ix *Index) EachID(ctx context.Context, fn func(id string) error) error {
	last := ""
	for {
		rows, err := ix.pool.Query(ctx, `SELECT id FROM search_documents WHERE id > $1 ORDER BY id LIMIT $2`, last, eachIDChunk)
		if err != nil {
			return fmt.Errorf("search/postgres: ids: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("search/postgres: ids: %w", err)
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(ids) < eachIDChunk {
			return nil
		}
		last = ids[len(ids)-1]
	}
}
