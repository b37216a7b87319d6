#!/usr/bin/env bash
# Soak: half of peak load of mixed traffic for N minutes against the gateway jar, with a static nginx
# upstream; prints each minute the gateway's heap after a full GC, threads, open files, requests and
# errors, then a verdict on the second half of the run, once the event ring and the worker pool have reached
# their caps (heap/threads/fds flat, zero errors, zero OutOfMemoryError, no request left unsent).
# The peak is measured first for 10 s unless a rate is given. JAVA_OPTS passes flags to the gateway's JVM
# (default -Xmx1g); the driver runs beside it, so on a shared machine the peak is the pair's.
#   bash bench/soak.sh [minutes, default 30] [requests per second, default half the measured peak]
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
RATE=${2:-0}
WORK=$(mktemp -d)
. bench/nginx.sh
trap 'kill $(jobs -p) 2>/dev/null || true; stop_nginx
  echo "gateway log: $WORK/gateway.log (kept)"' EXIT

[ -f target/botgate.jar ] && [ -z "$(find src pom.xml -newer target/botgate.jar -print -quit)" ] || mvn -B -q package -DskipTests

UPSTREAM=18191 GATEWAY=18190
BODY='{"query":"soak","total":3,"results":[{"id":1,"title":"How do I reset my password?"},{"id":2,"title":"How do I pay my bill?"},{"id":3,"title":"How do I turn on roaming?"}]}'
start_nginx upstream "$(json_server "$UPSTREAM" "$BODY")"

cat > "$WORK/integrations.json" <<JSON
[{"name": "soak", "method": "GET", "url": "http://127.0.0.1:$UPSTREAM/faq", "query": {"q": "{\$botContext.q}"},
  "customDataFields": {"title": "{\$.api_soak.results[i].title}"}}]
JSON
java ${JAVA_OPTS:--Xmx1g} -Dhttp.port=$GATEWAY -Degress.allow=127.0.0.1 -Dintegrations.file="$WORK/integrations.json" \
  -jar target/botgate.jar > "$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$GATEWAY/health" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$GATEWAY/health" >/dev/null || { echo "the gateway did not start:"; cat "$WORK/gateway.log"; exit 1; }
echo "gateway pid $GATEWAY_PID on port $GATEWAY, upstream nginx on $UPSTREAM, $MINUTES minutes"
java -Xmx512m -cp target/botgate.jar bench/Soak.java "$GATEWAY" "$GATEWAY_PID" "$MINUTES" "$RATE" "$WORK/gateway.log"
