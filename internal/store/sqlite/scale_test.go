package sqlite

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
)

// BenchmarkCoursesByIDAtScale reads the courses of search pages from an
// existing database, such as the million-course one bench/harvest.sh
// keeps (QLINK_BENCH_DB=DIR/qlink.db; skipped without it): twenty courses
// drawn at random per page, none kept from an earlier page, as a page of
// courses no list has shown yet. The database is only read.
func BenchmarkCoursesByIDAtScale(b *testing.B) {
	path := os.Getenv("QLINK_BENCH_DB")
	if path == "" {
		b.Skip("QLINK_BENCH_DB names no database")
	}
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.SetRowCacheBudget(0)
	ctx := context.Background()
	ids, err := s.CourseIDs(ctx, "", "")
	if err != nil || len(ids) == 0 {
		b.Fatalf("%d courses, %v", len(ids), err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	page := make([]string, 20)
	b.ResetTimer()
	for b.Loop() {
		for i := range page {
			page[i] = ids[r.IntN(len(ids))]
		}
		cs, err := s.CoursesByID(ctx, page)
		if err != nil || len(cs) != len(page) {
			b.Fatalf("%d courses, %v", len(cs), err)
		}
	}
}
