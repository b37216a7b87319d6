#!/usr/bin/env bash
# Clustering's cost and its promise, in one run: executions spread over 10,000 sessions (wrk with a Lua
# script varying the session) against
#   (s) botgate standalone,
#   (c) one clustered node (a cluster of one: every turn takes the session's cluster lock and reads and
#       writes the session in Hazelcast),
#   (p) two clustered nodes behind nginx round-robin,
# measured in interleaved rounds (the machine's speed drifts over minutes; ratios within a round do not):
# requests a second, p50/p99, and the gateway's CPU per execution (utime+stime of the gateway JVMs from
# /proc, divided by the requests wrk counted). Then, under load through nginx, one of the two nodes is
# killed with kill -9: failed requests are counted (only those in flight on the dead node may fail) and
# every one of the 10,000 sessions is looked up on the survivor (sessions lost must be 0).
# BASE_JAR=<a botgate.jar built from an older commit> adds (t), that jar standalone, to the rounds: the
# "standalone within 5 % of today" check. JAVA_OPTS passes flags to every gateway JVM. WARMUP sets the
# seconds of warm-up per configuration (default 30; on a loaded machine the JIT needs longer).
#   nice -n 10 bash bench/cluster.sh [seconds per run, default 10] [connections, default 32] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=${2:-32}
ROUNDS=${3:-3}
SESSIONS=10000
WORK=$(mktemp -d)
. bench/nginx.sh
trap 'kill $(jobs -p) 2>/dev/null || true; stop_nginx
  echo "logs: $WORK (kept)"' EXIT

[ -f target/botgate.jar ] && [ -z "$(find src pom.xml -newer target/botgate.jar -print -quit)" ] || mvn -B -q package -DskipTests

