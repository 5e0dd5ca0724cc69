#!/usr/bin/env bash
# Where the harvest's time and memory go: runs BenchmarkHarvestAtScale
# (cmd/qlink/bench_test.go: a first harvest of INSTITUTIONS × COURSES, the
# federation in the same process) once under nice with a CPU profile and a
# heap profile taken at the live heap's peak, and prints pprof's top
# functions: CPU for the aggregator alone (testfed's frames left out) and
# for the federation, CPU by cumulative time, and the live heap at its peak.
#
#   bench/harvest-profile.sh [INSTITUTIONS [COURSES_PER_INSTITUTION]]   (default 1000 100)
#
# REFRESH=1 profiles a harvest of the unchanged federation instead
# (BenchmarkRefreshAtScale: the first harvest runs outside the profile), CPU
# only.
#
# The profiles stay in OUT (default: a new temporary directory) for
# `go tool pprof -http :0 OUT/qlink.test OUT/cpu.out`.
set -euo pipefail
institutions=${1:-1000}
courses=${2:-100}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
cd "$repo"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
go test -c -o "$out/qlink.test" ./cmd/qlink
export QLINK_BENCH_INSTITUTIONS=$institutions QLINK_BENCH_COURSES=$courses
if [ "${REFRESH:-}" = 1 ]; then
  (cd cmd/qlink && QLINK_BENCH_CPU_PROFILE="$out/cpu.out" nice -n "${NICE:-10}" "$out/qlink.test" \
    -test.run '^$' -test.bench RefreshAtScale -test.benchtime 1x)
else
  (cd cmd/qlink && QLINK_BENCH_PEAK_HEAP="$out/peak.heap" nice -n "${NICE:-10}" "$out/qlink.test" \
    -test.run '^$' -test.bench HarvestAtScale -test.benchtime 1x -test.cpuprofile "$out/cpu.out")
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
pp() { go tool pprof -nodecount="${NODES:-25}" "$@" 2>/dev/null; }
echo; echo "== CPU, aggregator alone (flat)"; pp -top -ignore 'testfed' "$out/qlink.test" "$out/cpu.out" | sed -n '1,35p'
echo; echo "== CPU, aggregator alone (cumulative)"; pp -top -cum -ignore 'testfed' "$out/qlink.test" "$out/cpu.out" | sed -n '1,40p'
echo; echo "== CPU, the federation (testfed)"; pp -top -cum -focus 'testfed' -nodecount=8 "$out/qlink.test" "$out/cpu.out" | sed -n '1,14p'
[ -f "$out/peak.heap" ] && echo && echo "== live heap at its peak (inuse_space)" && pp -top -sample_index=inuse_space "$out/qlink.test" "$out/peak.heap" | sed -n '1,35p'
echo; echo "profiles in $out"
