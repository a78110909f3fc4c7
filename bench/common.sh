# Shared by bench/run.sh and bench/soak.sh (sourced, not run): the time limit, process clean-up, the open-files limit
# and the compilation of the harness. Expects ROOT (the repository); moves there and installs the clean-up traps.

RUN_LIMIT_S=${RUN_LIMIT_S:-600}
START_S=$SECONDS
RUNNER_PID=
WATCHDOG_PID=
cd "$ROOT"

# Kill what the script started (the orchestrator and, below it, its children), by process id, deepest first.
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

# $1: the script's name for messages
raise_open_files() {
  ulimit -n 20000 2>/dev/null || echo "$1: could not raise the open-files limit to 20000 (now $(ulimit -n))" >&2
}

# $1: the script's name for messages. Compiles bench/src against target/wsink.jar into bench/target/classes.
compile_harness() {
  echo "$1: compiling the harness into bench/target/classes ..." >&2
  rm -rf "$ROOT/bench/target/classes"
  mkdir -p "$ROOT/bench/target/classes"
  # -Xlint:-classfile: the jar has no Vert.x codegen annotations, which javac would warn about for every class
  javac --release 17 -Xlint:all,-classfile -d "$ROOT/bench/target/classes" -cp "$ROOT/target/wsink.jar" \
    $(find "$ROOT/bench/src" -name '*.java')
}

# Runs "$@" in the background with a hard stop after $1 seconds (its whole process tree), and returns its exit status.
# Sets RUNNER_PID and WATCHDOG_PID for cleanup.
run_bounded() {
  local limit_s=$1 status=0
  shift
  "$@" &
  RUNNER_PID=$!
  # the orchestrator keeps to its budget; this is the hard stop should it not
  ( sleep "$limit_s" && kill_tree "$RUNNER_PID" ) 2>/dev/null &
  WATCHDOG_PID=$!
  wait "$RUNNER_PID" || status=$?
  RUNNER_PID=
  kill_tree "$WATCHDOG_PID"
  WATCHDOG_PID=
  return "$status"
}

trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
