# Sourced by the bench scripts, which set work (their temporary directory,
# holding the qlink binary) and nice.

# hwm PID: the process's peak resident memory so far, in MB.
hwm() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# cpu PID: the user and system CPU seconds the process used so far (on a
# shared machine, the figure the load does not inflate).
cpu() { awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz}' "/proc/$1/stat"; }

# start_federation ARGS... runs the simulated federation alone (`qlink demo
# --federation-only ARGS...`) under nice $nice from $work/qlink, waits until
# it serves, and sets fedpid, join (the --federation-dns and
# --federation-port flags that harvest it) and registry (its registry URL).
# Its output is in $work/federation.log; $work/federation.args holds ARGS
# and its ports, which start it again as it was (bench/refresh-kept.sh).
start_federation() {
  nice -n "$nice" "$work/qlink" demo --federation-only "$@" >"$work/federation.log" 2>&1 &
  fedpid=$!
  until grep -q "Harvest it from another process" "$work/federation.log" 2>/dev/null; do
    kill -0 "$fedpid" 2>/dev/null || { cat "$work/federation.log"; exit 1; }
    sleep 0.2
  done
  read -r -a join < <(grep -o -- '--federation-dns .*' "$work/federation.log")
  echo "$* ${join[*]}" >"$work/federation.args"
  registry=$(grep -o 'Registry: .*' "$work/federation.log" | cut -d' ' -f2)
}

# harvest LOG DIR: runs the aggregator (qlink demo joining the federation
# with $join) on data directory DIR until its catalogue is ready, stops it,
# and sets secs, done_in, catalogue, rss_mb, cpu_s, summary.
harvest() {
  local log=$1 dir=$2 start
  start=$(date +%s.%N)
  nice -n "$nice" "$work/qlink" demo "${join[@]}" --data-dir "$dir" --addr 127.0.0.1:0 \
    ${WORKERS:+--harvest-workers "$WORKERS"} >"$log" 2>&1 &
  demopid=$!
  until grep -q "Catalogue ready" "$log" 2>/dev/null; do
    kill -0 "$demopid" 2>/dev/null || { tail -20 "$log"; exit 1; }
    sleep 0.2
  done
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  rss_mb=$(hwm "$demopid") cpu_s=$(cpu "$demopid")
  kill "$demopid"
  wait "$demopid" 2>/dev/null || true
  demopid=""
  done_in=$(grep -o 'Done in [^:]*' "$log" | cut -d' ' -f3)
  catalogue=$(grep -o 'Catalogue ready with [0-9]*' "$log" | awk '{print $4}')
  summary=$(grep -o 'sources harvested ([^)]*)' "$log")
}

# vocabulary BASE DIR: the words of the search load (bench/search-load.lua),
# taken from the catalogue served at BASE into DIR: every facet's values
# (from a match-all answer) and the words and word pairs of the titles of
# about 3,000 courses, from the same pages every run, so that runs of two
# codes meet the same texts (bash seeds RANDOM anew in a loop's subshell).
vocabulary() {
  local base=$1 vocab=$2 f
  mkdir -p "$vocab"
  curl -sf "$base/api/v1/courses?limit=1&facet_limit=10000" >"$vocab/all.json"
  echo "catalogue: $(jq .total "$vocab/all.json") courses"
  for f in country eqf language institution field type mode; do
    jq -r --arg f "$f" '.facets[$f][]?.value' "$vocab/all.json" >"$vocab/$f.txt"
  done
  shuf -n 30 --random-source=<(yes) "$vocab/institution.txt" | awk '{print $0, (NR * 7) % 10 + 1}' | while read -r inst page; do
    curl -sf "$base/api/v1/courses?institution=$inst&limit=100&page=$page" | jq -r '.items[].title[]'
  done >"$vocab/titles.txt"
  tr '[:upper:]' '[:lower:]' <"$vocab/titles.txt" | tr -cs '[:alpha:]\n' ' ' >"$vocab/titles.lower"
  tr ' ' '\n' <"$vocab/titles.lower" | awk 'length($0) >= 4' | sort -u >"$vocab/words.txt"
  awk '{for (i = 1; i < NF; i++) if (length($i) >= 3 && length($(i + 1)) >= 3) print $i " " $(i + 1)}' "$vocab/titles.lower" |
    sort -u >"$vocab/phrases.txt"
  echo "vocabulary: $(wc -l <"$vocab/titles.txt") titles, $(wc -l <"$vocab/words.txt") words, $(wc -l <"$vocab/phrases.txt") word pairs;" \
    "facet values: $(for f in country eqf language institution field type mode; do printf '%s %s, ' "$f" "$(wc -l <"$vocab/$f.txt")"; done)"
}

# load_tools installs what the search loads need (wrk, curl, jq) with
# apt-get when one is missing.
load_tools() {
  if ! command -v wrk >/dev/null || ! command -v curl >/dev/null || ! command -v jq >/dev/null; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get install -y wrk curl jq
  fi
}

# gap_ms CONNECTIONS RATE: the mean wait before each request on a connection
# for RATE requests/s over all of them (bench/search-load.lua's GAP_MS);
# nothing, a closed load, without RATE.
gap_ms() { [ -z "$2" ] || echo "$1 * 1000 / $2" | bc -l; }

# kept METRIC LABEL: the share of a load's lookups counted by METRIC (a
# counter with a result="hit"|"miss" label) under LABEL that found what
# they looked for, from the server's /metrics before and after the load
# ($work/metrics-before, $work/metrics-after).
kept() {
  awk -v m="$1{" -v f="$2" '
    index($0, m) == 1 && index($0, f) {
      r = ($0 ~ /result="hit"/) ? "hit" : "miss"
      if (FILENAME ~ /before$/) n[r] -= $NF; else n[r] += $NF }
    END { t = n["hit"] + n["miss"]; if (t > 0) printf "%.0f %% of %d", 100 * n["hit"] / t, t; else printf "?" }' \
    "$work/metrics-before" "$work/metrics-after"
}
