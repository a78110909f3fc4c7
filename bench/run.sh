#!/usr/bin/env bash
# bench/run.sh [--quick] [--runs N] [--window W] [--only start,server,client,idle,diagnose] [--clients 1,100] [--jfr]
#              [--diagnose]
#
# Measures wsink against raw Vert.x 5 on this machine, in one run, over loopback only, and prints one Markdown table.
#   --quick     one run of fewer cells (N = 1 and 100, 100 B), for development
#   --runs N    repetitions per cell (default 3)
#   --window W  fixed number of unacknowledged requests for the wsink generator (default: sized by client count)
#   --only ...  just these sections
#   --clients   just these server-mode client counts N (e.g. 1,100)
#   --jfr       a JFR recording of every server under test, in bench/target/jfr
#   --diagnose  also raw Vert.x fed through the event bus by wsink's generator (where does wsink lose time?);
#               --only diagnose runs just that
# Results: the table on stdout and in bench/target/results/table.md, every run in runs.csv / runs.json, process logs in
# bench/target/logs.
# Builds the fat jar (mvn) and the harness (javac), installs the second load client (npm ws), then hands over to
# io.wsink.bench.BenchRunner, which starts and stops every process of every cell. The whole run is bounded to
# 10 minutes (RUN_LIMIT_S); every process it started is gone when it ends, however it ends.
set -euo pipefail

RUN_LIMIT_S=${RUN_LIMIT_S:-600}
START_S=$SECONDS
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# Kill what this script started (the orchestrator and, below it, its children), by process id, deepest first.
kill_tree() {
  local pid=$1 child
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
    kill_tree "$child"
  done
  kill -TERM "$pid" 2>/dev/null || true
}
cleanup() {
  trap - EXIT INT TERM
  local pid
  for pid in "${RUNNER_PID:-}" "${WATCHDOG_PID:-}"; do
    if [[ -n "$pid" ]]; then
      kill_tree "$pid"
    fi
  done
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

ulimit -n 20000 2>/dev/null || echo "bench: could not raise the open-files limit to 20000 (now $(ulimit -n))" >&2

echo "bench: building target/wsink.jar (mvn -q -DskipTests package) ..." >&2
mvn -q -DskipTests package >&2

echo "bench: compiling the harness into bench/target/classes ..." >&2
rm -rf bench/target/classes
mkdir -p bench/target/classes
# -Xlint:-classfile: the jar has no Vert.x codegen annotations, which javac would warn about for every class
javac --release 17 -Xlint:all,-classfile -d bench/target/classes -cp target/wsink.jar \
  $(find bench/src -name '*.java')

if [[ ! -d bench/node_modules/ws ]]; then
  echo "bench: installing the second load client (npm install --prefix bench ws@8) ..." >&2
  npm install --prefix bench --no-audit --no-fund --silent ws@8 >&2
fi

BUDGET_S=$(( RUN_LIMIT_S - (SECONDS - START_S) - 30 ))
echo "bench: measuring, at most ${BUDGET_S} s ..." >&2
java -Xmx512m -cp bench/target/classes:target/wsink.jar io.wsink.bench.BenchRunner \
  --root "$ROOT" --budget-s "$BUDGET_S" "$@" &
RUNNER_PID=$!
# the orchestrator keeps to its budget; this is the hard stop should it not
( sleep $(( BUDGET_S + 25 )) && kill_tree "$RUNNER_PID" ) 2>/dev/null &
WATCHDOG_PID=$!
set +e
wait "$RUNNER_PID"
STATUS=$?
set -e
RUNNER_PID=
kill_tree "$WATCHDOG_PID"
WATCHDOG_PID=
exit "$STATUS"
