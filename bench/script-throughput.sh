#!/usr/bin/env bash
# Script engine throughput (seed example, one thread and all cores), time to stop runaway scripts, and
# time to stop (or refuse) each builtin that loops natively, through the pool and its watchdog.
#   bash bench/script-throughput.sh [seconds per measurement, default 10] [time limit ms, default 5000]
# Other modes (absolute numbers on a shared machine drift; compare figures measured side by side):
#   BASELINE=other.jar bash bench/script-throughput.sh engine [seconds, default 5] [rounds, default 3]
#     the seed example only, this build and BASELINE (e.g. main's target/botgate.jar copied aside) in
#     alternating rounds, each printing runs/s, the process's CPU per run and the bytes allocated per run, on
#     1 thread and on all cores.
#   BASELINE=other.jar bash bench/script-throughput.sh ab [rounds, default 10] [seconds, default 1]
#     the seed example only, this build and BASELINE in one JVM (a class loader each), alternating every
#     second (ScriptAB): per build the median runs/s and CPU of the measuring threads per run, and the median
#     of the rounds' CPU-per-run ratios, this build : BASELINE; steadier than the engine mode on a loaded machine,
#     but the build loaded second fares a little worse (a jar against a copy of itself: 1.01-1.07 at load 8-11),
#     so run it both ways round (JAR=... BASELINE=...) and take the geometric mean of one ratio and 1 / the other.
#   bash bench/script-throughput.sh http [seconds, default 10] [connections, default 32] [rounds, default 3]
#     POST /api/sessions/{s}/scripts (the seed example, 100 sessions whose last result is the demo's
#     faqIntegration, so the script prints "All is well.") against GET /health on the same
#     gateway, with wrk in interleaved rounds; prints each rate and the median of the rounds' ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-}
[ -n "${SKIP_BUILD:-}" ] || mvn -B -q package -DskipTests
JAR=${JAR:-target/botgate.jar}

if [ "$MODE" = engine ]; then
  SECONDS_EACH=${2:-5} ROUNDS=${3:-3}
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for round in $(seq "$ROUNDS"); do
    for jar in ${BASELINE:+"$BASELINE"} "$JAR"; do
      echo "round $round, $jar:"
      java -Xmx1g -cp "$jar" bench/ScriptThroughput.java "$SECONDS_EACH" 5000 throughput | sed 's/^/  /'
    done
  done
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

if [ "$MODE" = ab ]; then
  [ -n "${BASELINE:-}" ] || { echo "BASELINE=other.jar is needed" >&2; exit 1; }
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  javac -nowarn -cp "$BASELINE" -d "$WORK/baseline" bench/ScriptABRun.java
  javac -nowarn -cp "$JAR" -d "$WORK/this" bench/ScriptABRun.java
  javac -d "$WORK" bench/ScriptAB.java
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  java -Xmx2g -cp "$WORK" ScriptAB "${2:-10}" "${3:-1}" "baseline=$BASELINE:$WORK/baseline" "this=$JAR:$WORK/this"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

if [ "$MODE" = http ]; then
  DURATION=${2:-10} CONNS=${3:-32} ROUNDS=${4:-3} PORT=${PORT:-18090}
  command -v wrk >/dev/null || { echo "wrk is needed" >&2; exit 1; }
  WORK=$(mktemp -d)
  trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
  java ${JAVA_OPTS:-} -Dhttp.port=$PORT -jar "$JAR" > "$WORK/gateway.log" 2>&1 &
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
  # the seed's first example (bench/seed-example.js) as a JSON body: quotes and backslashes escaped, newlines as \n
  awk 'BEGIN { printf "{\"code\": \"" } { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "%s\\n", $0 } END { print "\"}" }' \
    bench/seed-example.js > "$WORK/body.json"
  cat > "$WORK/scripts.lua" <<LUA
-- one POST of the seed example per request, spread over 100 sessions
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$WORK/body.json")
wrk.body = f:read("*a")
f:close()
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/sessions/s" .. (n % 100) .. "/scripts")
end
LUA
  # each session's last result a success with status 200 (the demo's faqIntegration), as the seed example expects
  for s in $(seq 0 99); do
    curl -sf -H 'Content-Type: application/json' -d '{"variables": {"question": "roaming"}}' \
      "http://127.0.0.1:$PORT/api/sessions/s$s/integrations/faqIntegration" >/dev/null
  done
  curl -sf -H 'Content-Type: application/json' --data-binary @"$WORK/body.json" \
    "http://127.0.0.1:$PORT/api/sessions/s1/scripts" | grep -q 'All is well' \
    || { echo "the seed example did not run: $(tail -5 "$WORK/gateway.log")" >&2; exit 1; }
  rate() { wrk -t2 -c"$CONNS" -d"${1}s" ${3:+-s "$3"} "$2" | awk '/Requests\/sec/ {print $2} /Non-2xx|Socket errors/ {print "ERRORS: " $0 > "/dev/stderr"}'; }
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  rate 10 "http://127.0.0.1:$PORT" "$WORK/scripts.lua" >/dev/null  # warm-up
  rate 5 "http://127.0.0.1:$PORT/health" >/dev/null
  RATIOS=()
  for round in $(seq "$ROUNDS"); do
    health=$(rate "$DURATION" "http://127.0.0.1:$PORT/health")
    scripts=$(rate "$DURATION" "http://127.0.0.1:$PORT" "$WORK/scripts.lua")
    ratio=$(awk -v s="$scripts" -v h="$health" 'BEGIN {printf "%.2f", s / h}')
    RATIOS+=("$ratio")
    printf 'round %d: /health %10.0f req/s   /scripts %10.0f req/s   ratio %s\n' "$round" "$health" "$scripts" "$ratio"
  done
  echo "median of the rounds' /scripts : /health ratios: $(printf '%s\n' "${RATIOS[@]}" | sort -n \
    | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') (target at least 0.5)"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

java -Xmx1g -cp "$JAR" bench/ScriptThroughput.java "${1:-10}" "${2:-5000}"
