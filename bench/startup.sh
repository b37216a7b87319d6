#!/usr/bin/env bash
# Start-up time: from launching the JVM to the first answer of /health, botgate beside a bare Vert.x
# application (bench/BareVertx.java, compiled ahead, on the same jars), in interleaved rounds. Prints each
# round and the medians; compare the ratio, not the absolute times, on a shared machine.
#   bash bench/startup.sh [rounds, default 7]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-7}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
mvn -B -q package -DskipTests
javac -d "$WORK" -cp target/botgate.jar bench/BareVertx.java
PORT=18090

# Milliseconds from launch to the first 200 of /health; the process is stopped afterwards.
time_to_health() {
  local start end
  start=$(date +%s%N)
  "$@" > "$WORK/out.log" 2>&1 &
  local pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"; do
    kill -0 "$pid" 2>/dev/null || { echo "it exited:" >&2; cat "$WORK/out.log" >&2; exit 1; }
    sleep 0.01
  done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $(( (end - start) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

: > "$WORK/bare" ; : > "$WORK/botgate"
printf '%-6s %10s %10s %7s\n' round bare_ms botgate_ms ratio
for r in $(seq "$ROUNDS"); do
  b=$(time_to_health java -cp "target/botgate.jar:$WORK" BareVertx "$PORT")
  g=$(time_to_health java ${JAVA_OPTS:-} -jar target/botgate.jar --port "$PORT")
  echo "$b" >> "$WORK/bare"; echo "$g" >> "$WORK/botgate"
  printf '%-6s %10s %10s %7.2f\n' "$r" "$b" "$g" "$(awk "BEGIN {print $g / $b}")"
done
mb=$(median < "$WORK/bare"); mg=$(median < "$WORK/botgate")
printf 'median  bare Vert.x %s ms, botgate %s ms, botgate/bare %.2f\n' "$mb" "$mg" "$(awk "BEGIN {print $mg / $mb}")"
