#!/usr/bin/env bash
# What console clients cost the gateway's executions: botgate executing an integration against a static
# nginx upstream over 10,000 sessions (wrk, as in bench/proxy-overhead.sh) with no console client, with one
# and with ten WebSocket clients subscribed to "*" (bench/ConsoleClients.java: each parses every frame as
# JSON as it comes, like the page, so clients slower than the event rate have events dropped). The three
# are measured in interleaved rounds (the order rotates), and per round the throughput and the gateway's CPU
# time per request (user + system from /proc) are compared with none; the medians of those per-round ratios
# are the figures to quote. Per run it prints the events the clients got and were told were dropped, from
# the clients and from /metrics (delivered, dropped), and checks each stream: a session's seq never goes
# back, and the seqs missing between two of its events add up to no more than the drops announced. A
# further client subscribed to one session (about one event in 10,000, which it keeps up with) must see
# every one of that session's events, with no hole and no drop.
# The clients run at nice ${CLIENT_NICE:-19} once subscribed (every thread reniced): a browser runs on
# another machine, and here the clients would otherwise take the gateway's CPU for their JSON parsing; the
# gateway's CPU per request is the figure that does not depend on that, and the clients' own CPU per request
# is printed beside it. CLIENT_NICE=0 shows what clients on the same two cores cost.
# BASE_JAR=<path to another botgate.jar> runs that gateway beside this one and measures both, one after the
# other in every round, so the two builds are compared on the same machine minutes apart.
# DEFLATE=1 has the clients offer permessage-deflate as browsers do; the gateway takes it only with
# JAVA_OPTS=-Dconsole.deflate=true. WARMUP=<seconds> (default 20) sets each warm-up run. SKIP_BUILD=1 uses target/botgate.jar as it is. JAVA_OPTS passes flags to the gateways' JVMs.
#   bash bench/console-cost.sh [seconds per run, default 10] [connections, default 32] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=${2:-32}
ROUNDS=${3:-3}
CLIENT_NICE=${CLIENT_NICE:-19}
WORK=$(mktemp -d)
. bench/nginx.sh
trap 'kill $(jobs -p) 2>/dev/null || true; stop_nginx; rm -rf "$WORK"' EXIT
[ -n "${SKIP_BUILD:-}" ] || nice -n 10 mvn -B -q package -DskipTests
JAR=$WORK/botgate.jar # a copy: a build during the run must not change the jar under the running gateway
cp target/botgate.jar "$JAR"
mkdir -p "$WORK/classes" # compiled once: the source launcher's compiler at nice 19 on a busy machine takes minutes
javac -d "$WORK/classes" -cp "$JAR" bench/ConsoleClients.java

UPSTREAM=18192 GATEWAY=18190 BASE=18191
BODY='{"query":"bench","total":3,"results":[{"id":1,"title":"How do I reset my password?"},{"id":2,"title":"How do I pay my bill?"},{"id":3,"title":"How do I turn on roaming?"}]}'
start_nginx upstream "$(json_server "$UPSTREAM" "$BODY")"
cat > "$WORK/integrations.json" <<JSON
[{"name": "bench", "method": "GET", "url": "http://127.0.0.1:$UPSTREAM/faq", "query": {"q": "{\$botContext.q}"},
  "customDataFields": {"title": "{\$.api_bench.results[i].title}"}}]
JSON
cat > "$WORK/execute.lua" <<'LUA'
-- one POST per request, spread over 10,000 sessions
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"variables": {"q": "bench"}}'
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/sessions/s" .. (n % 10000) .. "/integrations/bench")
end
LUA

declare -A PID NAME
start_gateway() { # jar port name; a job of this shell, so that the trap stops it
  java ${JAVA_OPTS:-} -Dhttp.port="$2" -Degress.allow=127.0.0.1 -Dintegrations.file="$WORK/integrations.json" \
    -jar "$1" > "$WORK/gateway-$2.log" 2>&1 &
  PID[$2]=$! NAME[$2]=$3
}
GATEWAYS="$GATEWAY"
start_gateway "$JAR" $GATEWAY this
if [ -n "${BASE_JAR:-}" ]; then
  cp "$BASE_JAR" "$WORK/base.jar"
  start_gateway "$WORK/base.jar" $BASE base
  GATEWAYS="$GATEWAY $BASE"
fi
for port in $GATEWAYS; do
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
done

