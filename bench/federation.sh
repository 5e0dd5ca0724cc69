# Sourced by the bench scripts: start_federation ARGS... runs the simulated
# federation alone (`qlink demo --federation-only ARGS...`) under nice
# $nice from $work/qlink, waits until it serves, and sets fedpid, join (the
# --federation-dns and --federation-port flags that harvest it) and
# registry (its registry URL). Its output is in $work/federation.log.
start_federation() {
  nice -n "$nice" "$work/qlink" demo --federation-only "$@" >"$work/federation.log" 2>&1 &
  fedpid=$!
  until grep -q "Harvest it from another process" "$work/federation.log" 2>/dev/null; do
    kill -0 "$fedpid" 2>/dev/null || { cat "$work/federation.log"; exit 1; }
    sleep 0.2
  done
  read -r -a join < <(grep -o -- '--federation-dns .*' "$work/federation.log")
  registry=$(grep -o 'Registry: .*' "$work/federation.log" | cut -d' ' -f2)
}
