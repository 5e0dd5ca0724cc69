package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// New returns an index on a pool that is already open, such as the one
// the store of the same database uses, so that a process holds one pool.
// Close closes that pool: a caller that lends the pool must not call it.
// Call Migrate before the first use of a database.
func New(pool *pgxpool.Pool) *Index { return &Index{pool: pool} }
