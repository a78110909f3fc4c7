#!/usr/bin/env bash
# A wsink cluster of N nodes on this host, for trying clustering out and for tests.
#
#   deploy/local-cluster.sh start N   start N nodes (1-99) of target/wsink.jar and wait until each is ready
#   deploy/local-cluster.sh stop      SIGTERM to every node, wait until they have exited, report
#   deploy/local-cluster.sh status    list the nodes: pid, state, ports, GET /health/ready
#
# Node n (1..N) gets REST port WSINK_REST_BASE+n-1 and data server port WSINK_DATA_BASE+n-1, both on 127.0.0.1,
# and keeps its store, log, pid and exit code in WSINK_CLUSTER_DIR/node-n/ (data/, wsink.log, wsink.pid,
# exit-code). A later "start" in the same directory finds the stores again, so rules survive a stop/start.
#
# Environment (defaults in brackets):
#   WSINK_CLUSTER_DIR    work directory [./local-cluster]
#   WSINK_REST_BASE      REST port of node 1 [9081]
#   WSINK_DATA_BASE      data server port of node 1 [10081]
#   WSINK_HZ_BASE        Hazelcast port of node 1 [5701]
#   WSINK_CLUSTER_NAME   Hazelcast cluster name [wsink]
#   WSINK_JAR            the fat jar [target/wsink.jar of this repository]
#   WSINK_CONF           configuration directory given with --conf [conf/ of this repository]
#   WSINK_JAVA_OPTS      JVM options of every node [-Xmx512m]
#   WSINK_START_TIMEOUT  seconds "start" waits for every node to be ready [60]
#   WSINK_STOP_TIMEOUT   seconds "stop" waits for every node to exit [45]
#   JAVA_HOME            the JDK to run (else java from PATH)
# WSINK__<SECTION>__<KEY> variables reach every node as usual; the script sets the ports, the cluster host
# (127.0.0.1) and, when it has generated one, the Hazelcast configuration (WSINK__CLUSTER__CONFIG) per node.
#
# Hazelcast: the shipped conf/cluster.xml lists 127.0.0.1:5701 to 127.0.0.1:5705 as members of the cluster "wsink".
# When WSINK_HZ_BASE or WSINK_CLUSTER_NAME differ from that, or N is larger than the list, "start" writes
# WSINK_CLUSTER_DIR/cluster.xml: a copy of conf/cluster.xml with that name, that base port and the members
# 127.0.0.1:WSINK_HZ_BASE to 127.0.0.1:WSINK_HZ_BASE+N-1.
#
# Exit status: 0 when the command did what it says; 1 otherwise, with the reason (and a node's log tail) on stderr;
# 2 for a wrong command line. A "start" that fails stops the nodes it started.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)

WORK=${WSINK_CLUSTER_DIR:-./local-cluster}
REST_BASE=${WSINK_REST_BASE:-9081}
DATA_BASE=${WSINK_DATA_BASE:-10081}
HZ_BASE=${WSINK_HZ_BASE:-5701}
CLUSTER_NAME=${WSINK_CLUSTER_NAME:-wsink}
JAR=${WSINK_JAR:-$REPO_DIR/target/wsink.jar}
CONF=${WSINK_CONF:-$REPO_DIR/conf}
JAVA_OPTS=${WSINK_JAVA_OPTS:--Xmx512m}
START_TIMEOUT=${WSINK_START_TIMEOUT:-60}
STOP_TIMEOUT=${WSINK_STOP_TIMEOUT:-45}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
HOST=127.0.0.1
# the shipped conf/cluster.xml
SHIPPED_HZ_BASE=5701
SHIPPED_CLUSTER_NAME=wsink
LOG_TAIL_LINES=40

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

die() {
  echo "local-cluster: $*" >&2
  exit 1
}

is_uint() {
  [[ $1 =~ ^[0-9]+$ ]]
}

# ------------------------------------------------------------------------------------------------------------------
# Nodes on disk

node_dir() {
  echo "$WORK/node-$1"
}

