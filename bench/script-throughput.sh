#!/usr/bin/env bash
# Script engine throughput (seed example, one thread and all cores), time to stop runaway scripts, and
# time to stop (or refuse) each builtin that loops natively, through the pool and its watchdog.
#   bash bench/script-throughput.sh [seconds per measurement, default 10] [time limit ms, default 5000]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
java -Xmx1g -cp target/botgate.jar bench/ScriptThroughput.java "${1:-10}" "${2:-5000}"
