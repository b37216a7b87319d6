#!/usr/bin/env bash
# Whether the console page keeps up: headless Chromium shows every session ("*") while scripts print debug
# lines through the gateway at rising rates (1,000 to 20,000 events/s); per rate it prints the events the
# page showed per second, its longest main-thread task (only tasks over 50 ms are reported, so 0 means
# none) and the animation frames it missed; from a trace of each step, the most CPU time one main-thread task
# took and the CPU time of the longest task (a long task with little CPU waited for a core). Needs chromium
# and chromium-driver (Debian packages).
#   bash bench/console-page.sh [seconds per rate, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=18095
BASE="http://127.0.0.1:$PORT"
mvn -B -q package -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
# history.size: the page replays nothing old; script.queue: bursts of runs wait rather than fail
java -Xmx1g -Dhttp.port=$PORT -Dhistory.size=200 -jar target/botgate.jar > target/console-page-gateway.log 2>&1 &
GATEWAY=$!
trap 'kill $GATEWAY' EXIT
for _ in $(seq 150); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done
java -cp "$(cat target/test-classpath.txt)" bench/ConsolePageBench.java "$BASE" "${1:-5}"
