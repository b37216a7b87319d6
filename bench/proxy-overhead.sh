#!/usr/bin/env bash
# Throughput, latency and CPU per request of botgate beside what it is measured against (issue #15), all
# calling the same static JSON upstream, in one run:
#   (a) the upstream direct: nginx, one worker process, answering a fixed JSON body;
#   (b) nginx as a plain reverse proxy to it, in a SECOND nginx of its own (own config, one worker process,
#       64 keep-alive connections to the upstream), so the proxy never shares a worker with the upstream;
#   (c) botgate executing an integration with one `[i]` custom data field, over 10,000 sessions (POST
#       /api/sessions/s<n>/integrations/bench);
#   (d) vertx-http-proxy alone as a plain pass-through (bench/PlainProxy.java, the same jars), one client for
#       the whole server as its documentation builds it;
#   (e) botgate's pass-through (/proxy/pass/faq over 10,000 sessions, each call recorded and published);
#   (h) vertx-http-proxy alone with a client per event loop (PlainProxy per-loop), as botgate's executions and
#       pass-through have: no call is handed from one event loop to another. Not a target's yardstick (the
#       issues name (d)); printed so that what botgate gains by its clients per loop is seen apart from the rest;
#   (i) the job of (c) written by hand on Vert.x alone (bench/BareExecution.java, the same jars, a client per event
#       loop): the body's variables read, the request rendered, the answer decoded, its titles mapped and kept as
#       the session's last result, answered as JSON; no debug events, history, masking, meters or checks. Not a
#       target's yardstick either: (i)/(d) shows what the job itself costs beside a plain proxy, (c)/(i) what
#       botgate's recording and guarantees cost on top of it.
# Event loops: botgate's HTTP server runs `http.instances` verticles, each on an event loop of its own (the
# default is HttpOptions.defaultInstances(), one per core; conf/config.json says 2). The script sets that
# number explicitly for both JVMs, INSTANCES (default: nproc): -Dhttp.instances=$INSTANCES for the gateway and
# the third argument of PlainProxy. Both otherwise keep Vert.x's default event-loop pool, native transport and
# a client pool of 64 connections. Both nginx servers keep each connection for 100,000 requests, so neither
# wrk nor a proxy's client pool reconnects every 1,000 requests (nginx's default) in any of the seven.
# Method: after warm-ups, ROUNDS interleaved rounds, each running (a)..(e), (h) and (i) one after the other for
# `seconds` each with wrk (2 threads, `connections`), the order reversed every other round so a drift of the machine's
# speed favours none. Each run prints its throughput, p50 and p99 (wrk's histogram, from the request's write to its
# response) and the CPU time per request of the process that served it: user + system from /proc/<pid>/stat before and
# after the run (10 ms ticks) over the requests wrk completed; for (a) and (b) the nginx worker process, for (c) and
# (e) the gateway's JVM, for (d) and (h) the PlainProxy JVM, for (i) BareExecution's (JIT and collector threads
# included), and beside it, for (b)-(i), the upstream nginx worker's; and how often per request that process's
# threads were switched off a core (/proc/<pid>/task/*/status, waits and preemptions): each is a trip through the
# scheduler, and a server that takes longer per request finds its peers asleep more often and wakes them more,
# which is where most of the kernel time a slower server spends per request goes. Then the medians of each
# column, and the medians of the rounds' ratios (the figures to quote: the machine's speed drifts by tens of
# percent within minutes, so only ratios measured seconds apart say something): (c)/(d) throughput (target >= 1.0),
# (c)/(d) CPU per request (target <= 1.0), (c)/(d) p99 (target <= 2), (c)/(b) throughput, (e)/(d) throughput (target
# 0.9) and CPU per request, (h)/(d), (e)/(h), (i)/(d) and (c)/(i) throughput and CPU per request. Absolute numbers
# on a shared machine are not stable.
# Latency at half of botgate's peak: after the rounds, wrk paces itself (a Lua delay() before each request that claims
# the next slot of a fixed schedule per wrk thread, its clock read through LuaJIT's ffi) at half of the rounds' median
# throughput of (c), with the same connections, against botgate executing (spread over the 10,000 sessions as in (c),
# so no session has two turns queued), against the upstream direct and, as yardsticks at the same rate, against
# vertx-http-proxy (d) and the same execution hand-written (i), in LAT_ROUNDS rounds of LAT_SECONDS, the order
# reversed every other round; prints each one's achieved rate, p50 and p99, and the latency botgate, vertx-http-proxy
# and (i) add over the upstream direct (medians of the rounds' differences; botgate's targets <= 1 ms at p50, <= 3 ms
# at p99): (i) tells how much of botgate's tail the job itself has on this machine, in Vert.x, with no botgate code.
# Then the young collections each JVM made during its paced runs (jstat -gc before and after each: how many, their
# mean pause). hey -q was not used: it takes one URL (one session: its turns would queue behind each other in
# botgate), and its own Go client adds milliseconds at these rates; wrk2 is not in Debian. As with hey -q, a request
# held back by a stall starts late rather than counting the wait (no correction for coordinated omission), so the p99
# is a lower bound, the same way for all.
# Parameters (environment):
#   INSTANCES=<n>     HTTP server verticles (event loops) of the gateway and of PlainProxy (default nproc)
#   WARMUP=<seconds>  each of the pass-through warm-ups, of the gateway and of PlainProxy (default 40); the
#                     execution warm-up before them is WARMUP + 20 s; each is made of wrk runs as long as the
#                     measured ones, each with new connections
#   LAT_ROUNDS=<n>    rounds of the half-peak latency step (default 3; 0 skips it); LAT_SECONDS=<s> per run
#                     (default: seconds per run)
#   PASS_ONLY=1       measures the pass-through pair (d) and (e), and (h), alone (no latency step)
#   BASE_JAR=<jar>    also runs another build's gateway (e.g. main's target/botgate.jar copied aside) and
#                     measures its pass-through as (f) in the same rounds, right beside (e): prints (f)/(d)
#                     and (e)/(f), so two builds are compared minutes apart on the same machine; without
#                     PASS_ONLY also its execution as (g), beside (c): prints (g)/(d) and (c)/(g)
#   METRICS_COST=1    measures the cost of metrics instead (below)
#   PROFILE=<key>     profiles one JVM instead of the rounds: c, e (the gateway), d, h (PlainProxy) or i
#                     (BareExecution), with async-profiler (fetched from Maven Central into target/ once, loaded
#                     with jcmd) over one run of `seconds` under its own load after WARMUP + 20 s of it; prints
#                     its CPU per request by where it lands (kernel, botgate, Netty, Vert.x, Jackson, the JIT's
#                     and the collector's threads...) and the botgate frames its stacks end under, and leaves
#                     the stacks and a flame graph in target/profile-<key>-<event>.{collapsed,html}.
#                     PROFILE_EVENT=alloc gives bytes allocated per request instead. The JIT's share varies
#                     tenfold from one profile to the next (1.8-18 µs per pass-through call on 2026-12-03):
#                     compare the other places, or profile twice
#   SKIP_BUILD=1      uses target/botgate.jar as it is (as in the other benchmarks)
#   PORTS=<port>      the first of the eight ports in a row the run listens on (default 18080)
#   JAVA_OPTS         flags for every JVM (the gateways, PlainProxy, BareExecution)
#   GATEWAY_OPTS      flags for botgate's JVMs only, the base build's included (e.g. -Xms2g, as the README
#                     suggests under sustained load); the yardsticks keep the JVM's defaults
# With the defaults a run takes about 11 minutes: 220 s of warm-up, 5 rounds x 7 runs x 10 s, 3 x 3 x 10 s of
# latency step.
# METRICS_COST=1 measures the cost of metrics instead: executions (c) against two gateways
# side by side, one as it starts by default (Vert.x's and the JVM's meters on, metrics.vertx=true) and one with
# metrics.vertx=false (botgate's own meters only), in short interleaved rounds; prints per round the throughput
# ratio on/off and the ratio of the gateways' CPU time per request (user + system from /proc), then their
# medians on one "METRICS COST" line. Neither says much on a loaded machine: a gateway that got fewer requests
# a second also spends more CPU on each (fewer requests per wake-up), and the JIT may still be compiling.
#   bash bench/proxy-overhead.sh [seconds per run, default 10] [connections, default 64] [rounds, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=${2:-64}
ROUNDS=${3:-5}
INSTANCES=${INSTANCES:-$(nproc)}
WARMUP=${WARMUP:-40}
LAT_ROUNDS=${LAT_ROUNDS:-3}
LAT_SECONDS=${LAT_SECONDS:-$DURATION}
WORK=$(mktemp -d)
if [ -n "${PROFILE:-}" ]; then # checked before any server starts
  case "$PROFILE" in c|d|e|h|i) ;;
    *) echo "PROFILE=$PROFILE: profile one of the JVMs c, d, e, h or i" >&2; exit 2 ;; esac
  case "${PROFILE_EVENT:-cpu}" in cpu|alloc) ;; *) echo "PROFILE_EVENT=$PROFILE_EVENT: cpu or alloc" >&2; exit 2 ;; esac
  # A profile names the methods inlined into compiled code only with debug information at every instruction;
  # without it their time shows under the method they were inlined into (Netty's fireChannelRead, say).
  JAVA_OPTS="${JAVA_OPTS:-} -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
