#!/usr/bin/env bash
# Issue 14's harvest figures, measured with qlink demo in two processes: the
# simulated federation alone (`qlink demo --federation-only`) and the
# aggregator harvesting it (`qlink demo --federation-dns … --federation-port …`),
# so the aggregator's peak RSS is its own.
#
# Per run: the full first harvest into a fresh data directory (seconds from
# the process's start to "Catalogue ready", the harvest's own "Done in",
# courses/s end to end, the aggregator's peak RSS), the data directory's size
# (database, index, snapshots), then a harvest of the unchanged federation
# (the aggregator restarted on the same data directory): its time and peak
# RSS. The federation runs once for every run (its URLs stay the same), and
# its own peak RSS is printed at the end. Medians come last.
#
#   bench/harvest.sh [INSTITUTIONS [COURSES_PER_INSTITUTION]]   (default 1000 100)
#
# Environment: RUNS (3), NICE (10: both processes run under nice, leaving the
# shared cores to interactive work first), WORKERS (--harvest-workers, default
# qlink's), KEEP=1 keeps the last data directory and prints its path. Where the
# time and memory go: bench/harvest-profile.sh.
set -euo pipefail
institutions=${1:-1000}
courses=${2:-100}
runs=${RUNS:-3}
nice=${NICE:-10}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
fedpid=""
cleanup() {
  [ -n "$fedpid" ] && kill "$fedpid" 2>/dev/null || true
  [ -n "${demopid:-}" ] && kill "$demopid" 2>/dev/null || true
  [ "${KEEP:-}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

(cd "$repo" && go build -o "$work/qlink" ./cmd/qlink)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM; $(go version | cut -d' ' -f3)"
echo "federation: $institutions institutions x $courses courses, four formats; runs: $runs; nice $nice; workers: ${WORKERS:-default}"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck source=common.sh
. "$repo/bench/common.sh"
start_federation --institutions "$institutions" --courses-per-institution "$courses"

size_mb() { du -sm "$@" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }

printf '%-4s %9s %9s %9s %10s %8s %7s | %8s %6s %6s %6s | %9s %9s %8s %7s\n' run first-s done-in courses courses/s rss-MB cpu-s \
  data-MB db idx snaps refresh-s done-in rss-MB cpu-s
for run in $(seq "$runs"); do
  dir="$work/data-$run"
  harvest "$work/first-$run.log" "$dir"
  f_secs=$secs f_done=$done_in f_rss=$rss_mb f_cpu=$cpu_s f_courses=$catalogue f_summary=$summary
  fed_cpu=$(cpu "$fedpid")
  total=$(size_mb "$dir") db=$(size_mb "$dir"/qlink.db*) idx=$(size_mb "$dir/index.bleve") snaps=$(size_mb "$dir/blobs")
  harvest "$work/refresh-$run.log" "$dir"
  printf '%-4s %9.1f %9s %9s %10.0f %8s %7s | %8s %6s %6s %6s | %9.1f %9s %8s %7s\n' "$run" "$f_secs" "$f_done" "$f_courses" \
    "$(echo "$f_courses / $f_secs" | bc -l)" "$f_rss" "$f_cpu" "$total" "$db" "$idx" "$snaps" "$secs" "$done_in" "$rss_mb" "$cpu_s"
  echo "     first: $f_summary; refresh: $summary; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$f_secs $f_courses $f_rss $total $secs $rss_mb $f_cpu $cpu_s" >>"$work/figures"
  if [ "${KEEP:-}" != 1 ] || [ "$run" != "$runs" ]; then rm -rf "$dir"; fi
done
echo "federation: peak RSS $(hwm "$fedpid") MB, CPU $(cpu "$fedpid") s in all (${fed_cpu} s by the end of the first harvest)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { awk -v c="$1" '{print $c}' "$work/figures" | median; }
first=$(col 1) n=$(col 2)
printf 'median of %d: first harvest %.1f s (%.0f courses/s), peak RSS %s MB, CPU %s s, data directory %s MB; refresh %.1f s, peak RSS %s MB, CPU %s s\n' \
  "$runs" "$first" "$(echo "$n / $first" | bc -l)" "$(col 3)" "$(col 7)" "$(col 4)" "$(col 5)" "$(col 6)" "$(col 8)"
[ "${KEEP:-}" = 1 ] && echo "kept: $work/data-$runs" || true
