#!/usr/bin/env bash
# bench/run.sh [--quick] [--runs N] [--window W] [--only start,server,client,idle,diagnose] [--clients 1,100] [--jfr]
#              [--diagnose] [--event-loops N]
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
#   --event-loops N  event loops of the Vert.x instance wsink is deployed into in its bench process (default 1: the
#               generator, the sink and the data server on one thread, like the raw baseline; 0: Vert.x's default)
# Results: the table on stdout and in bench/target/results/table.md, every run in runs.csv / runs.json, process logs in
# bench/target/logs.
# Builds the fat jar (mvn) and the harness (javac), installs the second load client (npm ws), then hands over to
# io.wsink.bench.BenchRunner, which starts and stops every process of every cell. The whole run is bounded to
# 10 minutes (RUN_LIMIT_S); every process it started is gone when it ends, however it ends.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# RUN_LIMIT_S (default 600), START_S, the working directory $ROOT, and the traps that end what the script started
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

raise_open_files bench

echo "bench: building target/wsink.jar (mvn -q -DskipTests package) ..." >&2
mvn -q -DskipTests package >&2

compile_harness bench

if [[ ! -d bench/node_modules/ws ]]; then
  echo "bench: installing the second load client (npm install --prefix bench ws@8) ..." >&2
  npm install --prefix bench --no-audit --no-fund --silent ws@8 >&2
fi

BUDGET_S=$(( RUN_LIMIT_S - (SECONDS - START_S) - 30 ))
echo "bench: measuring, at most ${BUDGET_S} s ..." >&2
STATUS=0
run_bounded $(( BUDGET_S + 25 )) java -Xmx512m -cp bench/target/classes:target/wsink.jar io.wsink.bench.BenchRunner \
  --root "$ROOT" --budget-s "$BUDGET_S" "$@" || STATUS=$?
exit "$STATUS"
