#!/usr/bin/env bash
# Issue 13's figures: the demo federation harvested by the embedded default
# (SQLite, bleve, snapshots in the data directory) and by one and by two
# `qlink worker` processes on PostgreSQL, then search under wrk on bleve and
# on PostgreSQL at the same size.
#
#  1. The simulated federation runs alone (`qlink demo --federation-only`).
#  2. Embedded: `qlink demo --federation-dns … --data-dir D`, timed from the
#     start of the process to "Catalogue ready" (as bench/harvest.sh).
#  3. PostgreSQL, for 1 and then 2 workers: a fresh database, `qlink init`,
#     one `serve --no-harvest` (the web node, idle while the workers
#     harvest) and WORKERS_1 or WORKERS_2 `qlink worker` processes, timed
#     from the workers' start until every provider of the registry is
#     discovered and every active source has a finished run (the runs
#     table, polled every half second). Printed: seconds, courses/s, the CPU
#     seconds of each process and of the PostgreSQL server, peak RSS of each
#     worker, the database's size.
#  4. Search: bench/search-load.sh on the embedded data directory and on
#     the PostgreSQL database of the two-worker run (STARTS=1; DURATION,
#     CONNECTIONS, HTML_CONNECTIONS as there).
#
#   bench/postgres.sh [INSTITUTIONS [COURSES_PER_INSTITUTION]]   (default 1000, testfed's default)
#
# The workers harvest a federation whose names only its own DNS server
# knows. Production binaries resolve through the system's resolver, so the
# workers and the web node run as the test binary of cmd/qlink (built with
# `go test -c`, the same code), whose QLINK_TEST_FEDERATION hook points
# their resolver and dialer at the federation, the hook
# TestSeveralProcessesShareOnePostgres uses.
#
# PostgreSQL: DATABASE_URL names a server whose role may create databases;
# without it a throwaway cluster is made with .ci/pg-start, with fsync on
# (the embedded store syncs its WAL too) and otherwise the server's defaults.
#
# Environment: NICE (10), SEARCH=0 skips step 4, PG_FSYNC (on).
set -euo pipefail
institutions=${1:-1000}
courses=${2:-}
nice=${NICE:-10}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  [ -n "${fedpid:-}" ] && kill "$fedpid" 2>/dev/null || true
  rm -rf "$work"
  declare -F pg_stop >/dev/null && pg_stop
  true
}
if [ -z "${DATABASE_URL:-}" ]; then
  export PG_FSYNC=${PG_FSYNC:-on}
  # shellcheck source=../.ci/pg-start
  . "$repo/.ci/pg-start"
  DATABASE_URL=$QLINK_TEST_POSTGRES
fi
trap cleanup EXIT
psql_bin=$(command -v psql || echo "${PG_TEST_BIN:-/usr/lib/postgresql/15/bin}/psql")
sql() { "$psql_bin" -X -q -t -A -F ' ' "$@"; }

(cd "$repo" && go build -o "$work/qlink" ./cmd/qlink && go test -c -o "$work/qlink.test" ./cmd/qlink)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM; $(go version | cut -d' ' -f3); nice $nice"
echo "PostgreSQL: $(sql "$DATABASE_URL" -c 'SHOW server_version'), fsync $(sql "$DATABASE_URL" -c 'SHOW fsync'), shared_buffers $(sql "$DATABASE_URL" -c 'SHOW shared_buffers')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck source=common.sh
. "$repo/bench/common.sh"
start_federation --institutions "$institutions" ${courses:+--courses-per-institution "$courses"}
echo "federation: $institutions institutions x ${courses:-the default number of} courses, four formats (${join[*]})"

# pg_cpu: CPU seconds of every PostgreSQL server process on this machine
# (the throwaway cluster's; meaningless for a remote DATABASE_URL).
pg_cpu() {
  local total=0 p
  for p in $(pgrep -x postgres || true); do total=$(echo "$total + $(cpu "$p" 2>/dev/null || echo 0)" | bc); done
  echo "$total"
}

# 2. The embedded default.
start=$(date +%s.%N)
nice -n "$nice" "$work/qlink" demo "${join[@]}" --data-dir "$work/embedded" --addr 127.0.0.1:0 >"$work/embedded.log" 2>&1 &
demopid=$!
pids+=("$demopid")
until grep -q "Catalogue ready" "$work/embedded.log" 2>/dev/null; do
  kill -0 "$demopid" 2>/dev/null || { tail -20 "$work/embedded.log"; exit 1; }
  sleep 0.2
