#!/usr/bin/env bash
# Throughput and latency of botgate executing an integration, side by side with the same static JSON
# upstream called directly and behind nginx as a plain reverse proxy. Prints ratios; absolute numbers on
# a shared 2-core machine are not stable, ratios measured in one run are.
#   bash bench/proxy-overhead.sh [seconds per run, default 15] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
CONNS=${2:-64}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null; }
mvn -B -q package -DskipTests

UPSTREAM=18081 PROXY=18082 GATEWAY=18080
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
  "customDataFields": {"title": "{\$.api_bench.results[i].title}"}}]
JSON
java ${JAVA_OPTS:-} -Dhttp.port=$GATEWAY -Degress.allow=127.0.0.1 -Dintegrations.file="$WORK/integrations.json" \
  -jar target/botgate.jar > "$WORK/gateway.log" 2>&1 &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$GATEWAY/health" >/dev/null && break; sleep 0.2; done

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

echo "one demo-style execution end to end (curl, cold then warm):"
for i in 1 2 3; do
  curl -s -o /dev/null -w "  %{time_total}s\n" -X POST -H 'Content-Type: application/json' \
    -d '{"variables":{"q":"bench"}}' "http://127.0.0.1:$GATEWAY/api/sessions/first/integrations/bench"
done
wrk -t2 -c"$CONNS" -d20s -s "$WORK/execute.lua" "http://127.0.0.1:$GATEWAY" >/dev/null  # JIT warm-up: C2 is still busy after 10 s

run() { # name url [script]
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency ${3:+-s "$3"} "$2")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr -s ' ' | tr '\n' ';' || true)
  printf "%-28s %10s req/s   p50 %8s   p99 %8s  %s\n" "$1" "$rps" "$p50" "$p99" "$errors"
  eval "RPS_$4=$rps"
}
echo
echo "wrk: 2 threads, $CONNS connections, ${DURATION}s each"
run "(a) upstream direct" "http://127.0.0.1:$UPSTREAM/faq?q=bench" "" A
run "(b) nginx reverse proxy" "http://127.0.0.1:$PROXY/faq?q=bench" "" B
run "(c) botgate execution" "http://127.0.0.1:$GATEWAY" "$WORK/execute.lua" C
echo
awk -v a="$RPS_A" -v b="$RPS_B" -v c="$RPS_C" 'BEGIN {
  printf "ratio (b)/(a) nginx vs direct:   %.2f\n", b / a
  printf "ratio (c)/(a) botgate vs direct: %.2f\n", c / a
  printf "ratio (c)/(b) botgate vs nginx:  %.2f\n", c / b }'
curl -s "http://127.0.0.1:$GATEWAY/health" | grep -o '"sessions"[^}]*}' | sed 's/^/gateway /'
