#!/usr/bin/env bash
# Compares a no-change refresh of the demo federation (25 institutions,
# the four formats `qlink demo` serves) with its first harvest: runs
# BenchmarkDemoRefresh three times and prints, per run, the first
# harvest's time, the refresh's time and their ratio (goal: at most 10 %).
set -euo pipefail
cd "$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
go test -run '^$' -bench DemoRefresh -benchtime "${BENCHTIME:-5x}" -count "${COUNT:-3}" -benchmem ./cmd/qlink |
  tee /dev/stderr |
  awk '/^BenchmarkDemoRefresh/ {
    for (i = 1; i <= NF; i++) { if ($(i+1) == "ns/op") ns = $i; if ($(i+1) == "first-ms") first = $i }
    printf "first harvest %6.0f ms   refresh %6.0f ms   refresh/first %5.1f %%\n", first, ns / 1e6, 100 * ns / 1e6 / first
  }'
