package bleve

import (
	"cmp"
	"context"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Each Index has one goroutine for work no search should wait for: it
// looks up the ordinals of new segments' documents (hitords.go), it warms
// the cache of texts' matches after writes and, when serve asks after a
// start (WarmUp), with the texts the process before kept or was asked
// (textfile.go) and the catalogue's commonest words.
//
// A write to the index makes every kept text's matches stale
// (textcache.go), and the next search of each common word then pays its
// whole cost again, up to most of a second at a million courses. On a
// living catalogue writes come all day, as the scheduler refreshes one
// source after another, while the texts people search stay the same. So,
// as search engines warm a new searcher with the queries the old one was
// asked, each write notes the texts kept most recently, and once the index
// has had no write for warmQuiet the goroutine searches them again, most
// recent first, into the new generation's cache; a text a visitor searched
// meanwhile is skipped. A harvest that writes batch after batch is warmed
// for once, after its last batch.

// warmTexts is how many of the most recently used texts a write has
// searched again. At a million courses that costs a few seconds of one
// core: the 200 commonest words of a real catalogue's titles take 7.5 s
// in all (most far less than their mean of 34 ms), and the 106 words of
// the generated one, each in a fifth of its courses, 11 s
// (BenchmarkScaleWarming).
const warmTexts = 128

// warmQuiet is how long the index must have had no write before the
// warming starts. A variable only for tests.
var warmQuiet = 2 * time.Second

// Warming is paid for only when a generation lives long enough to use
// it: when refreshes write every few seconds, what is warmed goes stale
// at the next write, before visitors ask for it, and warming after every
// write would take a core's share from serving for nothing. So warming
// runs on a budget of time: warmShare of the time that passes, saved up to
// warmCredit. A warming that has spent it stops, most recent texts
// warmed first; the rest are left to the visitors who ask. The Index
// starts with the full credit, enough for the commonest words after a
// start (8.9 s at a million courses) or for a whole warming after a
// daily refresh; with writes every 30 s, 3 s of each 30 s go to it.
// Variables only for tests.
var (
	warmShare  = 0.1
	warmCredit = 15 * time.Second
)

// timeBudget is time that accrues at share of the time passing, up to
// most, and is spent on work. Only the background goroutine uses it.
type timeBudget struct {
	share      float64
	most, left time.Duration
	at         time.Time
}

func newTimeBudget(share float64, most time.Duration, now time.Time) *timeBudget {
	return &timeBudget{share: share, most: most, left: most, at: now}
}

// available adds what accrued until now and reports whether any is left.
func (b *timeBudget) available(now time.Time) bool {
	if now.After(b.at) {
		b.left = min(b.most, b.left+time.Duration(float64(now.Sub(b.at))*b.share))
		b.at = now
	}
	return b.left > 0
}

// spend takes d from what is left; the last work may overdraw it.
func (b *timeBudget) spend(d time.Duration) { b.left -= d }

// commonSample is about how many titles WarmUp reads to find
// the commonest words: a sample, so that its read lock stays short.
const commonSample = 100_000

// startBackground starts the Index's goroutine; Close stops it.
func (ix *Index) startBackground() {
	wake := make(chan struct{}, 1)
	ix.table.segOrds.wake = wake
	ix.warmUp = make(chan warmUpRequest, 1)
	ix.warmTimer = time.NewTimer(time.Hour)
	ix.warmTimer.Stop()
	ix.bgStop, ix.bgDone = make(chan struct{}), make(chan struct{})
	ix.warmBudget = newTimeBudget(warmShare, warmCredit, time.Now())
	go func() {
		defer close(ix.bgDone)
		ix.background(wake)
	}()
	ix.table.segOrds.signal()
}

// background fills ordinals whenever woken, and warms the texts' cache
// when the timer a write set fires and when serve asks for the warm-up,
// until bgStop is closed. Errors leave the work to the searches, which
// report them.
func (ix *Index) background(wake <-chan struct{}) {
	for {
		select {
		case <-ix.bgStop:
			return
		case <-wake:
			ix.fillAll()
		case <-ix.warmTimer.C:
			ix.warmMu.Lock()
			texts := ix.warmList
			ix.warmList = nil
			ix.warmMu.Unlock()
			ix.warmAll(texts)
		case req := <-ix.warmUp:
			start := time.Now()
			kept, texts := ix.restoreTexts()
			ix.warmed.Add(int64(kept))
			ix.listed = texts
			// The ordinals first: a text warmed before them would look
			// each hit up on its own (hitords.go).
			ix.fillAll()
			listed := len(texts)
			for _, w := range ix.commonWords(req.commonWords) {
				if !slices.Contains(texts[:listed], w) { // two workers would search it at once
					texts = append(texts, w)
				}
			}
			before := ix.warmed.Load()
			done := ix.warmBeforeReady(texts, start.Add(warmReadyMost))
			ix.warmingUp.Store(false)
			req.report <- WarmUpReport{ReadBack: kept, Listed: listed, Searched: int(ix.warmed.Load() - before),
				Left: len(texts) - done, Took: time.Since(start)}
			ix.warmAll(texts[done:])
		}
	}
}

// fillAll fills the ordinals of every document of the current snapshot
// not looked up yet, a chunk at a time, unless the Index closes first.
func (ix *Index) fillAll() {
	for more := true; more && !ix.stopping(); {
		var err error
		if more, err = ix.fillSome(fillChunk); err != nil {
			return
		}
	}
}

// warmReadyMost bounds the part of the warm-up that comes before the
// process says it is ready (WarmUp), from reading the file back to the
// last text searched: at a million courses the start before it takes
// 3.5 to 5 s, and the whole must stay well within 10 s. A variable only
// for tests.
var warmReadyMost = 3 * time.Second

// warmBeforeReady warms texts in order, as many at once as there are
// cores, until all are warmed, the deadline passes, one fails or the
// Index closes, and returns how many of the first texts it went through.
// No visitor waits for a core meanwhile, so the warming's budget is not
// spent.
func (ix *Index) warmBeforeReady(texts []string, deadline time.Time) int {
	var next atomic.Int64
	var failed atomic.Bool
	var workers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		workers.Go(func() {
			for !failed.Load() && !ix.stopping() && time.Now().Before(deadline) {
				i := int(next.Add(1)) - 1
				if i >= len(texts) {
					return
				}
				if ix.warm(texts[i]) != nil {
					failed.Store(true)
				}
			}
		})
	}
	workers.Wait()
	return min(int(next.Load()), len(texts))
}