fi
. bench/nginx.sh
trap 'kill $(jobs -p) 2>/dev/null || true; stop_nginx; rm -rf "$WORK"' EXIT

[ -n "${SKIP_BUILD:-}" ] || nice -n 10 mvn -B -q package -DskipTests

PORTS=${PORTS:-18080} # the first of eight ports in a row: the gateway, the upstream, nginx, PlainProxy, the gateway without metrics, the base build, PlainProxy per loop, BareExecution
GATEWAY=$PORTS UPSTREAM=$((PORTS + 1)) PROXY=$((PORTS + 2)) PLAIN=$((PORTS + 3))
# about 1 KB of JSON, as in the issue's measurement: three FAQ results whose titles the execution maps
BODY='{"query":"bench","total":3,"page":1,"results":[{"id":1,"title":"How do I reset my password?","url":"https://help.example.com/articles/reset-password","category":"account","snippet":"Open the app, go to Settings and follow the steps shown on screen. If that does not work, our agents can help you in the chat.","updated":"2026-11-21T10:00:00Z","score":0.8},{"id":2,"title":"How do I pay my bill?","url":"https://help.example.com/articles/pay-bill","category":"billing","snippet":"Open the app, go to Settings and follow the steps shown on screen. If that does not work, our agents can help you in the chat.","updated":"2026-11-22T10:00:00Z","score":0.7},{"id":3,"title":"How do I turn on roaming?","url":"https://help.example.com/articles/roaming","category":"travel","snippet":"Open the app, go to Settings and follow the steps shown on screen. If that does not work, our agents can help you in the chat.","updated":"2026-11-23T10:00:00Z","score":0.6}]}'
# Two nginx processes, each with one worker: the upstream, and the reverse proxy in front of it.
start_nginx upstream "  keepalive_requests 100000;
$(json_server "$UPSTREAM" "$BODY")"
start_nginx proxy "  keepalive_requests 100000;
  upstream origin { server 127.0.0.1:$UPSTREAM; keepalive 64; keepalive_requests 100000; }
  server { listen 127.0.0.1:$PROXY; location / { proxy_pass http://origin; proxy_http_version 1.1;
           proxy_set_header Connection \"\"; } }"
UPSTREAM_WORKER=$(nginx_worker upstream)
PROXY_WORKER=$(nginx_worker proxy)

cat > "$WORK/integrations.json" <<JSON
[{"name": "bench", "method": "GET", "url": "http://127.0.0.1:$UPSTREAM/faq", "query": {"q": "{\$botContext.q}"},
  "customDataFields": {"title": "{\$.api_bench.results[i].title}"}},
 {"name": "pass", "method": "GET", "url": "http://127.0.0.1:$UPSTREAM"}]
JSON
# port jar log [flags...]: a gateway on this run's integrations, in the background ($! is its process)
start_gateway() {
  local port=$1 jar=$2 log=$3; shift 3
  java ${JAVA_OPTS:-} ${GATEWAY_OPTS:-} -Dhttp.port="$port" -Dhttp.instances="$INSTANCES" -Degress.allow=127.0.0.1 \
    -Dintegrations.file="$WORK/integrations.json" "$@" -jar "$jar" > "$log" 2>&1 &
}
up() { for _ in $(seq 100); do curl -sf "$1" >/dev/null && return; sleep 0.2; done; } # url: waits until it answers
start_gateway $GATEWAY target/botgate.jar "$WORK/gateway.log"
GATEWAY_PID=$!
java ${JAVA_OPTS:-} -cp target/botgate.jar bench/PlainProxy.java $PLAIN $UPSTREAM "$INSTANCES" > "$WORK/plain.log" 2>&1 &
PLAIN_PID=$!
PER_LOOP=$((PORTS + 6)) # after the base build's port
if [ -z "${METRICS_COST:-}" ]; then # that mode measures gateways only
  java ${JAVA_OPTS:-} -cp target/botgate.jar bench/PlainProxy.java $PER_LOOP $UPSTREAM "$INSTANCES" per-loop \
    > "$WORK/per-loop.log" 2>&1 &
  PER_LOOP_PID=$!
  up "http://127.0.0.1:$PER_LOOP/faq"
fi
BARE=$((PORTS + 7))
if [ -z "${METRICS_COST:-}" ] && [ -z "${PASS_ONLY:-}" ]; then
  java ${JAVA_OPTS:-} -cp target/botgate.jar bench/BareExecution.java $BARE $UPSTREAM "$INSTANCES" \
    > "$WORK/bare.log" 2>&1 &
  BARE_PID=$!
  for _ in $(seq 100); do curl -sf -X POST "http://127.0.0.1:$BARE/api/sessions/s/integrations/bench" >/dev/null && break; sleep 0.2; done
fi
if [ -n "${BASE_JAR:-}" ]; then
  BASE=$((PORTS + 5)) # after the five ports of the other modes
  start_gateway $BASE "$BASE_JAR" "$WORK/base.log"
  BASE_PID=$!
  up "http://127.0.0.1:$BASE/health"
fi
up "http://127.0.0.1:$GATEWAY/health"
up "http://127.0.0.1:$PLAIN/faq"

# wrk's scripts. Each ends with report.lua, which prints one line wrk's text does not give exactly:
# RESULT <requests> <duration µs> <p50 µs> <p99 µs> <errors: connect, read, write, timeouts, status >= 400>
cat > "$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout + e.status))
end
LUA
cat > "$WORK/execute-request.lua" <<'LUA'
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
cat > "$WORK/pass-request.lua" <<'LUA'
-- one pass-through GET per request, spread over 10,000 sessions; also sent to the plain proxy, which
-- forwards it as it is (nginx answers any path), so wrk does the same work for both
local n = 0
request = function()
  n = n + 1
  wrk.headers["X-Botgate-Session"] = "p" .. (n % 10000)
  return wrk.format("GET", "/proxy/pass/faq?q=bench")
end
LUA
cat > "$WORK/direct-request.lua" <<'LUA'
-- the upstream's GET, made by a Lua function as botgate's requests are, so wrk does the same work for both
request = function() return wrk.format("GET", "/faq?q=bench") end
LUA
cat > "$WORK/pacing.lua" <<'LUA'
-- A fixed rate per wrk thread (init's argument, requests a second): before each request, a connection claims
-- the thread's next slot of the schedule and waits until it (wrk's delay() is in whole milliseconds; slots
-- in the past are sent at once, so the average rate holds as long as enough connections are idle).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *t);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local interval, slot
init = function(args) interval = 1000 / tonumber(args[1]) end
delay = function()
  local now = now_ms()
  slot = (slot or now) + interval
  local wait = slot - now
  return wait > 0.5 and math.floor(wait + 0.5) or 0
end
LUA
cat "$WORK/report.lua" > "$WORK/static.lua"
cat "$WORK/execute-request.lua" "$WORK/report.lua" > "$WORK/execute.lua"
cat "$WORK/pass-request.lua" "$WORK/report.lua" > "$WORK/pass.lua"
cat "$WORK/execute-request.lua" "$WORK/pacing.lua" "$WORK/report.lua" > "$WORK/paced-execute.lua"
cat "$WORK/direct-request.lua" "$WORK/pacing.lua" "$WORK/report.lua" > "$WORK/paced-direct.lua"
cat "$WORK/pass-request.lua" "$WORK/pacing.lua" "$WORK/report.lua" > "$WORK/paced-pass.lua"

if [ -n "${METRICS_COST:-}" ]; then
  NOMETRICS=$((PORTS + 4))
  start_gateway $NOMETRICS target/botgate.jar "$WORK/gateway-off.log" -Dmetrics.vertx=false
  NOMETRICS_PID=$!
  up "http://127.0.0.1:$NOMETRICS/health"
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
# rising from round to round after a 40 s warm-up). It is made of runs like the measured ones, each with
# connections of its own: after one long run, every new run's connections and their closing were new code
# to the compilers, which then took 2-5 µs of CPU per request from the first two rounds of the gateway
# (measured from its compiler threads in /proc, 2026-12-02) and up to 3.5 µs from PlainProxy's.
# seconds script url: wrk in runs of at most the measured runs' length
warm() {
  local left=$1
  while [ "$left" -gt 0 ]; do
    wrk -t2 -c"$CONNS" -d"$(( left < DURATION ? left : DURATION ))s" -s "$2" "$3" >/dev/null
    left=$(( left - DURATION ))
  done
}
if [ -z "${PROFILE:-}" ]; then # a profile warms the one server it profiles (below)
  [ -n "${PASS_ONLY:-}" ] || warm $((WARMUP + 20)) "$WORK/execute.lua" "http://127.0.0.1:$GATEWAY"
  warm "$WARMUP" "$WORK/pass.lua" "http://127.0.0.1:$GATEWAY"
  warm "$WARMUP" "$WORK/pass.lua" "http://127.0.0.1:$PLAIN"
  warm "$WARMUP" "$WORK/pass.lua" "http://127.0.0.1:$PER_LOOP"
  [ -n "${PASS_ONLY:-}" ] || warm "$WARMUP" "$WORK/execute.lua" "http://127.0.0.1:$BARE"
  [ -n "${PASS_ONLY:-}" ] || [ -z "${BASE_JAR:-}" ] \
    || warm $((WARMUP + 20)) "$WORK/execute.lua" "http://127.0.0.1:$BASE"
  [ -z "${BASE_JAR:-}" ] || warm "$WARMUP" "$WORK/pass.lua" "http://127.0.0.1:$BASE"
fi

cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; } # user + system, in CLK_TCK
# pid -> how many times its threads have been switched off a core, asked to (waiting) or not (preempted); a
# thread that ends between two reads (a JIT thread let go when idle) takes its count with it, a small undercount
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'; }
TICK=$(getconf CLK_TCK)
# seconds url script [paced rate per wrk thread] -> wrk's RESULT line (report.lua)
wrk_result() { wrk -t2 -c"$CONNS" -d"$1s" -s "$3" "$2" ${4:+-- "$4"} | grep '^RESULT'; }
# seconds url script serving-pid [paced rate per wrk thread]
#   -> "req/s p50-ms p99-ms cpu-µs-per-request upstream-cpu-µs-per-request errors switches-per-request"
measure() {
  local cpu up sw out
  cpu=$(cpu_ticks "$4") up=$(cpu_ticks "$UPSTREAM_WORKER") sw=$(switches "$4")
  out=$(wrk_result "$1" "$2" "$3" "${5:-}")
  awk -v cpu="$cpu" -v cpu2="$(cpu_ticks "$4")" -v up="$up" -v up2="$(cpu_ticks "$UPSTREAM_WORKER")" -v t="$TICK" \
    -v sw="$sw" -v sw2="$(switches "$4")" \
    '{ n = $2 > 0 ? $2 : 1
       printf "%.0f %.2f %.2f %.1f %.1f %d %.2f\n", $2 * 1e6 / $3, $4 / 1000, $5 / 1000,
         (cpu2 - cpu) * 1e6 / t / n, (up2 - up) * 1e6 / t / n, $6, (sw2 - sw) / n }' <<<"$out"
}
field() { cut -d' ' -f"$2" <<<"$1"; } # result, column (1 req/s, 2 p50, 3 p99, 4 CPU, 5 upstream CPU, 6 errors,
                                       # 7 context switches of the serving process per request)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