UPSTREAM=18281 STANDALONE=18280 ONE=18282 PAIR_A=18283 PAIR_B=18284 PAIR=18285 TODAY=18286
BODY='{"query":"bench","total":3,"results":[{"id":1,"title":"How do I reset my password?"},{"id":2,"title":"How do I pay my bill?"},{"id":3,"title":"How do I turn on roaming?"}]}'
start_nginx front "  upstream pair { server 127.0.0.1:$PAIR_A; server 127.0.0.1:$PAIR_B; keepalive 64; }
$(json_server "$UPSTREAM" "$BODY")
  server { listen 127.0.0.1:$PAIR; location / { proxy_pass http://pair; proxy_http_version 1.1;
           proxy_set_header Connection \"\"; proxy_set_header Host \$http_host; } }"

cat > "$WORK/integrations.json" <<JSON
[{"name": "bench", "method": "GET", "url": "http://127.0.0.1:$UPSTREAM/faq", "query": {"q": "{\$botContext.q}"},
  "customDataFields": {"title": "{\$.api_bench.results[i].title}"}}]
JSON
gateway() { # name jar http-port [more -D flags...] -> starts it in the background, pid in $WORK/name.pid
  local name=$1 jar=$2 port=$3; shift 3
  java ${JAVA_OPTS:-} -Dhttp.port="$port" -Degress.allow=127.0.0.1 -Dintegrations.file="$WORK/integrations.json" \
    -Dnode.id="$name" "$@" -jar "$jar" > "$WORK/$name.log" 2>&1 &
  echo $! > "$WORK/$name.pid"
}
healthy() { # port -> waits until the gateway there answers /health (one at a time: starting JVMs side by side on a
  # loaded 2-core machine takes longer than Main's start-up timeouts)
  for _ in $(seq 1500); do curl -sf -o /dev/null "http://127.0.0.1:$1/health" && return; sleep 0.2; done
  echo "the gateway on $1 did not start (logs in $WORK)"; exit 1
}
gateway standalone target/botgate.jar $STANDALONE; healthy $STANDALONE
gateway one target/botgate.jar $ONE -Dcluster.enabled=true -Dcluster.name=bench-one -Dcluster.port=5901 \
  -Dcluster.members=127.0.0.1:5901; healthy $ONE
gateway pair-a target/botgate.jar $PAIR_A -Dcluster.enabled=true -Dcluster.name=bench-pair -Dcluster.port=5911 \
  -Dcluster.members=127.0.0.1:5911,127.0.0.1:5912; healthy $PAIR_A
gateway pair-b target/botgate.jar $PAIR_B -Dcluster.enabled=true -Dcluster.name=bench-pair -Dcluster.port=5912 \
  -Dcluster.members=127.0.0.1:5911,127.0.0.1:5912; healthy $PAIR_B
if [ -n "${BASE_JAR:-}" ]; then gateway today "$BASE_JAR" $TODAY; healthy $TODAY; fi
until [ "$(curl -s "http://127.0.0.1:$PAIR_A/api/cluster" | grep -o '"node":' | wc -l)" = 2 ]; do sleep 0.2; done

cat > "$WORK/execute.lua" <<LUA
-- one POST per request, spread over $SESSIONS sessions; each wrk thread starts at its own offset, so two
-- threads never send the same session side by side (a conversation's messages come one after another)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"variables": {"q": "bench"}}'
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 5003)
end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/sessions/s" .. ((offset + n) % $SESSIONS) .. "/integrations/bench")
end
LUA

ticks() { # pids... -> their utime+stime summed, in clock ticks
  local sum=0 pid
  for pid in "$@"; do sum=$(( sum + $(awk '{print $14 + $15}' "/proc/$pid/stat") )); done
  echo $sum
}
HZ=$(getconf CLK_TCK)
run() { # url "pids" seconds -> "rps p50 p99 errors cpu-µs-per-execution"
  local out before after requests
  before=$(ticks $2)
  out=$(wrk -t2 -c"$CONNS" -d"$3s" --timeout 30s --latency -s "$WORK/execute.lua" "$1")
  after=$(ticks $2)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out") $(failed <<<"$out")" \
    "$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$requests" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}')"
}
failed() { # wrk output -> non-2xx answers plus socket errors
  awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}'
}
pids() { for name in "$@"; do cat "$WORK/$name.pid"; done | tr '\n' ' '; }
declare -A URL PIDS NAME
URL[s]=http://127.0.0.1:$STANDALONE PIDS[s]=$(pids standalone) NAME[s]="(s) standalone"
URL[c]=http://127.0.0.1:$ONE PIDS[c]=$(pids one) NAME[c]="(c) one clustered node"
URL[p]=http://127.0.0.1:$PAIR PIDS[p]=$(pids pair-a pair-b) NAME[p]="(p) two nodes behind nginx"
URL[t]=http://127.0.0.1:$TODAY PIDS[t]=$(pids today 2>/dev/null || true) NAME[t]="(t) BASE_JAR standalone"
KEYS="s c p"; [ -n "${BASE_JAR:-}" ] && KEYS="t s c p"

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# Warm-up: the JIT keeps a core busy for tens of seconds under this load; it also creates the sessions.
for key in $KEYS; do run "${URL[$key]}" "${PIDS[$key]}" "${WARMUP:-30}" >/dev/null; done

declare -A R
echo "wrk: 2 threads, $CONNS connections, ${DURATION}s each, $ROUNDS interleaved rounds, $SESSIONS sessions"
for round in $(seq "$ROUNDS"); do
  line="  round $round:"
  for key in $KEYS; do
    R[$key$round]=$(run "${URL[$key]}" "${PIDS[$key]}" "$DURATION")
    read -r rps _ _ _ cpu <<<"${R[$key$round]}"
    line+="  $key $rps req/s ${cpu}µs"
  done
  echo "$line   (load $(cut -d' ' -f1 /proc/loadavg))"
done
median() { # key -> that configuration's round with the median req/s
  for round in $(seq "$ROUNDS"); do echo "${R[$1$round]}"; done | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"
}
ratio() { # key1 key2 field -> the median over rounds of key1/key2 measured in the same round
  for round in $(seq "$ROUNDS"); do
    awk -v a="$(cut -d' ' -f"$3" <<<"${R[$1$round]}")" -v b="$(cut -d' ' -f"$3" <<<"${R[$2$round]}")" \
      'BEGIN {printf "%.2f\n", a / b}'
  done | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"
}
echo
printf "%-30s %10s %9s %9s %8s %12s\n" "" "req/s" "p50" "p99" "failed" "CPU/exec"
for key in $KEYS; do
  read -r rps p50 p99 errors cpu <<<"$(median $key)"
  printf "%-30s %10s %9s %9s %8s %10sµs\n" "${NAME[$key]}" "$rps" "$p50" "$p99" "$errors" "$cpu"
done
echo
[ -n "${BASE_JAR:-}" ] && echo "standalone vs BASE_JAR standalone: throughput $(ratio s t 1), CPU per execution $(ratio s t 5) (target: throughput >= 0.95)"
echo "one clustered node vs standalone: throughput $(ratio c s 1), CPU per execution $(ratio c s 5) (target: CPU <= 1.5)"
echo "two nodes vs standalone:          throughput $(ratio p s 1), CPU per execution $(ratio p s 5) (nginx's CPU not counted)"
echo "(medians over the rounds of ratios measured side by side)"

echo
echo "kill -9 of one of the two nodes under load:"
java -cp target/botgate.jar bench/ClusterSessions.java "http://127.0.0.1:$PAIR_A" s $SESSIONS --create bench \
  | sed 's/^/  every session started first: /'
java -cp target/botgate.jar bench/ClusterSessions.java "http://127.0.0.1:$PAIR_A" s $SESSIONS --save "$WORK/held.txt" \
  | sed 's/^/  before: /' || true
VICTIM=$(cat "$WORK/pair-b.pid")
wrk -t2 -c"$CONNS" -d20s --timeout 30s -s "$WORK/execute.lua" "${URL[p]}" > "$WORK/kill.txt" &
WRK=$!
sleep 5
kill -9 "$VICTIM"
KILLED_AT=$(date +%s%N)
until [ "$(curl -s "http://127.0.0.1:$PAIR_A/api/cluster" | grep -o '"node":' | wc -l)" = 1 ]; do sleep 0.1; done
echo "  the survivor saw the member leave after $(( ($(date +%s%N) - KILLED_AT) / 1000000 )) ms"
wait $WRK
echo "  requests: $(awk '/requests in/ {print $1}' "$WORK/kill.txt"), failed: $(failed < "$WORK/kill.txt")" \
  "(non-2xx $(awk '/Non-2xx/ {print $NF}' "$WORK/kill.txt"), socket errors: $(grep 'Socket errors' "$WORK/kill.txt" | cut -d: -f2- || echo none))"
java -cp target/botgate.jar bench/ClusterSessions.java "http://127.0.0.1:$PAIR_A" s $SESSIONS --only "$WORK/held.txt" \
  | sed 's/^/  after, of those held before: /' || true
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
