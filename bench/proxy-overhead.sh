#!/usr/bin/env bash
# Throughput and latency of botgate executing an integration, side by side with the same static JSON
# upstream called directly and behind nginx as a plain reverse proxy; and of botgate's pass-through proxy
# (/proxy/..., the session's result recorded and published, console events emitted) beside vertx-http-proxy
# alone (bench/PlainProxy.java, the same jars). Prints ratios; absolute numbers on a shared 2-core machine
# are not stable, ratios measured in one run are.
# The three are measured in interleaved rounds; each round's ratios compare runs made seconds apart, and the
# median of the rounds' ratios is the figure to quote (the machine's speed drifts by tens of percent over
# minutes, which a ratio of medians taken from different rounds would mix in). JAVA_OPTS passes flags to
# the gateway's JVM.
# PASS_ONLY=1 measures the pass-through pair (d) and (e) alone; WARMUP=<seconds> (default 40) shortens the
# pass-through warm-up. METRICS_COST=1 measures the cost of metrics instead: executions (c) against two gateways
# side by side, one as it starts by default (Vert.x's and the JVM's meters on, metrics.vertx=true) and one with
# metrics.vertx=false (botgate's own meters only), in short interleaved rounds; prints per round the throughput
# ratio on/off and the ratio of the gateways' CPU time per request (user + system from /proc), then their
# medians on one "METRICS COST" line. Neither says much on a loaded machine: a gateway that got fewer requests
# a second also spends more CPU on each (fewer requests per wake-up), and the JIT may still be compiling.
# SKIP_BUILD=1 uses target/botgate.jar as it is (as in the other benchmarks).
#   bash bench/proxy-overhead.sh [seconds per run, default 10] [connections, default 64] [rounds, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=${2:-64}
ROUNDS=${3:-5}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null; }
[ -n "${SKIP_BUILD:-}" ] || nice -n 10 mvn -B -q package -DskipTests

UPSTREAM=18081 PROXY=18082 GATEWAY=18080 PLAIN=18083
BODY='{"query":"bench","total":3,"results":[{"id":1,"title":"How do I reset my password?"},{"id":2,"title":"How do I pay my bill?"},{"id":3,"title":"How do I turn on roaming?"}]}'
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream origin { server 127.0.0.1:$UPSTREAM; keepalive 64; }
  server { listen 127.0.0.1:$UPSTREAM; location / { default_type application/json; return 200 '$BODY'; } }
  server { listen 127.0.0.1:$PROXY; location / { proxy_pass http://origin; proxy_http_version 1.1;
           proxy_set_header Connection ""; } }
}
NGINX
nginx -c "$WORK/nginx.conf"

cat > "$WORK/integrations.json" <<JSON
[{"name": "bench", "method": "GET", "url": "http://127.0.0.1:$UPSTREAM/faq", "query": {"q": "{\$botContext.q}"},
  "customDataFields": {"title": "{\$.api_bench.results[i].title}"}},
 {"name": "pass", "method": "GET", "url": "http://127.0.0.1:$UPSTREAM"}]
JSON
java ${JAVA_OPTS:-} -Dhttp.port=$GATEWAY -Degress.allow=127.0.0.1 -Dintegrations.file="$WORK/integrations.json" \
  -jar target/botgate.jar > "$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
java ${JAVA_OPTS:-} -cp target/botgate.jar bench/PlainProxy.java $PLAIN $UPSTREAM > "$WORK/plain.log" 2>&1 &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$GATEWAY/health" >/dev/null && break; sleep 0.2; done
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PLAIN/faq" >/dev/null && break; sleep 0.2; done

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

cat > "$WORK/pass.lua" <<'LUA'
-- one pass-through GET per request, spread over 10,000 sessions; also sent to the plain proxy, which
-- forwards it as it is (nginx answers any path), so wrk does the same work for both
local n = 0
request = function()
  n = n + 1
  wrk.headers["X-Botgate-Session"] = "p" .. (n % 10000)
  return wrk.format("GET", "/proxy/pass/faq?q=bench")
end
LUA

