#!/usr/bin/env bash
# Issue 14's refresh figure on a data directory kept by bench/harvest.sh
# (KEEP=1): starts the simulated federation again as it was (the same
# options and ports, read from federation.args beside the directory; the
# same day, as its content is dated by the day), then runs RUNS harvests of
# the unchanged federation on the directory with the qlink of this checkout,
# each from process start to "Catalogue ready": time, peak RSS, CPU.
# Medians come last. A first refresh runs before them as a warm-up, not
# counted: a federation started again has forgotten the validators of its
# ELM files and renders each again (its costliest work) before it can
# answer 304, which a federation that kept running would not.
#
#   bench/refresh-kept.sh DIR      (DIR: the "kept:" path harvest.sh printed)
#
# Environment: RUNS (3), WARMUP (1: runs before them, not counted), NICE (10), WORKERS (--harvest-workers); PROFILE=1
# writes a CPU profile of each run (QLINK_CPU_PROFILE) and prints pprof's
# top functions of the last one; OUT keeps the profiles (default: removed).
set -euo pipefail
dir=$(realpath "${1:?usage: bench/refresh-kept.sh DATA-DIR}")
args_file=$(dirname "$dir")/federation.args
[ -f "$args_file" ] || { echo "no $args_file: run bench/harvest.sh with KEEP=1 first" >&2; exit 1; }
read -r -a fedargs <"$args_file"
runs=${RUNS:-3}
nice=${NICE:-10}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=${OUT:-$(mktemp -d)}
mkdir -p "$work"
fedpid=""
cleanup() {
  [ -n "$fedpid" ] && kill "$fedpid" 2>/dev/null || true
  [ -n "${demopid:-}" ] && kill "$demopid" 2>/dev/null || true
  [ -n "${OUT:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

(cd "$repo" && go build -o "$work/qlink" ./cmd/qlink)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM; $(go version | cut -d' ' -f3)"
echo "qlink $(git -C "$repo" rev-parse --short HEAD); data directory $dir ($(du -sm "$dir" | cut -f1) MB); federation ${fedargs[*]}; runs: $runs; nice $nice"
# shellcheck source=common.sh
. "$repo/bench/common.sh"
start_federation "${fedargs[@]}"

printf '%-4s %9s %9s %9s %8s %7s  %s\n' run refresh-s done-in courses rss-MB cpu-s "load average at the end"
for run in $(seq $((1 - ${WARMUP:-1})) "$runs"); do
  label=$run
  [ "$run" -le 0 ] && label=warm
  [ "${PROFILE:-}" = 1 ] && export QLINK_CPU_PROFILE="$work/cpu-$label.out"
  harvest "$work/refresh-$label.log" "$dir"
  printf '%-4s %9.1f %9s %9s %8s %7s  %s\n' "$label" "$secs" "$done_in" "$catalogue" "$rss_mb" "$cpu_s" "$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "     $summary"
  [ "$run" -le 0 ] || echo "$secs $rss_mb $cpu_s" >>"$work/figures"
done
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { awk -v c="$1" '{print $c}' "$work/figures" | median; }
printf 'median of %d: refresh %.1f s, peak RSS %s MB, CPU %s s\n' "$runs" "$(col 1)" "$(col 2)" "$(col 3)"
if [ "${PROFILE:-}" = 1 ]; then
  pp() { go tool pprof -nodecount="${NODES:-40}" "$@" 2>/dev/null; }
  echo; echo "== CPU of run $runs (flat)"; pp -top "$work/qlink" "$work/cpu-$runs.out" | sed -n '5,50p'
  echo; echo "== CPU of run $runs (cumulative, qlink's functions)"; pp -top -cum -nodecount=400 "$work/qlink" "$work/cpu-$runs.out" | grep 'qlink/' | head -40
  [ -n "${OUT:-}" ] && echo "profiles in $work: go tool pprof -http :0 $work/qlink $work/cpu-$runs.out"
fi
