#!/usr/bin/env bash
# bench/soak.sh — wsink under load and faults (issue 6), on this machine, over loopback only; prints one Markdown table.
#
#   1. Maven builds target/wsink.jar (mvn verify) and runs the test classes that inject faults and bad input (remote restarts and
#      crashes, dial failures, store faults, SIGTERM under load, a thousand bad REST requests, RFC 6455 violations) and
#      the slow-client tests; their reports are read in step 3.
#   2. The load phases, each wsink node and load client a process of its own (bench/src, compiled with javac):
#      100 clients on one endpoint with 10 paused, for each overflow policy; 20 000 connection attempts in a burst.
#   3. io.wsink.bench.SoakRunner prints the table: load held, faults survived, bad inputs tried, messages lost.
# The table is also written to bench/target/soak/table.md; Maven's output to bench/target/soak/mvn.log, every process's
# log to bench/target/logs. Exit status 0 when every target was met. The whole run is bounded to 10 minutes
# (RUN_LIMIT_S); every process it started is gone when it ends, however it ends. Do not run it while another Maven
# build uses this directory.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# RUN_LIMIT_S (default 600), START_S, the working directory $ROOT, and the traps that end what the script started
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"

raise_open_files soak
mkdir -p bench/target/soak

# The test classes that inject faults and bad input, and the slow-client tests. SoakTestReports describes each in the
# table; one listed here that it does not know, or one it knows that did not run, shows as a failed row.
UNIT_TESTS=RemoteRestartsTest,DialFailuresTest,StoreFaultTest,BadInputTest,ProtocolViolationTest,Utf8CheckTest,\
SlowClientsAtScaleTest,SlowClientTest
IT_TESTS=ShutdownUnderLoadIT

# stale reports of these classes would pass for this run's
for t in ${UNIT_TESTS//,/ }; do rm -f target/surefire-reports/*."$t".txt target/surefire-reports/*."$t"-output.txt target/surefire-reports/TEST-*."$t".xml; done
for t in ${IT_TESTS//,/ }; do rm -f target/failsafe-reports/*."$t".txt target/failsafe-reports/*."$t"-output.txt target/failsafe-reports/TEST-*."$t".xml; done

echo "soak: building target/wsink.jar and running the faults and bad input (mvn verify -Dtest=… -Dit.test=…) ..." >&2
# failures are the table's to report: the build goes on (the jar is built), and the reports say what failed
rm -f target/wsink.jar
MVN_LIMIT_S=$(( RUN_LIMIT_S / 2 ))
run_bounded "$MVN_LIMIT_S" mvn -B -q -Dtest="$UNIT_TESTS" -Dit.test="$IT_TESTS" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true verify \
  >bench/target/soak/mvn.log 2>&1 || echo "soak: the Maven run failed or was stopped after ${MVN_LIMIT_S} s (bench/target/soak/mvn.log)" >&2
[[ -f target/wsink.jar ]] || { echo "soak: no target/wsink.jar (bench/target/soak/mvn.log)" >&2; exit 1; }
compile_harness soak

BUDGET_S=$(( RUN_LIMIT_S - (SECONDS - START_S) - 30 ))
echo "soak: load phases, at most ${BUDGET_S} s ..." >&2
STATUS=0
run_bounded $(( BUDGET_S + 25 )) java -Xmx512m -cp bench/target/classes:target/wsink.jar io.wsink.bench.SoakRunner \
  --root "$ROOT" --budget-s "$BUDGET_S" --tests "$UNIT_TESTS,$IT_TESTS" || STATUS=$?
exit "$STATUS"
