#!/usr/bin/env bash
# Issue 14's serving figures on an existing data directory (for a million
# courses: KEEP=1 RUNS=1 bench/harvest.sh 1000 1000 prints the one it keeps).
#
#  1. Start-up: `qlink serve --no-harvest` is started STARTS times; each time
#     the seconds from the start of the process until /readyz answers 200,
#     and the CPU seconds it used until then. The last one keeps serving.
#     Each start reads back the texts' matches the serve before kept (the
#     index directory's qlink-texts.cache, internal/search/bleve/textfile.go):
#     FORGET_TEXTS=1 removes that file first, for the first start on a new
#     index, which meets every text afresh. STALE_TEXTS=1 builds qlink with
#     a version of its own, so that the file (from the run before) holds
#     matches of another build: the first start after an upgrade or a
#     harvest, which reads none back but searches the texts the file lists
#     again in the background.
#  2. The vocabulary of the load, taken from the catalogue through the API:
#     every facet's values (from a match-all answer) and the words and word
#     pairs of the titles of about 3,000 courses (random pages of random
#     institutions).
#  3. Load: wrk with CONNECTIONS connections on the JSON API and, at the same
#     time, HTML_CONNECTIONS on the catalogue's HTML page, both for DURATION
#     seconds, each request drawn from the mix bench/search-load.lua
#     describes (text, text with filters, filters alone, browsing; every
#     answer counts every facet). Printed per target: p50/p95/p99 latency,
#     requests/s, failures; for serve: its CPU milliseconds per request (the
#     figure the machine's other load does not inflate), its largest RSS
#     while serving (sampled every second) and its peak RSS since start;
#     and serve's own p50 and p95 per route and of the waits at the search
#     gate, from its /metrics before and after the round (as bucket bounds),
#     the share of courses shown from what serve kept (web/kept.go), of
#     texts and facet counts answered from what the index kept, and
#     the Go heap in use at the round's end (the rest of RSS is mostly the
#     index's files, mapped).
#     ROUNDS=N runs this load N times in a row (default 1): the later rounds
#     meet the text searches the first left in serve's cache of recent
#     texts' matches (internal/search/bleve/textcache.go).
#     RATE=N offers the API N requests/s in all instead of a closed load
#     (HTML_RATE=M the page M/s): each connection waits a random,
#     exponentially distributed gap before each request, with a mean of
#     connections / rate (bench/search-load.lua, delay). The latencies are
#     then those a service sees at that traffic, not at its saturation;
#     the rate reached is printed beside them.
#  4. BREAKDOWN=1 then loads the API with each kind of request alone, for
#     DURATION/2 seconds each.
#  5. PROFILE=1 records the requests of step 3, stops serve and replays
#     PROFILE_REQUESTS (2000) of them
#     in process (BenchmarkServeRequests in cmd/qlink/bench_test.go, as many
#     at once as there are cores) with a CPU profile, and prints pprof's top
#     functions; then it profiles one start-up alone (BenchmarkServeStartup).
#     The profiles stay in OUT (default: a new temporary directory).
#
#   bench/search-load.sh DATA_DIR
#
# With DATABASE_URL, serve answers from that PostgreSQL database (the store
# and its search tables; DATA_DIR then holds the keys), as a web node of a
# scale-out instance does (docs/scale-out.md); bench/postgres.sh runs it so.
#
# Environment: DURATION (60), CONNECTIONS (50), HTML_CONNECTIONS (5), THREADS
# (wrk threads per target, 1), STARTS (3), NICE (10: serve and wrk under nice,
# as every heavy benchmark on the shared machine; NICE=0 for the figures of a
# machine of one's own), PORT (18714), SERVE_FLAGS (more flags for serve, e.g.
# "--search-concurrency 1000" to let every search run at once as before the
# search queue). Rate limits are off (--api-rate 0): the load comes from one
# address.
#
# Needs wrk, curl and jq, installed with apt-get when missing.
set -euo pipefail
dir=${1:?usage: bench/search-load.sh DATA_DIR}
duration=${DURATION:-60}
conns=${CONNECTIONS:-50}
html_conns=${HTML_CONNECTIONS:-5}
threads=${THREADS:-1}
starts=${STARTS:-3}
nice=${NICE:-10}
port=${PORT:-18714}
base="http://127.0.0.1:$port"
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
servepid=""
cleanup() {
  [ -n "$servepid" ] && kill "$servepid" 2>/dev/null && wait "$servepid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

ldflags=""
[ "${STALE_TEXTS:-}" = 1 ] && ldflags="-X main.version=stale-texts-$(date +%s%N)"
(cd "$repo" && go build -ldflags "$ldflags" -o "$work/qlink" ./cmd/qlink)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM; $(go version | cut -d' ' -f3); nice $nice"
echo "data directory: $dir ($(du -sm "$dir" | cut -f1) MB)${DATABASE_URL:+; database: PostgreSQL}"
load() { cut -d' ' -f1-3 /proc/loadavg; }
# shellcheck source=common.sh
. "$repo/bench/common.sh"
load_tools
status_mb() { awk -v k="$2:" '$1 == k {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# start: serve the data directory and wait until it is ready; sets secs and
# ready_cpu.
start() {
  local t0
  t0=$(date +%s.%N)
  nice -n "$nice" "$work/qlink" serve --data-dir "$dir" ${DATABASE_URL:+--database-url "$DATABASE_URL"} \
    --addr "127.0.0.1:$port" --no-harvest --api-rate 0 ${SERVE_FLAGS:-} \
    --log-level warn >>"$work/serve.log" 2>&1 &
  servepid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ]; do
    kill -0 "$servepid" 2>/dev/null || { tail -20 "$work/serve.log"; exit 1; }
    sleep 0.05
  done
  secs=$(echo "$(date +%s.%N) - $t0" | bc)
  ready_cpu=$(cpu "$servepid")
}

[ "${FORGET_TEXTS:-}" = 1 ] && rm -f "$dir/index.bleve/qlink-texts.cache"
for i in $(seq "$starts"); do
  [ -n "$servepid" ] && { kill "$servepid"; wait "$servepid" 2>/dev/null || true; }
  start
  printf 'start-up %d: ready in %.2f s (serve CPU %s s, RSS %s MB); load average %s\n' "$i" "$secs" "$ready_cpu" \
    "$(status_mb "$servepid" VmRSS)" "$(load)"
  echo "$secs" >>"$work/starts"
done
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "start-up median of $starts: $(median <"$work/starts") s"

vocab="$work/vocab"
vocabulary "$base" "$vocab"

lua="$repo/bench/search-load.lua"
# sample_rss: the largest RSS of serve, sampled every second until killed.
sample_rss() {
  local top=0 mb
  while sleep 1; do
    mb=$(status_mb "$servepid" VmRSS) || break
    [ "$mb" -gt "$top" ] && top=$mb && echo "$top" >"$work/rss-top"
  done
}

# run_load N: load round N, as step 3 describes.
run_load() {
  echo
  echo "load round $1: $conns connections on the API and $html_conns on the HTML page at once, ${duration} s, wrk threads $threads per target;" \
    "offered: API ${RATE:-as fast as answered}${RATE:+/s}, pages ${HTML_RATE:-as fast as answered}${HTML_RATE:+/s}"
  echo "load average before: $(load)"
  [ "${PROFILE:-}" = 1 ] && [ "$1" = 1 ] && export RECORD="$work/requests"
  curl -sf "$base/metrics" >"$work/metrics-before" || true
  cpu0=$(cpu "$servepid")
  sample_rss &
  sampler=$!
  GAP_MS=$(gap_ms "$conns" "${RATE:-}") nice -n "$nice" wrk -t "$threads" -c "$conns" -d "${duration}s" --timeout 10s -s "$lua" "$base" -- "$vocab" api >"$work/api.out" 2>&1 &
  apiwrk=$!
  if [ "$html_conns" -gt 0 ]; then
    GAP_MS=$(gap_ms "$html_conns" "${HTML_RATE:-}") nice -n "$nice" wrk -t 1 -c "$html_conns" -d "${duration}s" --timeout 10s -s "$lua" "$base" -- "$vocab" html >"$work/html.out" 2>&1
  fi
  wait "$apiwrk"
  cpu1=$(cpu "$servepid")
  curl -sf "$base/metrics" >"$work/metrics-after" || true
  unset RECORD
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  echo "load average after: $(load)"
  echo "API:  $(result "$work/api.out")"
  [ "$html_conns" -gt 0 ] && echo "HTML: $(result "$work/html.out")"
  # (with no page connections there is no html.out: cat's failure must not end the script)
  requests=$({ cat "$work"/api.out "$work"/html.out 2>/dev/null || true; } | { grep -o 'requests=[0-9]*' || true; } | cut -d= -f2 | awk '{s += $1} END {print s}')
  printf 'serve: CPU %.1f s for %d requests = %.1f ms of CPU per request; RSS while serving up to %s MB; peak RSS since start %s MB\n' \
    "$(echo "$cpu1 - $cpu0" | bc)" "$requests" "$(echo "($cpu1 - $cpu0) * 1000 / $requests" | bc -l)" \
    "$(cat "$work/rss-top" 2>/dev/null || echo '?')" "$(status_mb "$servepid" VmHWM)"
  echo "serve's own time, from its /metrics (bucket bounds, ms): API $(served 'qlink_http_request_duration_seconds_bucket{route="GET /api/v1/courses",')," \
    "pages $(served 'qlink_http_request_duration_seconds_bucket{route="GET /{$}",'), wait at the search gate $(served 'qlink_search_wait_seconds_bucket{')"
  echo "courses shown from what serve kept (web/kept.go): API items $(kept qlink_kept_lookups_total 'form="item"')," \
    "catalogue cards $(kept qlink_kept_lookups_total 'form="card"'); searches answered from the index's kept" \
    "matches of texts $(kept qlink_search_cache_lookups_total 'kind="text"') and facet counts $(kept qlink_search_cache_lookups_total 'kind="counts"');" \
    "memory they take $(awk '/^qlink_(kept|search_cache)_bytes\{/ {split($1, a, "\""); printf "%s %.0f MB, ", a[2], $2 / 1048576}' "$work/metrics-after")" \
    "Go heap in use after the round $(awk '$1 == "go_memstats_heap_inuse_bytes" {printf "%.0f MB", $2 / 1048576}' "$work/metrics-after")"
}
# served METRIC_PREFIX: p50 and p95 of the round's observations of a
# histogram, as the upper bounds of the buckets they fall in (from the
# difference of serve's /metrics before and after the round).
served() {
  awk -v m="$1" '
    index($0, m) == 1 { match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
      if (FILENAME ~ /before$/) before[le] = $NF; else { after[le] = $NF; order[++n] = le } }
    END {
      total = after[order[n]] - before[order[n]]
      if (total <= 0) { printf "?"; exit }
      split("50 95", qs, " ")
      for (k = 1; k <= 2; k++) {
        for (i = 1; i <= n; i++) if (after[order[i]] - before[order[i]] >= qs[k] / 100 * total) break
        v = order[i]; out = (v == "+Inf") ? "> last" : sprintf("%g", v * 1000)
        printf "%sp%s <= %s", (k > 1 ? " " : ""), qs[k], out
      }
    }' "$work/metrics-before" "$work/metrics-after"
}
result() { grep '^RESULT' "$1" | sed 's/^RESULT //' || { cat "$1"; echo "wrk failed"; }; }
for round in $(seq "${ROUNDS:-1}"); do
  run_load "$round"