run() { # url [script] -> "rps p50 p99 errors"
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency ${2:+-s "$2"} "$1")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out") $(grep -cE "Non-2xx|Socket errors" <<<"$out" || true)"
}
if [ -n "${METRICS_COST:-}" ]; then
  NOMETRICS=18084
  java ${JAVA_OPTS:-} -Dhttp.port=$NOMETRICS -Degress.allow=127.0.0.1 -Dintegrations.file="$WORK/integrations.json" \
    -Dmetrics.vertx=false -jar target/botgate.jar > "$WORK/gateway-off.log" 2>&1 &
  NOMETRICS_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$NOMETRICS/health" >/dev/null && break; sleep 0.2; done
  TICK=$(getconf CLK_TCK)
  cpu_ms() { sed 's/.*) //' "/proc/$1/stat" | awk -v t="$TICK" '{print ($12 + $13) * 1000 / t}'; }
  # port pid -> "rps p99 cpu-µs-per-request": the gateway's own CPU time (user + system, /proc) over the
  # requests it served.
  measure() {
    local before out requests
    before=$(cpu_ms "$2")
    out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/execute.lua" "http://127.0.0.1:$1")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    awk -v rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" -v p99="$(awk '$1=="99%" {print $2}' <<<"$out")" \
      -v cpu="$(awk -v a="$before" -v b="$(cpu_ms "$2")" 'BEGIN {print b - a}')" -v n="$requests" \
      'BEGIN {printf "%s %s %.0f\n", rps, p99, cpu * 1000 / n}'
  }
  echo "metrics cost: executions over 10,000 sessions, wrk 2 threads, $CONNS connections, ${DURATION}s runs," \
    "$ROUNDS interleaved rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for port in $GATEWAY $NOMETRICS $GATEWAY $NOMETRICS; do # warm-up, both in turn
    wrk -t2 -c"$CONNS" -d20s -s "$WORK/execute.lua" "http://127.0.0.1:$port" >/dev/null
  done
  curl -sf "http://127.0.0.1:$GATEWAY/metrics" | grep -c '^vertx_' | sed 's/^/  series of Vert.x on the default gateway: /'
  ratios=() cpus=()
  for round in $(seq "$ROUNDS"); do
    # alternate which one goes first, so a drift of the machine's speed does not favour one
    if (( round % 2 )); then on=$(measure $GATEWAY $GATEWAY_PID); off=$(measure $NOMETRICS $NOMETRICS_PID)
    else off=$(measure $NOMETRICS $NOMETRICS_PID); on=$(measure $GATEWAY $GATEWAY_PID); fi
    read -r on_rps on_p99 on_cpu <<<"$on"; read -r off_rps off_p99 off_cpu <<<"$off"
    ratio=$(awk -v a="$on_rps" -v b="$off_rps" 'BEGIN {printf "%.3f", a / b}')
    cpu=$(awk -v a="$on_cpu" -v b="$off_cpu" 'BEGIN {printf "%.3f", a / b}')
    ratios+=("$ratio") cpus+=("$cpu")
    echo "  round $round: metrics on $on_rps req/s (p99 $on_p99, $on_cpu µs CPU each), off $off_rps req/s" \
      "(p99 $off_p99, $off_cpu µs each): throughput on/off $ratio, CPU per request on/off $cpu;" \
      "load $(cut -d' ' -f1 /proc/loadavg)"
  done
  median_of() { printf '%s\n' "$@" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
  m=$(median_of "${ratios[@]}") c=$(median_of "${cpus[@]}")
  echo "rounds' throughput on/off: ${ratios[*]}; CPU per request on/off: ${cpus[*]};" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "METRICS COST: median throughput on/off $m, a cost of $(awk -v m="$m" 'BEGIN {printf "%.1f", (1 - m) * 100}') %" \
    "(target under 5 %); median CPU per request on/off $c, $(awk -v c="$c" 'BEGIN {printf "%+.1f", (c - 1) * 100}') %"
  exit 0
fi

echo "one demo-style execution end to end (curl, cold then warm):"
for i in 1 2 3; do
  curl -s -o /dev/null -w "  %{time_total}s\n" -X POST -H 'Content-Type: application/json' \
    -d '{"variables":{"q":"bench"}}' "http://127.0.0.1:$GATEWAY/api/sessions/first/integrations/bench"
done
# Warm-up to the steady state: under this load the compilers keep a core busy for about 30 s (jstat
# -compiler), and the collector is still sizing its generations for a while after that (throughput kept
# rising from round to round after a 40 s warm-up).
[ -n "${PASS_ONLY:-}" ] || wrk -t2 -c"$CONNS" -d60s -s "$WORK/execute.lua" "http://127.0.0.1:$GATEWAY" >/dev/null
wrk -t2 -c"$CONNS" -d"${WARMUP:-40}"s -s "$WORK/pass.lua" "http://127.0.0.1:$GATEWAY" >/dev/null
wrk -t2 -c"$CONNS" -d"${WARMUP:-40}"s -s "$WORK/pass.lua" "http://127.0.0.1:$PLAIN" >/dev/null

declare -A RESULTS RATIOS PASS
echo
echo "wrk: 2 threads, $CONNS connections, ${DURATION}s each, $ROUNDS interleaved rounds"
for round in $(seq "$ROUNDS"); do
  if [ -z "${PASS_ONLY:-}" ]; then
    RESULTS[a$round]=$(run "http://127.0.0.1:$UPSTREAM/faq?q=bench")
    RESULTS[b$round]=$(run "http://127.0.0.1:$PROXY/faq?q=bench")
    RESULTS[c$round]=$(run "http://127.0.0.1:$GATEWAY" "$WORK/execute.lua")
  else
    RESULTS[a$round]="1 - - 0" RESULTS[b$round]="1 - - 0" RESULTS[c$round]="1 - - 0"
  fi
  RATIOS[$round]=$(awk -v b="${RESULTS[b$round]%% *}" -v c="${RESULTS[c$round]%% *}" 'BEGIN {printf "%.2f", c / b}')
  # The same script for both: wrk's Lua per request costs CPU on the cores the proxies run on.
  RESULTS[d$round]=$(run "http://127.0.0.1:$PLAIN" "$WORK/pass.lua")
  RESULTS[e$round]=$(run "http://127.0.0.1:$GATEWAY" "$WORK/pass.lua")
  PASS[$round]=$(awk -v d="${RESULTS[d$round]%% *}" -v e="${RESULTS[e$round]%% *}" 'BEGIN {printf "%.2f", e / d}')
  # PASS_ONLY: (a)-(c) were not measured, so their columns are left out rather than shown as 1.
  [ -n "${PASS_ONLY:-}" ] || printf "  round %s: direct %s  nginx %s  botgate %s req/s  (c)/(b) %s\n" "$round" \
    "${RESULTS[a$round]%% *}" "${RESULTS[b$round]%% *}" "${RESULTS[c$round]%% *}" "${RATIOS[$round]}"
  echo "  round $round: plain vertx-http-proxy ${RESULTS[d$round]%% *}  botgate pass-through" \
    "${RESULTS[e$round]%% *} req/s  (e)/(d) ${PASS[$round]}   p99 $(cut -d' ' -f3 <<<"${RESULTS[d$round]}") / $(cut -d' ' -f3 <<<"${RESULTS[e$round]}")" \
    "  load average $(cut -d' ' -f1 /proc/loadavg)"
done
median() { # key -> the round with the median req/s
  for round in $(seq "$ROUNDS"); do echo "${RESULTS[$1$round]}"; done | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"
}
echo
declare -A RPS
KEYS="a b c d e"; [ -n "${PASS_ONLY:-}" ] && KEYS="d e"
for key in $KEYS; do
  read -r rps p50 p99 errors <<<"$(median $key)"
  RPS[$key]=$rps
  case $key in a) name="(a) upstream direct";; b) name="(b) nginx reverse proxy";; c) name="(c) botgate execution";;
    d) name="(d) vertx-http-proxy plain";; e) name="(e) botgate pass-through";; esac
  printf "%-26s %10s req/s   p50 %8s   p99 %8s%s\n" "$name" "$rps" "$p50" "$p99" \
    "$([ "$errors" != 0 ] && echo "   (wrk reported errors)")"
