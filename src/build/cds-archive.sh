#!/usr/bin/env bash
# Makes target/botgate.jsa, a class-data sharing archive of the classes a real start loads: run by Maven in
# `package`, right after the jar is shaded. It starts the jar with -XX:ArchiveClassesAtExit on a free port,
# asks for /health and executes the demo integration once (the classes of a first request), waits for the
# script sandbox to be built, then stops it
# with SIGTERM; the JVM writes the archive as it exits. Used with
#   java -XX:SharedArchiveFile=target/botgate.jsa -jar target/botgate.jar
# it cuts the CPU time to the first /health answer (README, "Faster start"). The archive belongs to this jar:
# after the jar changes, the JVM ignores it with a warning. Nothing here fails the build: without an
# archive, `java -jar` runs as before. Skip it with -Dcds.skip.
#   bash src/build/cds-archive.sh [jar, default target/botgate.jar]
set -uo pipefail
cd "$(dirname "$0")/../.."
JAR=${1:-target/botgate.jar}
ARCHIVE=${JAR%.jar}.jsa
LOG=${JAR%.jar}.jsa.log
rm -f "$ARCHIVE"
give_up() { echo "[cds] no class-data archive ($1; see $LOG): java -jar works without it" >&2; exit 0; }

# The demo on, whatever conf/config.json says; nothing is written (no PUT, no recording).
java -XX:ArchiveClassesAtExit="$ARCHIVE" -Xlog:cds=off -Xlog:cds+dynamic=off -Ddemo.enabled=true \
  -Dupstream.mode=live -Dcluster.enabled=false -Dbridge.port=-1 -Dlog.access=false \
  -jar "$JAR" --port 0 > "$LOG" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null' EXIT
port=
for _ in $(seq 1200); do # up to 2 minutes on a loaded machine
  port=$(grep -o 'listening on http://[^ ]*' "$LOG" | head -1 | sed 's/.*://')
  [ -n "$port" ] && break
  kill -0 $pid 2>/dev/null || give_up "the gateway did not start"
  sleep 0.1
done
[ -n "$port" ] || give_up "the gateway did not start in time"

# One HTTP/1.1 request over bash's /dev/tcp (no curl needed); prints the status line.
request() { # method path [json body]
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "$1" "$2" "${#3}" "$3" >&3
  head -1 <&3
  exec 3<&-
}
request GET /health "" | grep -q ' 200' || give_up "/health did not answer 200"
request POST /api/sessions/cds/integrations/faqIntegration '{"variables":{"question":"roaming"}}' >/dev/null
sleep 2 # the script sandbox is built a second after listening: its classes belong in the archive too
kill -TERM $pid
wait $pid
trap - EXIT
[ -s "$ARCHIVE" ] || give_up "the JVM wrote no archive"
echo "[cds] $ARCHIVE: $(( $(stat -c %s "$ARCHIVE") / 1048576 )) MB"