// warmAll warms texts in turn until one fails, the warming's budget is
// spent or the Index closes.
func (ix *Index) warmAll(texts []string) {
	for _, text := range texts {
		if ix.stopping() || !ix.warmBudget.available(time.Now()) {
			return
		}
		start := time.Now()
		err := ix.warm(text)
		ix.warmBudget.spend(time.Since(start))
		if err != nil {
			return
		}
	}
}

func (ix *Index) stopping() bool {
	select {
	case <-ix.bgStop:
		return true
	default:
		return false
	}
}

// planWarming notes, at a write, the texts to search again once the index
// is quiet, and (re)starts the wait. The caller holds writeMu.
func (ix *Index) planWarming() {
	ix.warmMu.Lock()
	if recent := ix.texts.Recent(warmTexts); len(recent) > 0 {
		// Before anyone searched at the last write's generation, the cache
		// still holds what the one before kept: the same texts.
		ix.warmList = recent
	}
	ix.warmMu.Unlock()
	ix.warmTimer.Reset(warmQuiet)
}

// warm searches text into the cache of the current generation, unless it
// is there already.
func (ix *Index) warm(text string) error {
	present, err := ix.presentFields()
	if err != nil {
		return err
	}
	q := ix.textQuery(ix.words(text), present)
	if q == nil {
		return nil
	}
	t := ix.table
	t.mu.RLock()
	defer t.mu.RUnlock()
	if ix.texts.Has(t.gen, text) {
		return nil
	}
	e, err := ix.match(context.Background(), q)
	if err != nil {
		return err
	}
	ix.texts.Put(t.gen, text, e, e.size())
	ix.warmed.Add(1)
	return nil
}

