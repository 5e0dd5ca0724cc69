#!/usr/bin/env bash
# RDF parser benchmark: qlink's parsers vs `rapper -c` (raptor2) and npm n3
# on the same generated ELM-like files, in one run.
#
#   bench/rdf/run.sh [COURSES]     (default 20000 courses ≈ 1.08M triples)
#   REPEAT=5 bench/rdf/run.sh      (runs per tool × format; the best is kept)
#
# Installs what is missing: raptor2-utils (apt) and the pinned n3 (npm ci in
# bench/rdf). Files go to bench/out/ (gitignored). Prints one table:
# tool × format → triples, seconds, triples/s, peak RSS (MB), all measured
# by /usr/bin/time around a child process.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/bench/out
courses=${1:-20000}
repeat=${REPEAT:-3}
mkdir -p "$out/bin"

if ! command -v rapper >/dev/null; then
	apt-get install -y -qq raptor2-utils >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq raptor2-utils; }
fi
[ -x /usr/bin/time ] || apt-get install -y -qq time
[ -d "$here/node_modules/n3" ] || (cd "$here" && npm ci --no-audit --no-fund --silent)

cd "$root"
go build -o "$out/bin/parse" ./bench/rdf/parse
go build -o "$out/bin/gen" ./bench/rdf/gen
if [ ! -s "$out/elm.ttl" ] || [ "$(cat "$out/courses" 2>/dev/null)" != "$courses" ]; then
	"$out/bin/gen" -out "$out" -courses "$courses"
	echo "$courses" > "$out/courses"
fi

# measure TOOL FORMAT CMD...: runs CMD $repeat times under /usr/bin/time,
# keeps the fastest run (the machine is shared, so slower runs are noise),
# extracts the triple count from the tool's output and prints one row.
measure() {
	local tool=$1 format=$2
	shift 2
	local log=$out/run.log best="" n="" kb=""
	for _ in $(seq "$repeat"); do
		if ! /usr/bin/time -f 'TIME %e %M' "$@" >"$log" 2>&1; then
			printf '%-8s %-9s failed: %s\n' "$tool" "$format" "$(tail -1 "$log")"
			return
		fi
		local secs rss
		read -r secs rss < <(grep '^TIME' "$log" | awk '{print $2, $3}')
		if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$secs
			kb=$rss
			n=$(grep -oE '(returned )?[0-9]+ (triples|[0-9.]+ [0-9]+)' "$log" | head -1 | grep -oE '[0-9]+' | head -1)
		fi
	done
	awk -v t="$tool" -v f="$format" -v n="$n" -v s="$best" -v kb="$kb" \
		'BEGIN { printf "%-8s %-9s %9d %8.2f %10.0f %8.1f\n", t, f, n, s, (s > 0 ? n / s : 0), kb / 1024 }'
}

echo "best of $repeat runs; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3), rapper $(rapper --version), n3 $(node -p 'require(process.argv[1]).version' "$here/node_modules/n3/package.json")"
for f in elm.ttl elm.nt elm.nq elm.rdf; do
	echo "file: $f $(du -m "$out/$f" | cut -f1) MB"
done
printf '%-8s %-9s %9s %8s %10s %8s\n' tool format triples seconds triples/s peak-MB
for spec in "turtle elm.ttl text/turtle" "ntriples elm.nt application/n-triples" "nquads elm.nq application/n-quads" "rdfxml elm.rdf -"; do
	read -r format file mime <<<"$spec"
	measure qlink "$format" "$out/bin/parse" "$out/$file"
	measure rapper "$format" rapper -c -i "$format" "$out/$file" "file:///bench/$file"
	if [ "$mime" != - ]; then
		measure n3 "$format" node "$here/n3count.js" "$out/$file" "$mime"
	else
		printf '%-8s %-9s %s\n' n3 "$format" "n/a (n3 has no RDF/XML parser)"
	fi
done