done

if [ "${BREAKDOWN:-}" = 1 ]; then
  echo
  echo "breakdown: the API with each kind of request alone, $conns connections, $((duration / 2)) s each"
  for kind in text text+filter filter browse; do
    c0=$(cpu "$servepid")
    nice -n "$nice" wrk -t "$threads" -c "$conns" -d "$((duration / 2))s" --timeout 10s -s "$lua" "$base" -- "$vocab" api "$kind" >"$work/kind.out" 2>&1
    c1=$(cpu "$servepid")
    n=$(grep -o 'requests=[0-9]*' "$work/kind.out" | cut -d= -f2)
    printf '%-12s %s cpu-ms/request=%.1f load=%s\n' "$kind" "$(result "$work/kind.out")" "$(echo "($c1 - $c0) * 1000 / $n" | bc -l)" "$(load)"
  done
fi

if [ "${PROFILE:-}" = 1 ]; then
  out=${OUT:-$(mktemp -d)}
  mkdir -p "$out"
  # Interleaved as they were sent (the API's and the page's), at most
  # PROFILE_REQUESTS (2000) of them.
  { paste -d '\n' "$work"/requests-* | grep -v '^$' | head -n "${PROFILE_REQUESTS:-2000}" >"$out/requests"; } || true
  kill "$servepid"
  wait "$servepid" 2>/dev/null || true
  servepid=""
  (cd "$repo" && go test -c -o "$out/qlink.test" ./cmd/qlink)
  echo
  echo "profile: $(wc -l <"$out/requests") recorded requests replayed in process; load average before $(load)"
  (cd "$repo/cmd/qlink" && QLINK_BENCH_DATA_DIR=$dir QLINK_BENCH_REQUESTS=$out/requests nice -n "$nice" "$out/qlink.test" \
    -test.run '^$' -test.bench ServeRequests -test.benchtime "$(wc -l <"$out/requests")x" -test.cpuprofile "$out/cpu.out" | grep -E '^Benchmark|ok|FAIL')
  echo "load average after: $(load)"
  pp() { go tool pprof -nodecount="${NODES:-30}" "$@" 2>/dev/null; }
  echo; echo "== CPU (flat)"; pp -top "$out/qlink.test" "$out/cpu.out" | sed -n '1,36p'
  echo; echo "== CPU (cumulative)"; pp -top -cum "$out/qlink.test" "$out/cpu.out" | sed -n '1,45p'
  echo
  echo "profile of start-up (BenchmarkServeStartup, once); load average before $(load)"
  (cd "$repo/cmd/qlink" && QLINK_BENCH_DATA_DIR=$dir nice -n "$nice" "$out/qlink.test" \
    -test.run '^$' -test.bench ServeStartup -test.benchtime 1x -test.cpuprofile "$out/startup.out" | grep -E '^Benchmark|ok|FAIL')
  echo; echo "== start-up CPU (cumulative)"; pp -top -cum "$out/qlink.test" "$out/startup.out" | sed -n '1,45p'
  echo; echo "profiles in $out"
fi