done
secs=$(echo "$(date +%s.%N) - $start" | bc)
n=$(grep -o 'Catalogue ready with [0-9]*' "$work/embedded.log" | awk '{print $4}')
printf 'embedded: %d courses in %.1f s = %.0f courses/s; CPU %s s, peak RSS %s MB; data directory %s MB\n' "$n" "$secs" \
  "$(echo "$n / $secs" | bc -l)" "$(cpu "$demopid")" "$(hwm "$demopid")" "$(du -sm "$work/embedded" | cut -f1)"
stop_all

# 3. PostgreSQL with one and with two workers.
# as_qlink: the test binary as qlink, reaching the federation (through env
# and nice, which exec it: $! of a background as_qlink is qlink's PID).
as_qlink=(env QLINK_TEST_RUN_MAIN=1 QLINK_TEST_FEDERATION="${join[1]} ${join[3]}" nice -n "$nice" "$work/qlink.test")
progress="SELECT (SELECT count(*) FROM providers), (SELECT count(DISTINCT provider_id) FROM discoveries),
  (SELECT count(*) FROM sources WHERE active), (SELECT count(DISTINCT source_id) FROM runs WHERE status <> 'running'),
  (SELECT count(*) FROM courses)"
for w in 1 2; do
  db="qlink_bench_$w"
  sql "$DATABASE_URL" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  url=$(echo "$DATABASE_URL" | sed -E "s#/[^/?]*(\?|$)#/$db\1#")
  web="$work/web-$w"
  "${as_qlink[@]}" init --data-dir "$web" --database-url "$url" >"$work/init-$w.log" 2>&1 || { cat "$work/init-$w.log"; exit 1; }
  "${as_qlink[@]}" serve --no-harvest --database-url "$url" --data-dir "$web" --addr 127.0.0.1:0 >"$work/web-$w.log" 2>&1 &
  webpid=$!
  pids+=("$webpid")
  pg0=$(pg_cpu)
  start=$(date +%s.%N)
  workerpids=()
  for i in $(seq "$w"); do
    mkdir -p "$work/worker-$w-$i"
    "${as_qlink[@]}" worker --database-url "$url" --data-dir "$work/worker-$w-$i" --keys-dir "$web" \
      --registry-url "$registry" >"$work/worker-$w-$i.log" 2>&1 &
    workerpids+=($!)
    pids+=($!)
  done
  while :; do
    read -r providers discovered sources finished stored < <(sql "$url" -c "$progress" 2>/dev/null || echo "0 0 0 0 0")
    [ "$providers" -ge "$institutions" ] && [ "$discovered" = "$providers" ] && [ "$sources" -gt 0 ] && [ "$finished" = "$sources" ] && break
    for p in "${workerpids[@]}"; do
      kill -0 "$p" 2>/dev/null || { tail -20 "$work"/worker-"$w"-*.log; exit 1; }
    done
    sleep 0.5
  done
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  per=""
  for i in $(seq "$w"); do
    p=${workerpids[$((i - 1))]}
    per+="worker $i CPU $(cpu "$p") s, peak RSS $(hwm "$p") MB; "
  done
  printf 'PostgreSQL, %d worker(s): %d courses (%d sources) in %.1f s = %.0f courses/s; %sweb node CPU %s s; PostgreSQL CPU %.1f s; database %s\n' \
    "$w" "$stored" "$sources" "$secs" "$(echo "$stored / $secs" | bc -l)" "$per" "$(cpu "$webpid")" "$(echo "$(pg_cpu) - $pg0" | bc)" \
    "$(sql "$url" -c "SELECT pg_size_pretty(pg_database_size('$db'))")"
  echo "  runs: $(sql "$url" -c "SELECT string_agg(status || ' ' || n, ', ') FROM (SELECT status, count(*) n FROM runs GROUP BY status) s");" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_all
done

# 4. Search on bleve and on PostgreSQL, the same catalogue.
if [ "${SEARCH:-1}" != 0 ]; then
  echo
  echo "== search on the embedded default (bleve)"
  STARTS=1 NICE=$nice "$repo/bench/search-load.sh" "$work/embedded"
  echo
  echo "== search on PostgreSQL"
  STARTS=1 NICE=$nice DATABASE_URL=$url "$repo/bench/search-load.sh" "$web"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
