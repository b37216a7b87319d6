#!/usr/bin/env bash
# Script engine throughput (seed example, one thread and all cores) and time to stop runaway scripts.
#   bash bench/script-throughput.sh [seconds per measurement, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
java -Xmx1g -cp target/botgate.jar bench/ScriptThroughput.java "${1:-10}"