median() { # numbers (a "-" is left out) -> their median
  printf '%s\n' "$@" | { grep -E '^-?[0-9.]+$' || true; } | sort -g \
    | awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
             else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
declare -A URL SCRIPT SERVER NAME
URL[a]="http://127.0.0.1:$UPSTREAM/faq?q=bench" SCRIPT[a]=static.lua SERVER[a]=$UPSTREAM_WORKER
URL[b]="http://127.0.0.1:$PROXY/faq?q=bench" SCRIPT[b]=static.lua SERVER[b]=$PROXY_WORKER
URL[c]="http://127.0.0.1:$GATEWAY" SCRIPT[c]=execute.lua SERVER[c]=$GATEWAY_PID
# The same script for (d) and (e): wrk's Lua per request costs CPU on the cores the proxies run on.
URL[d]="http://127.0.0.1:$PLAIN" SCRIPT[d]=pass.lua SERVER[d]=$PLAIN_PID
URL[e]="http://127.0.0.1:$GATEWAY" SCRIPT[e]=pass.lua SERVER[e]=$GATEWAY_PID
URL[h]="http://127.0.0.1:$PER_LOOP" SCRIPT[h]=pass.lua SERVER[h]=$PER_LOOP_PID
URL[i]="http://127.0.0.1:$BARE" SCRIPT[i]=execute.lua SERVER[i]=${BARE_PID:-}
NAME[a]="(a) upstream direct" NAME[b]="(b) nginx reverse proxy" NAME[c]="(c) botgate execution"
NAME[d]="(d) vertx-http-proxy plain" NAME[e]="(e) botgate pass-through" NAME[h]="(h) vertx-http-proxy per loop"
NAME[i]="(i) bare Vert.x execution"
KEYS="a b c d e h i"; [ -n "${PASS_ONLY:-}" ] && KEYS="d e h"
if [ -n "${BASE_JAR:-}" ]; then
  URL[f]="http://127.0.0.1:$BASE" SCRIPT[f]=pass.lua SERVER[f]=$BASE_PID NAME[f]="(f) base build pass-through"
  KEYS="$KEYS f"
  if [ -z "${PASS_ONLY:-}" ]; then
    URL[g]="http://127.0.0.1:$BASE" SCRIPT[g]=execute.lua SERVER[g]=$BASE_PID NAME[g]="(g) base build execution"
    KEYS="$KEYS g"
  fi
fi
show() { # key result -> one line
  local up=""
  [ "$1" = a ] || [ "$1" = u ] || up="   upstream nginx $(printf '%5.1f' "$(field "$2" 5)") µs"
  printf "  %-30s %7s req/s   p50 %6s ms   p99 %6s ms   CPU %6s µs/req   %4s switches/req%s%s\n" "${NAME[$1]}" \
    "$(field "$2" 1)" "$(field "$2" 2)" "$(field "$2" 3)" "$(field "$2" 4)" "$(field "$2" 7)" "$up" \
    "$([ "$(field "$2" 6)" != 0 ] && echo "   ($(field "$2" 6) errors)")"
}

if [ -n "${PROFILE:-}" ]; then
  key=$PROFILE event=${PROFILE_EVENT:-cpu}
  [ -n "${SERVER[$key]}" ] || { echo "PROFILE=$key: that server is not started with PASS_ONLY" >&2; exit 2; }
  case "$event" in # each stack's count is in samples: one per 1 ms of CPU, or per about 64 kB allocated
    cpu) opts="event=cpu,interval=1ms" unit="µs of CPU" per=1000 ;;
    alloc) opts="event=alloc,alloc=64k" unit="bytes allocated" per=65536 ;;
  esac
  # async-profiler's library for this machine, from its jar on Maven Central (which carries one per platform)
  case "$(uname -m)" in x86_64) arch=linux-x64 ;; aarch64) arch=linux-arm64 ;;
    *) echo "no async-profiler library for $(uname -m)" >&2; exit 2 ;; esac
  lib="$PWD/target/async-profiler/$arch/libasyncProfiler.so"
  if [ ! -f "$lib" ]; then
    mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.1 -DoutputDirectory=target/async-profiler
    (cd target/async-profiler && jar xf async-profiler-4.1.jar "$arch/libasyncProfiler.so")
  fi
  # jcmd splits an argument at '=' unless it is quoted, and async-profiler's options are a=b,c=d
  agent() { jcmd "${SERVER[$key]}" JVMTI.agent_load "$lib" "\"$1\"" >/dev/null; }
  warm $((WARMUP + 20)) "$WORK/${SCRIPT[$key]}" "${URL[$key]}"
  out="$PWD/target/profile-$key-$event"
  agent "start,$opts"
  result=$(wrk_result "$DURATION" "${URL[$key]}" "$WORK/${SCRIPT[$key]}")
  agent "dump,file=$out.html"
  agent "stop,file=$out.collapsed,collapsed"
  requests=$(cut -d' ' -f2 <<<"$result")
  [ "${requests:-0}" -gt 0 ] || { echo "PROFILE: wrk completed no request (${result:-no RESULT line})" >&2; exit 1; }
  echo
  echo "PROFILE of ${NAME[$key]} ($event, async-profiler, $DURATION s under wrk after $((WARMUP + 20)) s of" \
    "warm-up): $requests requests; per request, by where the time lands (the innermost frame that is not the JDK's):"
  # Each stack is charged to one place: the threads of the JIT and the collector as a whole, else the innermost
  # frame outside the JDK (a HashMap.get called by botgate is botgate's). Beside it, the botgate frames the
  # stacks end under (the innermost botgate frame, with whatever it calls): where botgate's own path spends.
  awk -v n="$requests" -v per="$per" -v alloc="$([ "$event" = alloc ] && echo 1)" '
    function place(f) {
      if (f ~ /_\[k\]$/) return "kernel"
      if (f ~ /jackson/) return "Jackson"
      if (f ~ /^io\/botgate\// || f ~ /^(BareExecution|PlainProxy)/) return "botgate (or the yardstick'\''s own code)"
      if (f ~ /^io\/vertx\/ext\/web\/client\//) return "Vert.x Web Client"
      if (f ~ /^io\/vertx\/ext\/web\//) return "Vert.x Web (router, body handler)"
      if (f ~ /micrometer/) return "meters (Micrometer)"
      if (f ~ /^io\/vertx\/httpproxy\//) return "vertx-http-proxy"
      if (f ~ /^io\/vertx\//) return "Vert.x core"
      if (f ~ /^io\/netty\//) return "Netty"
      if (f ~ /^(java|jdk|sun)\//) return ""
      return "JVM (runtime, stubs, allocation)"
    }
    {
      v = $NF; stack = $0; sub(/ [0-9]+$/, "", stack); k = split(stack, fr, ";"); where = ""
      if (alloc) k-- # the last frame names the class allocated, not code
      if (fr[1] == "start_thread") {
        where = stack ~ /CompileBroker/ ? "JIT compiler threads" \
          : stack ~ /GangWorker|ConcurrentGCThread|G1|WorkerThread/ ? "collector threads" : "other JVM threads"
      } else {
        for (i = k; i >= 1 && where == ""; i--) where = place(fr[i])
        if (where == "") where = "JDK"
        for (i = k; i >= 1; i--) if (fr[i] ~ /^io\/botgate\// && fr[i] !~ /Lambda\$/) { own[fr[i]] += v; break }
      }
      at[where] += v; total += v
    }
    END {
      for (w in at) printf "P %.1f %s\n", at[w] * per / n, w
      printf "T %.1f total\n", total * per / n
      for (f in own) printf "O %.2f %s\n", own[f] * per / n, f
    }' "$out.collapsed" > "$WORK/profile.txt"
  grep '^P ' "$WORK/profile.txt" | sort -k2,2 -g -r \
    | awk -v u="$unit" '{ v = $2; $1 = $2 = ""; printf "  %8s %s %s\n", v, u, substr($0, 3) }'
  awk -v u="$unit" '/^T / { printf "  %8s %s in all\n", $2, u }' "$WORK/profile.txt"
  echo "botgate frames the stacks end under (with what they call), the heaviest 15:"
  grep '^O ' "$WORK/profile.txt" | sort -k2,2 -g -r | head -15 | awk '{ printf "  %8s %s\n", $2, $3 }'
  echo "stacks: $out.collapsed; flame graph: $out.html"
  exit 0
fi

declare -A R RATIO
echo
echo "wrk: 2 threads, $CONNS connections, ${DURATION}s each, $ROUNDS interleaved rounds; $INSTANCES HTTP server" \
  "instances (event loops) for the gateway and for PlainProxy; nginx: upstream and proxy one worker each"
[ -z "${GATEWAY_OPTS:-}" ] || echo "botgate's JVMs (not the yardsticks') also run with GATEWAY_OPTS: $GATEWAY_OPTS"
for round in $(seq "$ROUNDS"); do
  order=$KEYS; (( round % 2 )) || order=$(tr ' ' '\n' <<<"$KEYS" | tac | tr '\n' ' ')
  for key in $order; do
    R[$key$round]=$(measure "$DURATION" "${URL[$key]}" "$WORK/${SCRIPT[$key]}" "${SERVER[$key]}")
  done
  echo "round $round (in the order $(echo $order)), load average $(cut -d' ' -f1 /proc/loadavg):"
  for key in $KEYS; do show "$key" "${R[$key$round]}"; done
  RATIO[ed_rps$round]=$(ratio "$(field "${R[e$round]}" 1)" "$(field "${R[d$round]}" 1)")
  RATIO[ed_cpu$round]=$(ratio "$(field "${R[e$round]}" 4)" "$(field "${R[d$round]}" 4)")
  RATIO[hd_rps$round]=$(ratio "$(field "${R[h$round]}" 1)" "$(field "${R[d$round]}" 1)")
  RATIO[eh_rps$round]=$(ratio "$(field "${R[e$round]}" 1)" "$(field "${R[h$round]}" 1)")
  RATIO[eh_cpu$round]=$(ratio "$(field "${R[e$round]}" 4)" "$(field "${R[h$round]}" 4)")
  echo "  (h)/(d) throughput ${RATIO[hd_rps$round]}; (e)/(h) throughput ${RATIO[eh_rps$round]}, CPU per request ${RATIO[eh_cpu$round]}"
  if [ -n "${BASE_JAR:-}" ]; then
    RATIO[fd_rps$round]=$(ratio "$(field "${R[f$round]}" 1)" "$(field "${R[d$round]}" 1)")
    RATIO[ef_rps$round]=$(ratio "$(field "${R[e$round]}" 1)" "$(field "${R[f$round]}" 1)")
    RATIO[ef_cpu$round]=$(ratio "$(field "${R[e$round]}" 4)" "$(field "${R[f$round]}" 4)")
    echo "  (f)/(d) throughput ${RATIO[fd_rps$round]}; (e)/(f) throughput ${RATIO[ef_rps$round]}, CPU per request ${RATIO[ef_cpu$round]}"
    if [ -z "${PASS_ONLY:-}" ]; then
      RATIO[gd_rps$round]=$(ratio "$(field "${R[g$round]}" 1)" "$(field "${R[d$round]}" 1)")
      RATIO[cg_rps$round]=$(ratio "$(field "${R[c$round]}" 1)" "$(field "${R[g$round]}" 1)")
      RATIO[cg_cpu$round]=$(ratio "$(field "${R[c$round]}" 4)" "$(field "${R[g$round]}" 4)")
      echo "  (g)/(d) throughput ${RATIO[gd_rps$round]}; (c)/(g) throughput ${RATIO[cg_rps$round]}, CPU per request ${RATIO[cg_cpu$round]}"
    fi
  fi
  if [ -z "${PASS_ONLY:-}" ]; then
    RATIO[cd_rps$round]=$(ratio "$(field "${R[c$round]}" 1)" "$(field "${R[d$round]}" 1)")
    RATIO[cd_cpu$round]=$(ratio "$(field "${R[c$round]}" 4)" "$(field "${R[d$round]}" 4)")
    RATIO[cd_p99$round]=$(ratio "$(field "${R[c$round]}" 3)" "$(field "${R[d$round]}" 3)")
    RATIO[cb_rps$round]=$(ratio "$(field "${R[c$round]}" 1)" "$(field "${R[b$round]}" 1)")
    RATIO[cb_cpu$round]=$(ratio "$(field "${R[c$round]}" 4)" "$(field "${R[b$round]}" 4)")
    RATIO[id_rps$round]=$(ratio "$(field "${R[i$round]}" 1)" "$(field "${R[d$round]}" 1)")
    RATIO[id_cpu$round]=$(ratio "$(field "${R[i$round]}" 4)" "$(field "${R[d$round]}" 4)")
    RATIO[ci_rps$round]=$(ratio "$(field "${R[c$round]}" 1)" "$(field "${R[i$round]}" 1)")
    RATIO[ci_cpu$round]=$(ratio "$(field "${R[c$round]}" 4)" "$(field "${R[i$round]}" 4)")
    echo "  (c)/(d) throughput ${RATIO[cd_rps$round]}, CPU per request ${RATIO[cd_cpu$round]}, p99" \
      "${RATIO[cd_p99$round]};  (c)/(b) throughput ${RATIO[cb_rps$round]}, CPU per request ${RATIO[cb_cpu$round]};" \
      " (e)/(d) throughput ${RATIO[ed_rps$round]}, CPU per request ${RATIO[ed_cpu$round]}"
    echo "  (i)/(d) throughput ${RATIO[id_rps$round]}, CPU per request ${RATIO[id_cpu$round]};" \
      " (c)/(i) throughput ${RATIO[ci_rps$round]}, CPU per request ${RATIO[ci_cpu$round]}"
  else
    echo "  (e)/(d) throughput ${RATIO[ed_rps$round]}, CPU per request ${RATIO[ed_cpu$round]}"
  fi
done

echo
echo "medians of the $ROUNDS rounds, each column on its own:"
declare -A MED
for key in $KEYS; do
  m=""
  for col in 1 2 3 4 5 6 7; do
    m+="$(median $(for r in $(seq "$ROUNDS"); do field "${R[$key$r]}" $col; done)) "
  done
  MED[$key]=$(awk '{ printf "%.0f %.2f %.2f %.1f %.1f %d %.2f", $1, $2, $3, $4, $5, $6, $7 }' <<<"$m")
  show "$key" "${MED[$key]}"
done
ratio_line() { # label key target
  local values m
  values=$(for r in $(seq "$ROUNDS"); do printf '%s ' "${RATIO[$2$r]}"; done)
  m=$(median $values); [ "$m" = - ] || m=$(printf '%.2f' "$m")
  printf "  %-26s %5s%-17s (rounds: %s)\n" "$1" "$m" "${3:+   target $3}" "${values% }"
}
echo "medians of the rounds' ratios:"
if [ -z "${PASS_ONLY:-}" ]; then
  ratio_line "(c)/(d) throughput" cd_rps ">= 1.0"
  ratio_line "(c)/(d) CPU per request" cd_cpu "<= 1.0"
  ratio_line "(c)/(d) p99" cd_p99 "<= 2"
  ratio_line "(c)/(b) throughput" cb_rps
  ratio_line "(c)/(b) CPU per request" cb_cpu
fi
ratio_line "(e)/(d) throughput" ed_rps ">= 0.9"
ratio_line "(e)/(d) CPU per request" ed_cpu
ratio_line "(h)/(d) throughput" hd_rps
ratio_line "(e)/(h) throughput" eh_rps
ratio_line "(e)/(h) CPU per request" eh_cpu
if [ -z "${PASS_ONLY:-}" ]; then
  ratio_line "(i)/(d) throughput" id_rps
  ratio_line "(i)/(d) CPU per request" id_cpu
  ratio_line "(c)/(i) throughput" ci_rps
  ratio_line "(c)/(i) CPU per request" ci_cpu
fi
if [ -n "${BASE_JAR:-}" ]; then
  ratio_line "(f)/(d) throughput" fd_rps
  ratio_line "(e)/(f) throughput" ef_rps
  ratio_line "(e)/(f) CPU per request" ef_cpu
  if [ -z "${PASS_ONLY:-}" ]; then
    ratio_line "(g)/(d) throughput" gd_rps
    ratio_line "(c)/(g) throughput" cg_rps
    ratio_line "(c)/(g) CPU per request" cg_cpu
  fi
fi

if [ -z "${PASS_ONLY:-}" ] && (( LAT_ROUNDS > 0 )); then
  RATE=$(awk -v r="$(field "${MED[c]}" 1)" 'BEGIN { printf "%.0f", r / 2 }')
  PER_THREAD=$(awk -v r="$RATE" 'BEGIN { print r / 2 }')
  echo
  echo "latency at half of botgate's median execution throughput: $RATE requests a second (wrk paced," \
    "2 threads, $CONNS connections, ${LAT_SECONDS}s each, $LAT_ROUNDS rounds); vertx-http-proxy at the same rate as" \
    "a yardstick of what a Vert.x proxy on this machine adds by itself, and (i), the same execution hand-written"
  declare -A L
  NAME[u]="upstream direct" NAME[g]="botgate execution" NAME[p]="vertx-http-proxy plain" NAME[w]="(i) bare Vert.x execution"
  # pid -> "young-collections seconds-in-them" so far (jstat, the JDK's), or nothing: what a p99 at this rate sits on
  young_gc() {
    { jstat -gc "$1" 2>/dev/null || true; } | awk 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "YGC") c = i
      if ($i == "YGCT") t = i } } NR == 2 && c && t { print $c, $t }'
  }
  declare -A GC0 GC1 JVM=([g]=$GATEWAY_PID [p]=$PLAIN_PID [w]=$BARE_PID)
  for round in $(seq "$LAT_ROUNDS"); do
    order="u g p w"; (( round % 2 )) || order="w p g u"
    for key in $order; do
      [ -z "${JVM[$key]:-}" ] || GC0[$key$round]=$(young_gc "${JVM[$key]}")
      case $key in
        u) L[$key$round]=$(measure "$LAT_SECONDS" "http://127.0.0.1:$UPSTREAM" "$WORK/paced-direct.lua" "$UPSTREAM_WORKER" "$PER_THREAD") ;;
        g) L[$key$round]=$(measure "$LAT_SECONDS" "http://127.0.0.1:$GATEWAY" "$WORK/paced-execute.lua" "$GATEWAY_PID" "$PER_THREAD") ;;
        p) L[$key$round]=$(measure "$LAT_SECONDS" "http://127.0.0.1:$PLAIN" "$WORK/paced-pass.lua" "$PLAIN_PID" "$PER_THREAD") ;;
        w) L[$key$round]=$(measure "$LAT_SECONDS" "http://127.0.0.1:$BARE" "$WORK/paced-execute.lua" "$BARE_PID" "$PER_THREAD") ;;
      esac
      [ -z "${JVM[$key]:-}" ] || GC1[$key$round]=$(young_gc "${JVM[$key]}")
    done
    for key in g p w; do # the latency each adds over the upstream direct, at p50 and p99
      L[${key}50$round]=$(awk -v a="$(field "${L[$key$round]}" 2)" -v u="$(field "${L[u$round]}" 2)" 'BEGIN { printf "%.2f", a - u }')
      L[${key}99$round]=$(awk -v a="$(field "${L[$key$round]}" 3)" -v u="$(field "${L[u$round]}" 3)" 'BEGIN { printf "%.2f", a - u }')
    done
    echo "round $round (in the order $order), load average $(cut -d' ' -f1 /proc/loadavg):"
    show u "${L[u$round]}"; show g "${L[g$round]}"; show p "${L[p$round]}"; show w "${L[w$round]}"
    echo "  botgate adds ${L[g50$round]} ms at p50, ${L[g99$round]} ms at p99; vertx-http-proxy adds" \
      "${L[p50$round]} ms at p50, ${L[p99$round]} ms at p99; (i) adds ${L[w50$round]} ms at p50, ${L[w99$round]} ms at p99"
  done
  added() { median $(for r in $(seq "$LAT_ROUNDS"); do echo "${L[$1$r]}"; done); } # key+percentile -> median
  short=$(awk -v a="$(median $(for r in $(seq "$LAT_ROUNDS"); do field "${L[g$r]}" 1; done))" -v r="$RATE" \
    'BEGIN { if (a < 0.95 * r) printf "   (botgate reached %.0f req/s only: that is saturation, not half of the peak)", a }')
  echo "LATENCY ADDED at half peak (median of the rounds): p50 $(added g50) ms (target <= 1), p99 $(added g99) ms" \
    "(target <= 3); vertx-http-proxy at the same rate: p50 $(added p50) ms, p99 $(added p99) ms; (i): p50" \
    "$(added w50) ms, p99 $(added w99) ms$short"
  young() { # key -> its young collections over its paced runs: how many, how long each on average, how often
    local r pairs=""
    for r in $(seq "$LAT_ROUNDS"); do # a line per run: collections and seconds before, then after
      [ -n "${GC0[$1$r]}" ] && [ -n "${GC1[$1$r]}" ] || { echo "not read (jstat gave nothing)"; return; }
      pairs+="${GC0[$1$r]} ${GC1[$1$r]}"$'\n'
    done
    awk -v run=$((LAT_ROUNDS * LAT_SECONDS)) '{ n += $3 - $1; s += $4 - $2 }
      END { if (n == 0) print "none"; else printf "%d, %.1f ms each on average, one every %.1f s", n, s * 1000 / n, run / n }' \
      <<<"${pairs%$'\n'}"
  }
  echo "young collections (jstat) during those paced runs: botgate $(young g); vertx-http-proxy $(young p);" \
    "(i) $(young w)"
fi
curl -s "http://127.0.0.1:$GATEWAY/health" | grep -o '"sessions"[^}]*}' | sed 's/^/gateway /'
