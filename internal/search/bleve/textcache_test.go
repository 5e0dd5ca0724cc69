package bleve

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"qlink/internal/search"
)

// TestCacheBudget checks that the kept matches follow the budget set:
// with room for one text, a text asked for again after another misses.
func TestCacheBudget(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		budget int
		hits   int64
	}{{CacheBytes, 1}, {1, 0}} {
		ix := openCorpus(t, corpus())
		ix.SetCacheBudget(tc.budget)
		for _, text := range []string{"data", "history", "data"} {
			if _, err := ix.Search(ctx, search.Query{Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		if got := ix.CacheLookups()[0]; got.Kind != "text" || got.Hits != tc.hits {
			t.Errorf("budget %d: %+v, want %d text hits", tc.budget, got, tc.hits)
		}
	}
}

// TestWarmingAfterWrites: the texts searched before a write are searched
// again once the index has been quiet, without a visitor's search, so
// that the same queries after the write are answered from the cache, and
// with the answers of a search at the new state.
func TestWarmingAfterWrites(t *testing.T) {
	quiet := warmQuiet
	warmQuiet = 20 * time.Millisecond
	t.Cleanup(func() { warmQuiet = quiet })
	r := rand.New(rand.NewPCG(21, 14))
	docs := randomDocs(r, 300)
	ix := openCorpus(t, docs)
	queries := slices.DeleteFunc(randomQueries(r, 100), func(q search.Query) bool { return q.Text == "" })
	checkAgainstReference(t, ix, current(docs), queries)
	texts := ix.texts.Recent(warmTexts)
	if len(texts) < 5 {
		t.Fatalf("%d texts kept", len(texts))
	}
	changed := randomDocs(r, 40)
	for i := range changed {
		changed[i].ID = fmt.Sprintf("w%02d", i)
	}
	held := write(t, ix, current(docs), changed, []string{docs[0].ID})
	deadline := time.Now().Add(20 * time.Second)
	for ix.warmed.Load() < int64(len(texts)) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d texts warmed", ix.warmed.Load(), len(texts))
		}
		time.Sleep(10 * time.Millisecond)
	}
	missed := ix.texts.Missed()
	checkAgainstReference(t, ix, held, queries)
	if m := ix.texts.Missed() - missed; m > 0 {
		t.Errorf("%d text searches after the warming missed the cache", m)
	}
	if got := ix.CacheLookups()[0]; got.Warmed != int64(len(texts)) {
		t.Errorf("reported %+v, want %d warmed", got, len(texts))
	}
}

// TestWarmUpWithCommonWords: asked for the two commonest words, the Index
// searches those its titles hold most, leaving out short words and stop
// words however common, and a visitor's search of one is answered from
// the cache.
func TestWarmUpWithCommonWords(t *testing.T) {
	var docs []search.Document
	add := func(n int, title string) {
		for range n {
			docs = append(docs, search.Document{ID: fmt.Sprint("c", len(docs)), Title: map[string]string{"en": title}})
		}
	}
	add(30, "Statistics for the Sciences")
	add(20, "Advanced Statistics and Data")
	add(10, "History of Law")
	add(45, "The Ethics of Art")
	ix := openCorpus(t, docs)
	// "ethics" is in the most titles after "the" (a stop word) and "of"
	// (short), but one word fewer would leave it out.
	ix.WarmUp(2)
	deadline := time.Now().Add(20 * time.Second)
	for ix.warmed.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d words warmed", ix.warmed.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := ix.commonWords(2); !slices.Equal(got, []string{"statistics", "ethics"}) {
		t.Errorf("commonest words %q, want statistics, ethics", got)
	}
	// Warmed at once (on every core), so in no set order.
	if got := ix.texts.Recent(5); len(got) != 2 || !slices.Contains(got, "ethics") || !slices.Contains(got, "statistics") {
		t.Errorf("kept %q, want ethics and statistics", got)
	}
	res, err := ix.Search(context.Background(), search.Query{Text: "statistics"})
	if err != nil || res.Total != 50 {
		t.Fatalf("statistics: %d hits, %v", res.Total, err)
	}
	if ix.texts.Served() != 1 {
		t.Error("the search of a warmed word was not answered from the cache")
	}
}