done
echo
[ -n "${PASS_ONLY:-}" ] || awk -v a="${RPS[a]}" -v b="${RPS[b]}" -v c="${RPS[c]}" 'BEGIN {
  printf "ratio (b)/(a) nginx vs direct:   %.2f\n", b / a
  printf "ratio (c)/(a) botgate vs direct: %.2f\n", c / a
  printf "ratio (c)/(b) botgate vs nginx:  %.2f\n", c / b }'
awk -v d="${RPS[d]}" -v e="${RPS[e]}" 'BEGIN {
  printf "ratio (e)/(d) pass-through vs vertx-http-proxy plain: %.2f (target 0.9)\n", e / d }'
[ -n "${PASS_ONLY:-}" ] || echo "median of the rounds' (c)/(b): $(for r in $(seq "$ROUNDS"); do echo "${RATIOS[$r]}"; done | sort -n \
  | sed -n "$(( (ROUNDS + 1) / 2 ))p")   (rounds: $(for r in $(seq "$ROUNDS"); do printf "%s " "${RATIOS[$r]}"; done))"
echo "median of the rounds' (e)/(d): $(for r in $(seq "$ROUNDS"); do echo "${PASS[$r]}"; done | sort -n \
  | sed -n "$(( (ROUNDS + 1) / 2 ))p")   (rounds: $(for r in $(seq "$ROUNDS"); do printf "%s " "${PASS[$r]}"; done))"
curl -s "http://127.0.0.1:$GATEWAY/health" | grep -o '"sessions"[^}]*}' | sed 's/^/gateway /'