// WarmUp has the background goroutine make ready, ahead of the visitors,
// what a process just started would otherwise meet for the first time:
// it reads back the texts' matches the process before kept (textfile.go),
// searches again the texts it listed but whose matches do not fit the
// index as it is now (a harvest or an upgrade came between), most
// recently searched first, and then the n words that the most titles
// hold (of four letters or more, and a stop word in no language). A
// catalogue's commonest words are among its likeliest searches and are
// its costliest: at a million courses their first searches took 100 to
// 800 ms each.
//
// Until those searches are done, or for warmReadyMost at most, WarmingUp
// reports true, and serve does not say it is ready: as search servers
// warm a new searcher before they route queries to it, a restarted
// process behind a load balancer gets its traffic once it has learned
// what its predecessor had, using every core, instead of meeting every
// text first under load (at a million courses some 14 ms of a core each,
// a p95 more than twice that of the minutes after). What is left then is
// searched in the background, on the warming's budget of time.
//
// serve asks for it once the index is open; commands that do not search
// leave it, and the file with it. Only the first call counts: it returns
// a channel that gets the report once the warm-up before readiness is
// done, and later calls nil.
func (ix *Index) WarmUp(n int) <-chan WarmUpReport {
	var report chan WarmUpReport
	ix.warmUpOnce.Do(func() {
		report = make(chan WarmUpReport, 1)
		ix.warmingUp.Store(true)
		ix.warmUp <- warmUpRequest{n, report}
	})
	return report
}

// warmUpRequest is WarmUp's request to the background goroutine.
type warmUpRequest struct {
	commonWords int
	report      chan<- WarmUpReport
}

// WarmUpReport says what the warm-up before readiness did: how many texts'
// matches it read back from the process before, how many texts that
// process's file listed, how many texts it searched (listed or common
// words, not kept already), how many it left to the background, and how
// long it took.
type WarmUpReport struct {
	ReadBack, Listed, Searched, Left int
	Took                             time.Duration
}

// WarmingUp reports whether the part of the warm-up that comes before
// readiness is under way (search.WarmingUp).
func (ix *Index) WarmingUp() bool { return ix.warmingUp.Load() }

// commonWords returns the n words the most titles hold, commonest first,
// as WarmUp describes, counted over a sample of the titles (the
// folded sort keys).
func (ix *Index) commonWords(n int) []string {
	counts := map[string]int{}
	t := ix.table
	t.mu.RLock()
	step := max(1, len(t.order)/commonSample)
	seen := map[string]bool{} // the words of one title
	for i := 0; i < len(t.order); i += step {
		clear(seen)
		for w := range strings.FieldsFuncSeq(t.sortKeys.get(t.order[i]), notLetter) {
			if utf8.RuneCountInString(w) < 4 || seen[w] {
				continue
			}
			seen[w] = true
			if c, ok := counts[w]; ok {
				counts[w] = c + 1
			} else {
				counts[strings.Clone(w)] = 1 // the key's bytes lie in the table, which changes
			}
		}
	}
	t.mu.RUnlock()
	words := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), strings.Compare(a, b))
	})
	var out []string
	for _, w := range words {
		if len(out) == n {
			break
		}
		if counts[w] > 1 && !ix.stopWord(w) {
			out = append(out, w)
		}
	}
	return out
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

// stopWord reports whether some field language drops w as a stop word.
func (ix *Index) stopWord(w string) bool {
	for _, lang := range fieldLangs() {
		if len(ix.analyse(lang, w)) == 0 {
			return true
		}
	}
	return false
}