// TestWarmUpBeforeReady: the Index says it is warming up from WarmUp
// until the texts it warms before readiness are kept, or until
// warmReadyMost has passed, and then warms the rest in the background.
func TestWarmUpBeforeReady(t *testing.T) {
	var docs []search.Document
	for i, title := range []string{"Statistics for the Sciences", "Ethics of Statistics", "Ethics of Art", "Art History"} {
		for j := range 10 {
			docs = append(docs, search.Document{ID: fmt.Sprint("c", i, "-", j), Title: map[string]string{"en": title}})
		}
	}
	waitReady := func(ix *Index) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for ix.WarmingUp() {
			if time.Now().After(deadline) {
				t.Fatal("still warming up")
			}
			time.Sleep(time.Millisecond)
		}
	}
	words := []string{"statistics", "ethics", "history"} // "sciences" as common, but after "history"

	ix := openCorpus(t, docs)
	if ix.WarmingUp() {
		t.Fatal("warming up before asked to")
	}
	report := ix.WarmUp(len(words))
	if !ix.WarmingUp() {
		t.Error("not warming up once asked to")
	}
	if ix.WarmUp(1) != nil {
		t.Error("a second call got a report of its own")
	}
	waitReady(ix)
	for _, w := range words {
		if !ix.Keeps(w) {
			t.Errorf("%q not kept once warmed up", w)
		}
	}
	if r := <-report; r.Searched != len(words) || r.Left != 0 || r.ReadBack != 0 || r.Listed != 0 || r.Took <= 0 {
		t.Errorf("report %+v, want %d searched", r, len(words))
	}

	// With no time before readiness, the words come in the background.
	defer func(d time.Duration) { warmReadyMost = d }(warmReadyMost)
	warmReadyMost = 0
	ix = openCorpus(t, docs)
	report = ix.WarmUp(len(words))
	waitReady(ix)
	if r := <-report; r.Searched != 0 || r.Left != len(words) {
		t.Errorf("report %+v, want %d left to the background", r, len(words))
	}
	deadline := time.Now().Add(20 * time.Second)
	for !ix.Keeps(words[len(words)-1]) {
		if time.Now().After(deadline) {
			t.Fatal("the words were not warmed in the background")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTimeBudget: time accrues at its share of the time passing, up to
// the most it saves; work spends it, and may overdraw it once.
func TestTimeBudget(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)
	b := newTimeBudget(0.1, 10*time.Second, t0)
	if !b.available(t0) || b.left != 10*time.Second {
		t.Fatalf("a new budget holds %v, want its most", b.left)
	}
	b.spend(12 * time.Second)
	if b.available(t0.Add(10 * time.Second)) { // -2 s + 1 s
		t.Errorf("available with %v left", b.left)
	}
	if !b.available(t0.Add(30*time.Second)) || b.left != time.Second {
		t.Errorf("after 30 s: %v left, want 1 s", b.left)
	}
	if b.available(t0.Add(time.Hour)); b.left != 10*time.Second {
		t.Errorf("after an hour: %v left, want the most, 10 s", b.left)
	}
	if b.available(t0); b.left != 10*time.Second {
		t.Errorf("a clock that went back changed the budget to %v", b.left)
	}
}

// TestWarmingStopsWhenItsBudgetIsSpent: with a budget that one warming
// overdraws and nothing accruing, a write has one text warmed, not every
// recent one, and searches still answer right.
func TestWarmingStopsWhenItsBudgetIsSpent(t *testing.T) {
	quiet, share, credit := warmQuiet, warmShare, warmCredit
	warmQuiet, warmShare, warmCredit = 20*time.Millisecond, 0, time.Nanosecond
	t.Cleanup(func() { warmQuiet, warmShare, warmCredit = quiet, share, credit })
	r := rand.New(rand.NewPCG(5, 9))
	docs := randomDocs(r, 300)
	ix := openCorpus(t, docs)
	queries := slices.DeleteFunc(randomQueries(r, 60), func(q search.Query) bool { return q.Text == "" })
	checkAgainstReference(t, ix, current(docs), queries)
	if n := len(ix.texts.Recent(warmTexts)); n < 5 {
		t.Fatalf("%d texts kept", n)
	}
	held := write(t, ix, current(docs), randomDocs(r, 10), nil)
	deadline := time.Now().Add(20 * time.Second)
	for ix.warmed.Load() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("nothing warmed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // time for the rest, were they warmed
	if n := ix.warmed.Load(); n != 1 {
		t.Errorf("%d texts warmed on a budget for one", n)
	}
	checkAgainstReference(t, ix, held, queries)
}

// Keeps tells the texts whose matches are kept for the index as it is:
// after a search of them, and not after a write.
func TestKeeps(t *testing.T) {
	ctx := context.Background()
	ix := openCorpus(t, corpus())
	if ix.Keeps("Einführung") {
		t.Fatal("a text never searched is kept")
	}
	if _, err := ix.Search(ctx, search.Query{Text: "Einführung"}); err != nil {
		t.Fatal(err)
	}
	if !ix.Keeps("Einführung") || ix.Keeps("Einführung in") {
		t.Errorf("after a search of Einführung: kept %v, Einführung in kept %v", ix.Keeps("Einführung"), ix.Keeps("Einführung in"))
	}
	if err := ix.Delete(ctx, []string{"d1"}); err != nil {
		t.Fatal(err)
	}
	if ix.Keeps("Einführung") {
		t.Error("kept after a write")
	}
}

// TestScoresOfASubset: each hit of a subset comes with the score at its
// position among all hits, across chunks and every kind of container
// (sparse, dense, runs), and a subset that reaches past the hits ends.
func TestScoresOfASubset(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 3))
	var each []scored
	for o := uint32(0); o < 300_000; o++ {
		sparse, dense, run := o < 65_536 && r.IntN(50) == 0, o >= 65_536 && o < 131_072 && r.IntN(3) > 0, o >= 200_000 && o < 210_000
		if sparse || dense || run {
			each = append(each, scored{score: float64(o) + 0.5, o: o})
		}
	}
	e := newTextEntry(slices.Clone(each), make([]uint32, 300_000))
	e.hits.RunOptimize()
	for _, share := range []int{1, 7, 300} {
		some := roaring.New()
		for _, s := range each {
			if r.IntN(share) == 0 {
				some.Add(s.o)
			}
		}
		var got []uint32
		e.scoresOf(some, func(s scored) {
			if s.score != float64(s.o)+0.5 {
				t.Fatalf("hit %d of 1 in %d scores %v", s.o, share, s.score)
			}
			got = append(got, s.o)
		})
		if want := some.ToArray(); !slices.Equal(got, want) {
			t.Errorf("1 in %d: %d hits given, want %d", share, len(got), len(want))
		}
	}
	beyond := roaring.BitmapOf(each[len(each)-1].o, 400_000)
	var got []uint32
	e.scoresOf(beyond, func(s scored) { got = append(got, s.o) })
	if !slices.Equal(got, []uint32{each[len(each)-1].o}) {
		t.Errorf("a subset reaching past the hits gave %v", got)
	}
}