# The node numbers that have a directory in $WORK, in order.
known_nodes() {
  local d n nodes=()
  for d in "$WORK"/node-*; do
    [[ -d $d ]] || continue
    n=${d##*/node-}
    is_uint "$n" && nodes+=("$n")
  done
  ((${#nodes[@]})) || return 0
  printf '%s\n' "${nodes[@]}" | sort -n
}

# The pid of node $1 when that process is running and is the node (not a recycled pid); else nothing, status 1.
running_pid() {
  local dir pid args
  dir=$(node_dir "$1")
  [[ -f $dir/wsink.pid ]] || return 1
  pid=$(<"$dir/wsink.pid")
  is_uint "$pid" || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  args=$(ps -o args= -p "$pid" 2>/dev/null) || return 1
  [[ $args == *"--data $dir/data"* ]] || return 1
  echo "$pid"
}

# The exit code of node $1's last run, once it has exited; else nothing, status 1.
exit_code() {
  local file
  file=$(node_dir "$1")/exit-code
  [[ -s $file ]] || return 1
  cat "$file"
}

# The value of $2 (REST_PORT or DATA_PORT) that node $1's node.env recorded at its start.
recorded() {
  local file line
  file=$(node_dir "$1")/node.env
  [[ -f $file ]] || return 1
  while IFS= read -r line; do
    if [[ $line == "$2="* ]]; then
      echo "${line#"$2"=}"
      return 0
    fi
  done <"$file"
  return 1
}

log_tail() {
  local log
  log=$(node_dir "$1")/wsink.log
  echo "----- last $LOG_TAIL_LINES lines of $log -----" >&2
  [[ -f $log ]] && tail -n "$LOG_TAIL_LINES" "$log" >&2
  echo "----- end of $log -----" >&2
}

# ------------------------------------------------------------------------------------------------------------------
# Probes

# The HTTP status of GET http://127.0.0.1:$1$2 ("000" when nothing answers); the body goes to file $3 if given.
http_status() {
  local out=${3:-/dev/null}
  curl -s -o "$out" -w '%{http_code}' --connect-timeout 2 --max-time 4 "http://$HOST:$1$2" 2>/dev/null || true
}

# Status 0 when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# ------------------------------------------------------------------------------------------------------------------
# Hazelcast configuration

# A <member>host:port</member> element alone on its line, as conf/cluster.xml lists the members.
MEMBER_LINE='^([[:space:]]*)<member>[^<]*</member>[[:space:]]*$'

# Status 0 when line $1, of an XML file read from the top, is in a comment (or holds one); XML_COMMENT carries an
# open comment over to the next line. Comments are copied as they are and never rewritten.
xml_comment() {
  if ((XML_COMMENT)) || [[ $1 == *'<!--'* ]]; then
    if [[ $1 == *'-->'* ]]; then XML_COMMENT=0; else XML_COMMENT=1; fi
    return 0
  fi
  return 1
}

# Prints the path of the cluster.xml the nodes must be given, or nothing when conf/cluster.xml (or, without one, the
# configuration packaged in the jar) fits as it is.
cluster_config_for() {
  local n=$1 shipped=$CONF/cluster.xml line members=0
  if [[ -f $shipped ]]; then
    XML_COMMENT=0
    while IFS= read -r line || [[ -n $line ]]; do
      if ! xml_comment "$line" && [[ $line =~ $MEMBER_LINE ]]; then
        members=$((members + 1))
      fi
    done <"$shipped"
  else
    members=5 # the packaged conf/cluster.xml
  fi
  if [[ $HZ_BASE == "$SHIPPED_HZ_BASE" && $CLUSTER_NAME == "$SHIPPED_CLUSTER_NAME" ]] && ((n <= members)); then
    return 0
  fi
  [[ -f $shipped ]] || die "$shipped not found: it is the template of the Hazelcast configuration that" \
    "WSINK_HZ_BASE=$HZ_BASE, WSINK_CLUSTER_NAME=$CLUSTER_NAME and $n nodes need"
  write_cluster_config "$n" "$shipped" "$WORK/cluster.xml"
  echo "$WORK/cluster.xml"
}

# Copies Hazelcast XML $2 to $3 with the cluster name, the network port (and a port-count of at least $1) and the
# members 127.0.0.1:HZ_BASE.. for $1 nodes. Expects one <member>host:port</member> per line, as conf/cluster.xml has.
write_cluster_config() {
  local n=$1 from=$2 to=$3 line i named=0 ported=0 membered=0 indent count
  : >"$to.tmp"
  XML_COMMENT=0
  while IFS= read -r line || [[ -n $line ]]; do
    if xml_comment "$line"; then
      :
    elif [[ $line =~ ^(.*\<cluster-name\>)[^\<]*(\</cluster-name\>.*)$ ]]; then
      line="${BASH_REMATCH[1]}$CLUSTER_NAME${BASH_REMATCH[2]}"
      named=1
    elif ((ported == 0)) && [[ $line =~ ^(.*\<port)(( [^\>]*)?)\>[0-9]+(\</port\>.*)$ ]]; then
      local attrs=${BASH_REMATCH[2]} head=${BASH_REMATCH[1]} tail=${BASH_REMATCH[4]}
      if [[ $attrs =~ ^(.*port-count=\")([0-9]+)(\".*)$ ]]; then
        count=${BASH_REMATCH[2]}
        ((count < n)) && count=$n
        attrs="${BASH_REMATCH[1]}$count${BASH_REMATCH[3]}"
      fi
      line="$head$attrs>$HZ_BASE$tail"
      ported=1
    elif [[ $line =~ $MEMBER_LINE ]]; then
      if ((membered == 0)); then
        indent=${BASH_REMATCH[1]}
        for ((i = 0; i < n; i++)); do
          printf '%s<member>%s:%s</member>\n' "$indent" "$HOST" "$((HZ_BASE + i))" >>"$to.tmp"
        done
        membered=1
      fi
      continue
    elif [[ $line =~ \<member[\>\ ]|\<members\> ]]; then
      rm -f "$to.tmp"
      die "cannot rewrite $from: expected each member as <member>host:port</member> on a line of its own," \
        "found: $line"
    fi
    printf '%s\n' "$line" >>"$to.tmp"
  done <"$from"
  ((named && ported && membered)) || {
    rm -f "$to.tmp"
    die "cannot rewrite $from: it needs a <cluster-name>, a network <port> and <member> lines" \
      "(found: cluster-name $named, port $ported, members $membered)"
  }
  mv "$to.tmp" "$to"
}

# ------------------------------------------------------------------------------------------------------------------
# Commands

start() {
  local n=${1:-}
  if ! is_uint "$n" || ((10#$n < 1 || 10#$n > 99)); then
    echo "local-cluster: start needs a node count from 1 to 99" >&2
    exit 2
  fi
  n=$((10#$n))
  local v
  for v in REST_BASE DATA_BASE HZ_BASE START_TIMEOUT STOP_TIMEOUT; do
    is_uint "${!v}" || die "WSINK_$v must be a whole number, got '${!v}'"
  done
  for v in REST_BASE DATA_BASE HZ_BASE; do
    ((${!v} >= 1 && ${!v} + n - 1 <= 65535)) || die "WSINK_$v=${!v} leaves no room for $n ports below 65536"
  done
  [[ -f $JAR ]] || die "$JAR not found: build it with mvn -q -DskipTests package (or set WSINK_JAR)"
  [[ -d $CONF ]] || die "configuration directory $CONF not found (set WSINK_CONF)"
  command -v "$JAVA" >/dev/null || die "$JAVA not found: set JAVA_HOME or put java on the PATH"
  command -v curl >/dev/null || die "curl not found: it probes each node's /health/ready"

  mkdir -p "$WORK"
  WORK=$(cd "$WORK" && pwd)
  local k pid
  while read -r k; do
    [[ -n $k ]] || continue
    if pid=$(running_pid "$k"); then
      die "node $k of $WORK is still running (pid $pid): run '$0 stop' first"
    fi
  done < <(known_nodes)

  local i port busy=()
  for ((i = 0; i < n; i++)); do
    for port in $((REST_BASE + i)) $((DATA_BASE + i)) $((HZ_BASE + i)); do
      port_in_use "$port" && busy+=("$port")
    done
  done
  ((${#busy[@]} == 0)) || die "port(s) ${busy[*]} on $HOST already in use (another wsink or local cluster?):" \
    "choose others with WSINK_REST_BASE, WSINK_DATA_BASE or WSINK_HZ_BASE"

  local cluster_config
  cluster_config=$(cluster_config_for "$n")
  [[ -z $cluster_config ]] || echo "Hazelcast configuration: $cluster_config (cluster '$CLUSTER_NAME'," \
    "members $HOST:$HZ_BASE-$((HZ_BASE + n - 1)))"

  for ((i = 1; i <= n; i++)); do
    launch "$i" "$cluster_config"
  done
  await_ready "$n"
  echo "local cluster of $n node(s) ready in $WORK"
  status
}

# Starts node $1 in the background (with Hazelcast configuration $2 when non-empty) and records its pid.
launch() {
  local n=$1 cluster_config=$2 dir rest data
  dir=$(node_dir "$n")
  rest=$((REST_BASE + n - 1))
  data=$((DATA_BASE + n - 1))
  mkdir -p "$dir/data"
  rm -f "$dir/wsink.pid" "$dir/exit-code"
  printf 'REST_PORT=%s\nDATA_PORT=%s\n' "$rest" "$data" >"$dir/node.env"
  # A subshell per node starts java, records its pid, waits for it and records its exit code, so that "stop" can
  # report how each node ended. HUP is ignored (as nohup does) so that closing the terminal leaves the nodes running.
  (
    trap '' HUP
    export WSINK__REST__PORT=$rest WSINK__SOURCE__HTTPSERVERPORT=$data WSINK__CLUSTER__HOST=$HOST
    export WSINK__REST__IP=${WSINK__REST__IP:-$HOST} WSINK__SOURCE__HTTPSERVERIP=${WSINK__SOURCE__HTTPSERVERIP:-$HOST}
    if [[ -n $cluster_config ]]; then
      export WSINK__CLUSTER__CONFIG=$cluster_config
    fi
    echo "===== local-cluster: node $n starting at $(date '+%Y-%m-%d %H:%M:%S'): REST $rest, data server $data"
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of words
    "$JAVA" $JAVA_OPTS -jar "$JAR" --conf "$CONF" --data "$dir/data" --cluster &
    local pid=$! rc=0
    echo "$pid" >"$dir/wsink.pid.tmp"
    mv "$dir/wsink.pid.tmp" "$dir/wsink.pid"
    wait "$pid" || rc=$?
    echo "$rc" >"$dir/exit-code"
    echo "===== local-cluster: node $n exited with $rc at $(date '+%Y-%m-%d %H:%M:%S')"
  ) </dev/null >>"$dir/wsink.log" 2>&1 &
  local deadline=$((SECONDS + 10))
  until [[ -f $dir/wsink.pid ]]; do
    ((SECONDS < deadline)) || die "node $n: no pid file $dir/wsink.pid within 10 s"
    sleep 0.1
  done
  echo "node $n: pid $(<"$dir/wsink.pid"), REST http://$HOST:$rest, data server ws://$HOST:$data, log $dir/wsink.log"
}

# Waits until GET /health/ready answers 200 on nodes 1..$1; on failure reports, stops them all and exits 1.
await_ready() {
  local n=$1 i code pending=() left=() deadline=$((SECONDS + START_TIMEOUT)) failed="" answer
  for ((i = 1; i <= n; i++)); do pending+=("$i"); done
  while ((${#pending[@]})); do
    left=()
    for i in "${pending[@]}"; do
      # the exit code file, not the pid, tells that a node ended: just after the fork the pid is not java's yet
      if code=$(exit_code "$i"); then
        failed="node $i exited with code $code before it was ready"
        break 2
      fi
      if [[ $(http_status "$(recorded "$i" REST_PORT)" /health/ready) == 200 ]]; then
        echo "node $i: ready"
      else
        left+=("$i")
      fi
    done
    pending=("${left[@]+"${left[@]}"}")
    ((${#pending[@]})) || return 0
    if ((SECONDS >= deadline)); then
      i=${pending[0]}
      answer=$(node_dir "$i")/ready.json
      code=$(http_status "$(recorded "$i" REST_PORT)" /health/ready "$answer")
      failed="node $i not ready within $START_TIMEOUT s (WSINK_START_TIMEOUT): GET /health/ready answered $code"
      [[ -s $answer ]] && failed+=" $(<"$answer")"
      break
    fi
    sleep 0.5
  done
  echo "local-cluster: $failed" >&2
  log_tail "$i"
  echo "local-cluster: stopping the nodes that started" >&2
  stop >&2 || true
  exit 1
}

stop() {
  if [[ ! -d $WORK ]]; then
    echo "no local cluster in $WORK"
    return 0
  fi
  WORK=$(cd "$WORK" && pwd)
  local k pid signalled=()
  while read -r k; do
    [[ -n $k ]] || continue
    if pid=$(running_pid "$k"); then
      kill -TERM "$pid" 2>/dev/null && signalled+=("$k")
    fi
  done < <(known_nodes)
  if ((${#signalled[@]} == 0)); then
    echo "no node of $WORK is running"
    return 0
  fi
  echo "SIGTERM sent to node(s) ${signalled[*]}; waiting up to $STOP_TIMEOUT s (WSINK_STOP_TIMEOUT)"
  local deadline=$((SECONDS + STOP_TIMEOUT)) waiting=("${signalled[@]}") left
  while ((${#waiting[@]})) && ((SECONDS < deadline)); do
    left=()
    for k in "${waiting[@]}"; do
      # exited once its wrapper has recorded the exit code (or, without one, once the process is gone)
      if ! exit_code "$k" >/dev/null && running_pid "$k" >/dev/null; then
        left+=("$k")
      fi
    done
    waiting=("${left[@]+"${left[@]}"}")
    ((${#waiting[@]})) && sleep 0.2
  done
  local problems=0 code
  for k in "${signalled[@]}"; do
    if pid=$(running_pid "$k") && ! exit_code "$k" >/dev/null; then
      echo "node $k (pid $pid): still running after $STOP_TIMEOUT s; 'kill -9 $pid' ends it" >&2
      problems=1
    elif code=$(exit_code "$k"); then
      if [[ $code == 0 ]]; then
        echo "node $k: stopped (exit code 0)"
      elif [[ $code == 143 ]]; then
        # 128 + SIGTERM: the JVM's own exit when the signal came before wsink had installed its handler
        echo "node $k: stopped during its start-up (exit code 143)"
      else
        echo "node $k: exited with code $code; see $(node_dir "$k")/wsink.log" >&2
        problems=1
      fi
    else
      echo "node $k: stopped (exit code not recorded)"
    fi
  done
  return "$problems"
}

status() {
  if [[ ! -d $WORK ]]; then
    echo "no local cluster in $WORK"
    return 0
  fi
  WORK=$(cd "$WORK" && pwd)
  local k pid state rest data ready any=0
  printf '%-5s %-8s %-14s %-6s %-6s %s\n' node pid state rest data ready
  while read -r k; do
    [[ -n $k ]] || continue
    any=1
    rest=$(recorded "$k" REST_PORT || echo -)
    data=$(recorded "$k" DATA_PORT || echo -)
    ready=-
    if pid=$(running_pid "$k"); then
      state=running
      [[ $rest == - ]] || ready=$(http_status "$rest" /health/ready)
    else
      pid=-
      state="exited ($(exit_code "$k" || echo '?'))"
    fi
    printf '%-5s %-8s %-14s %-6s %-6s %s\n' "$k" "$pid" "$state" "$rest" "$data" "$ready"
  done < <(known_nodes)
  ((any)) || echo "(no nodes in $WORK)"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
