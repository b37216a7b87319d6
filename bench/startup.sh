#!/usr/bin/env bash
# Start-up time: from launching the JVM to the first answer of /health, botgate beside a bare Vert.x
# application (bench/BareVertx.java, compiled ahead, on the same jars), in interleaved rounds: the bare
# application, botgate as `java -jar`, and botgate with the class-data sharing archive the build makes
# (target/botgate.jsa, README "Faster start"). Prints each round's wall-clock ms and the JVM's CPU ms up to
# that answer (user + system, from /proc: less sensitive to a loaded machine than wall time), then the
# medians and the ratios to the bare application; compare ratios, not absolute times, on a shared machine.
# JAVA_OPTS adds flags to the botgate variants; BASE_JAR=<an older botgate.jar, its .jsa beside it> adds that
# build, with its archive, to compare with.
#   bash bench/startup.sh [rounds, default 7]
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME's decimal separator is the locale's; the arithmetic below expects a dot
cd "$(dirname "$0")/.."
ROUNDS=${1:-7}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
[ -n "${SKIP_BUILD:-}" ] || mvn -B -q package -DskipTests
[ -s target/botgate.jsa ] || { echo "target/botgate.jsa is missing (built with -Dcds.skip?)" >&2; exit 1; }
javac -d "$WORK" -cp target/botgate.jar bench/BareVertx.java
PORT=18090
TICK=$(getconf CLK_TCK)

# Polling starts no process: a curl every 10 ms took about a core's share of CPU (each call about 40 ms of it here)
# from the start being measured on a 2-core machine, and its own start-up added to each poll's delay. Bash asks
# over /dev/tcp and naps 5 ms on a FIFO that never has data (read -t), both without forking.
mkfifo "$WORK/nap"
exec {NAP}<>"$WORK/nap"

# Whether /health answers 200 now (one HTTP/1.1 request over bash's /dev/tcp).
health_ok() {
  local status
  { exec {conn}<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null || return 1
  printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&"$conn"
  read -r -t 10 -u "$conn" _ status _ || status=
  exec {conn}<&-
  [ "$status" = 200 ]
}

# "wall_ms cpu_ms" from launch to the first 200 of /health; the process is stopped afterwards.
time_to_health() {
  local start end cpu
  start=${EPOCHREALTIME/./} # microseconds, without starting a process
  "$@" > "$WORK/out.log" 2>&1 &
  local pid=$!
  until health_ok; do
    kill -0 "$pid" 2>/dev/null || { echo "it exited:" >&2; cat "$WORK/out.log" >&2; exit 1; }
    read -r -t 0.005 -u "$NAP" _ || true
  done
  end=${EPOCHREALTIME/./}
  # utime and stime are fields 14 and 15 of /proc/PID/stat (after the parenthesised command name)
  cpu=$(sed 's/.*) //' "/proc/$pid/stat" | awk -v t="$TICK" '{print int(($12 + $13) * 1000 / t)}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$(( (end - start) / 1000 )) $cpu"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

VARIANTS="bare jar cds"
[ -z "${BASE_JAR:-}" ] || VARIANTS+=" base"
for v in $VARIANTS; do : > "$WORK/$v.wall"; : > "$WORK/$v.cpu"; done
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %18s %18s %18s %18s  (wall ms / CPU ms)\n' round "bare Vert.x" "botgate java -jar" "botgate + CDS" \
  "${BASE_JAR:+BASE_JAR + CDS}"
for r in $(seq "$ROUNDS"); do
  line=""
  for v in $VARIANTS; do
    case $v in
      bare) read -r w c <<<"$(time_to_health java -cp "target/botgate.jar:$WORK" BareVertx "$PORT")";;
      jar) read -r w c <<<"$(time_to_health java ${JAVA_OPTS:-} -Dhttp.port="$PORT" -jar target/botgate.jar)";;
      cds) read -r w c <<<"$(time_to_health java ${JAVA_OPTS:-} -XX:SharedArchiveFile=target/botgate.jsa \
        -Dhttp.port="$PORT" -jar target/botgate.jar)";;
      base) read -r w c <<<"$(time_to_health java ${JAVA_OPTS:-} -XX:SharedArchiveFile="${BASE_JAR%.jar}.jsa" \
        -Dhttp.port="$PORT" -jar "$BASE_JAR")";;
    esac
    echo "$w" >> "$WORK/$v.wall"; echo "$c" >> "$WORK/$v.cpu"
    line+=$(printf '%18s' "$w / $c")
  done
  printf '%-6s %s\n' "$r" "$line"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
for v in $VARIANTS; do
  eval "w_$v=$(median < "$WORK/$v.wall"); c_$v=$(median < "$WORK/$v.cpu")"
done
printf 'median  %18s %18s %18s %18s\n' "$w_bare / $c_bare" "$w_jar / $c_jar" "$w_cds / $c_cds" \
  "${BASE_JAR:+$w_base / $c_base}"
awk -v wb="$w_bare" -v cb="$c_bare" -v wj="$w_jar" -v cj="$c_jar" -v wc="$w_cds" -v cc="$c_cds" 'BEGIN {
  printf "botgate/bare: java -jar %.2f wall, %.2f CPU; with the archive %.2f wall, %.2f CPU\n", wj/wb, cj/cb, wc/wb, cc/cb
  printf "archive/java -jar: %.2f wall, %.2f CPU\n", wc/wj, cc/cj }'
[ -z "${BASE_JAR:-}" ] || awk -v wc="$w_cds" -v cc="$c_cds" -v wo="$w_base" -v co="$c_base" 'BEGIN {
  printf "this build/BASE_JAR, both with their archive: %.2f wall, %.2f CPU\n", wc/wo, cc/co }'