TICK=$(getconf CLK_TCK)
cpu_ms() { sed 's/.*) //' "/proc/$1/stat" | awk -v t="$TICK" '{printf "%d\n", ($12 + $13) * 1000 / t}'; }
metric() { # port name -> value
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n {printf "%.0f", $2; found=1} END {if (!found) print 0}'
}
# port clients -> "rps cpu-µs-per-request delivered/s dropped/s clients-cpu-µs-per-request", details on stderr
measure() {
  local port=$1 clients=$2 pid=${PID[$1]} before out requests rps cpu d0 x0 d1 x1 cpid="" kpid="" c0=0 c1=0
  if (( clients > 0 )); then
    java -cp "$JAR:$WORK/classes" ConsoleClients "$port" "$clients" '*' $((DURATION + 60)) > "$WORK/clients.out" 2>&1 &
    cpid=$!
    java -cp "$JAR:$WORK/classes" ConsoleClients "$port" 1 s42 $((DURATION + 60)) > "$WORK/keeper.out" 2>&1 &
    kpid=$!
    for _ in $(seq 300); do
      grep -q ready "$WORK/clients.out" 2>/dev/null && grep -q ready "$WORK/keeper.out" 2>/dev/null && break
      sleep 0.1
    done
    grep -q ready "$WORK/clients.out" || echo "      clients not subscribed after 30 s: $(head -c 300 "$WORK/clients.out")" >&2
    for task in /proc/$cpid/task/* /proc/$kpid/task/*; do renice -n "$CLIENT_NICE" -p "${task##*/}" >/dev/null 2>&1 || true; done
    c0=$(( $(cpu_ms "$cpid") + $(cpu_ms "$kpid") ))
  fi
  d0=$(metric "$port" botgate_console_events_delivered_total) x0=$(metric "$port" botgate_console_events_dropped_total)
  before=$(cpu_ms "$pid")
  out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$WORK/execute.lua" "http://127.0.0.1:$port")
  cpu=$(awk -v a="$before" -v b="$(cpu_ms "$pid")" 'BEGIN {print b - a}')
  d1=$(metric "$port" botgate_console_events_delivered_total) x1=$(metric "$port" botgate_console_events_dropped_total)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  if [ -n "$cpid" ]; then
    c1=$(( $(cpu_ms "$cpid") + $(cpu_ms "$kpid") ))
    sleep 1 # the keeper gets the last events of its session
    kill -TERM "$cpid" "$kpid" 2>/dev/null || true
    wait "$cpid" "$kpid" || true
    awk -v c="$clients" -v s="$DURATION" '/^client/ {e += $4; d += $6; h += $8; o += $10}
      END {printf "      clients: %.0f events/s and %.0f dropped/s per client; holes %d (announced drops %d), disorder %d\n",
        e / c / s, d / c / s, h, d, o; if (h > d || o > 0) print "      STREAM CHECK FAILED"}' "$WORK/clients.out" >&2
    awk '/^client/ {printf "      one-session client: %d events, dropped %d, holes %d, disorder %d%s\n", $4, $6, $8, $10,
      ($6 + $8 + $10 > 0 || $4 == 0) ? "  CHECK FAILED" : ""}' "$WORK/keeper.out" >&2
  fi
  echo "$rps $(awk -v c="$cpu" -v n="$requests" 'BEGIN {printf "%.1f", c * 1000 / n}')" \
    "$(( (d1 - d0) / DURATION )) $(( (x1 - x0) / DURATION ))" \
    "$(awk -v c="$((c1 - c0))" -v n="$requests" 'BEGIN {printf "%.1f", c * 1000 / n}')"
}

echo "console cost: executions over 10,000 sessions, wrk 2 threads, $CONNS connections, ${DURATION}s runs," \
  "$ROUNDS interleaved rounds, clients at nice $CLIENT_NICE; gateways: $(for p in $GATEWAYS; do printf '%s ' "${NAME[$p]}"; done);" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for port in $GATEWAYS $GATEWAYS; do # warm-up: the compilers and the collector settle
  wrk -t2 -c"$CONNS" -d"${WARMUP:-20}"s -s "$WORK/execute.lua" "http://127.0.0.1:$port" >/dev/null
done
for port in $GATEWAYS; do measure "$port" 10 >/dev/null 2>&1; done # the console path warmed up too

declare -A R
ORDERS=("0 1 10" "1 10 0" "10 0 1")
for round in $(seq "$ROUNDS"); do
  for clients in ${ORDERS[$(( (round - 1) % 3 ))]}; do
    for port in $GATEWAYS; do
      R[$port.$clients.$round]=$(measure "$port" "$clients" 2> "$WORK/detail")
      read -r rps cpu delivered dropped ccpu <<<"${R[$port.$clients.$round]}"
      printf "  round %s %-4s %2s clients: %9s req/s  %6s µs CPU/request (clients %s)  console delivered %s/s dropped %s/s  load %s\n" \
        "$round" "${NAME[$port]}" "$clients" "$rps" "$cpu" "$ccpu" "$delivered" "$dropped" "$(cut -d' ' -f1 /proc/loadavg)"
      cat "$WORK/detail"
    done
  done
done

median() { sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
echo
for port in $GATEWAYS; do
  for clients in 1 10; do
    tput=() cpus=()
    for round in $(seq "$ROUNDS"); do
      read -r n_rps n_cpu _ <<<"${R[$port.0.$round]}"
      read -r c_rps c_cpu _ <<<"${R[$port.$clients.$round]}"
      tput+=("$(awk -v a="$c_rps" -v b="$n_rps" 'BEGIN {printf "%.3f", a / b}')")
      cpus+=("$(awk -v a="$c_cpu" -v b="$n_cpu" 'BEGIN {printf "%.3f", a / b}')")
    done
    printf "%-4s %2s clients / none: median throughput %s (rounds %s), CPU per request %s (rounds %s)\n" \
      "${NAME[$port]}" "$clients" "$(printf '%s\n' "${tput[@]}" | median)" "${tput[*]}" \
      "$(printf '%s\n' "${cpus[@]}" | median)" "${cpus[*]}"
  done
done
echo "target: 10 clients / none at least 0.9 throughput; load average $(cut -d' ' -f1-3 /proc/loadavg)"
