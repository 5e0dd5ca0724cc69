#!/usr/bin/env bash
# Times `go run ./cmd/qlink demo` from a fresh clone with empty module and
# build caches (what a newcomer's first run costs), then once more warm.
# Prints the seconds until the catalogue is served. Needs the Go module
# proxy; uses a free port on loopback.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'pkill -f "qlink demo --addr 127.0.0.1:$port" 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/qlink"
export GOCACHE="$work/gocache" GOMODCACHE="$work/gomod" GOFLAGS=-modcacherw
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

run() {
  local log="$work/$1.log" start end
  start=$(date +%s.%N)
  (cd "$work/qlink" && go run ./cmd/qlink demo --addr "127.0.0.1:$port" >"$log" 2>&1 &)
  until grep -q "Catalogue ready" "$log" 2>/dev/null; do
    if grep -q "qlink:" "$log" 2>/dev/null; then cat "$log"; exit 1; fi
    sleep 0.2
  done
  end=$(date +%s.%N)
  printf '%-5s %6.1f s   %s\n' "$1" "$(echo "$end - $start" | bc)" "$(grep -o 'Done in [^:]*' "$log")"
  pkill -f "qlink demo --addr 127.0.0.1:$port" || true
  sleep 1
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
run cold
run warm
