#!/usr/bin/env bash
# Events per second one console client receives before drops begin.
#   bash bench/console-throughput.sh [seconds per step, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
java -Xmx1g -cp target/botgate.jar bench/ConsoleThroughput.java "${1:-3}"
