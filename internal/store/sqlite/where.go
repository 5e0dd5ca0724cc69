package sqlite

import "strings"

// conditions builds a WHERE clause from the filters that apply. One query
// whose filters switch themselves off when their argument is empty would
// serve every case, but SQLite then cannot use the column's index and
// reads the whole table: once for every source of a harvest, a quadratic
// cost.
type conditions struct {
	terms []string
	args  []any
}

// add adds a term with its arguments.
func (c *conditions) add(term string, args ...any) {
	c.terms = append(c.terms, term)
	c.args = append(c.args, args...)
}

// clause returns the terms joined with AND, "1" when there are none.
func (c *conditions) clause() string {
	if len(c.terms) == 0 {
		return "1"
	}
	return strings.Join(c.terms, " AND ")
}
