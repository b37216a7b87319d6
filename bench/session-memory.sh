#!/usr/bin/env bash
# Heap bytes per session (a last result and 10 short variables each) at 100k and 1M sessions, after GC,
# then the time of one page of GET /api/sessions at 1M and the slowest /health answer meanwhile.
#   bash bench/session-memory.sh [count...]   (default: 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
java -Xmx3g -cp target/botgate.jar bench/SessionMemory.java "$@"
