package schedule

import (
	"context"
	"testing"
)

func TestQueueDepth(t *testing.T) { onBoth(t, testQueueDepth) }

func testQueueDepth(t *testing.T, e engine) {
	ctx := context.Background()
	f := newFixture(t, e, `{"type":"ooapi","path":"SRV"}`)
	q, err := OpenQueue(ctx, f.backend) // inserts only: nothing works the jobs
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if d, err := q.Depth(ctx); err != nil || d["available"] != 0 || len(d) != len(liveStates) {
		t.Fatalf("empty queue: %v %v", d, err)
	}
	if _, err := q.RefreshSource(ctx, f.src.ID); err != nil {
		t.Fatal(err)
	}
	if d, err := q.Depth(ctx); err != nil || d["available"] != 1 || d["running"] != 0 {
		t.Errorf("one job queued: %v %v", d, err)
	}
}
