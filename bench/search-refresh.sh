#!/usr/bin/env bash
# Search on a living catalogue (issue 14): the load of bench/search-load.sh
# while refreshes write. A simulated federation (qlink demo
# --federation-only) changes some of its institutions' courses every
# REFRESH; an aggregator (qlink demo joining it, in a new data directory)
# harvests it, then refreshes every source at that interval while it
# serves. Once the first harvest is done, wrk offers RATE API requests/s
# over CONNECTIONS connections and HTML_RATE pages/s over HTML_CONNECTIONS
# for DURATION seconds, drawn from bench/search-load.lua's mix. Printed:
# the latencies, the aggregator's CPU per request (its refreshes included),
# and from its /metrics over the load: the harvest runs that ended, the
# share of text searches and of facet counts answered from what the index
# kept (a write makes them stale), and the texts it searched ahead of the
# visitors (qlink_search_cache_warmed_total).
#
#   bench/search-refresh.sh INSTITUTIONS COURSES_PER_INSTITUTION
#
# Environment: REFRESH (30s), DURATION (180), RATE (200), HTML_RATE (50),
# CONNECTIONS (50), HTML_CONNECTIONS (5), NICE (10), PORT (18715), QLINK
# (a qlink binary to use instead of building this checkout's, to compare
# two codes on the same federation).
#
# Needs wrk, curl and jq, installed with apt-get when missing.
set -euo pipefail
institutions=${1:?usage: bench/search-refresh.sh INSTITUTIONS COURSES_PER_INSTITUTION}
courses=${2:?usage: bench/search-refresh.sh INSTITUTIONS COURSES_PER_INSTITUTION}
refresh=${REFRESH:-30s}
duration=${DURATION:-180}
rate=${RATE:-200}
html_rate=${HTML_RATE:-50}
conns=${CONNECTIONS:-50}
html_conns=${HTML_CONNECTIONS:-5}
nice=${NICE:-10}
port=${PORT:-18715}
base="http://127.0.0.1:$port"
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
fedpid="" demopid=""
cleanup() {
  [ -n "$demopid" ] && kill "$demopid" 2>/dev/null && wait "$demopid" 2>/dev/null
  [ -n "$fedpid" ] && kill "$fedpid" 2>/dev/null && wait "$fedpid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=common.sh
. "$repo/bench/common.sh"
load_tools

if [ -n "${QLINK:-}" ]; then
  cp "$QLINK" "$work/qlink"
else
  (cd "$repo" && go build -o "$work/qlink" ./cmd/qlink)
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM; nice $nice"
start_federation --institutions "$institutions" --courses-per-institution "$courses" --refresh "$refresh"
QLINK_API_RATE=0 nice -n "$nice" "$work/qlink" demo "${join[@]}" --data-dir "$work/data" --addr "127.0.0.1:$port" \
  --refresh "$refresh" >"$work/aggregator.log" 2>&1 &
demopid=$!
until grep -q "Catalogue ready" "$work/aggregator.log" 2>/dev/null; do
  kill -0 "$demopid" 2>/dev/null || { tail -20 "$work/aggregator.log"; exit 1; }
  sleep 0.5
done
grep -o 'Catalogue ready with [0-9]* courses' "$work/aggregator.log"
vocabulary "$base" "$work/vocab"

# delta SERIES: how much a counter (summed over its labels) grew over the load.
delta() {
  awk -v m="$1" 'index($0, m) == 1 { if (FILENAME ~ /before$/) n -= $NF; else n += $NF } END { printf "%d", n }' \
    "$work/metrics-before" "$work/metrics-after"
}
echo "load: $rate API requests/s over $conns connections and $html_rate pages/s over $html_conns, ${duration} s, refreshes every $refresh"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -sf "$base/metrics" >"$work/metrics-before"
cpu0=$(cpu "$demopid")
lua="$repo/bench/search-load.lua"
GAP_MS=$(gap_ms "$conns" "$rate") nice -n "$nice" wrk -t 1 -c "$conns" -d "${duration}s" --timeout 10s -s "$lua" "$base" -- "$work/vocab" api >"$work/api.out" 2>&1 &
apiwrk=$!
GAP_MS=$(gap_ms "$html_conns" "$html_rate") nice -n "$nice" wrk -t 1 -c "$html_conns" -d "${duration}s" --timeout 10s -s "$lua" "$base" -- "$work/vocab" html >"$work/html.out" 2>&1
wait "$apiwrk"
cpu1=$(cpu "$demopid")
curl -sf "$base/metrics" >"$work/metrics-after"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "API:  $(grep '^RESULT' "$work/api.out" | sed 's/^RESULT //')"
echo "HTML: $(grep '^RESULT' "$work/html.out" | sed 's/^RESULT //')"
requests=$(cat "$work/api.out" "$work/html.out" | grep -o 'requests=[0-9]*' | cut -d= -f2 | awk '{s += $1} END {print s}')
printf 'aggregator: CPU %.1f s for %d requests = %.1f ms per request, refreshes included; peak RSS %s MB\n' \
  "$(echo "$cpu1 - $cpu0" | bc)" "$requests" "$(echo "($cpu1 - $cpu0) * 1000 / $requests" | bc -l)" "$(hwm "$demopid")"
echo "during the load: $(delta qlink_harvest_runs_total) harvest runs ended; texts answered from the index's kept matches" \
  "$(kept qlink_search_cache_lookups_total 'kind="text"'), facet counts $(kept qlink_search_cache_lookups_total 'kind="counts"');" \
  "texts searched ahead $(delta qlink_search_cache_warmed_total); items and cards kept $(kept qlink_kept_lookups_total 'form="item"')," \
  "$(kept qlink_kept_lookups_total 'form="card"')"
