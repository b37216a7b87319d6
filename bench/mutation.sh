#!/usr/bin/env bash
# Mutation testing with pitest (pitest-maven 1.30.1 + pitest-junit5-plugin), one narrow group of classes at
# a time, on THREADS threads (2), nice'd and under a time budget: the machine is shared, and pitest runs the covering
# tests once per mutant. Not part of .ci/run and not bound to any phase of the default build.
#
#   bench/mutation.sh [group ...]     groups: integration session script console (default: all four)
#   BUDGET=1200 bench/mutation.sh session    seconds per group (default 1800); a group past it is cut off
#   THREADS=1 bench/mutation.sh script         mutants run at once (default 2)
#   OFFLINE= bench/mutation.sh ...           the first time: lets Maven download pitest (offline by default)
#   COMPILE= bench/mutation.sh script         skips test-compile (another group beside it compiled already)
#
# Per group it prints the mutation score (killed, timed out and memory errors count as killed; survivors and
# mutants no test covers do not) and lists the survivors; reports stay in target/pit-reports/<group>/.
set -euo pipefail
cd "$(dirname "$0")/.."

BUDGET=${BUDGET:-1800}
# -o by default (~/.m2 is filled); OFFLINE= for the first run, which downloads pitest and its plugin.
OFFLINE=${OFFLINE--o}
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(integration session script console)

# group -> "target classes|target tests" (comma-separated globs). The tests are those that exercise the
# classes directly and quickly; gateway-wide tests (ExecutionTest, ConsoleProtocolTest) are listed where the
# class is reached only through a real exchange.
declare -A TARGETS=(
  [integration]="io.botgate.integration.BoundedBody,io.botgate.integration.Template,io.botgate.integration.UpstreamResponse,io.botgate.integration.UpstreamCaller\$Call,io.botgate.events.SecretMask|io.botgate.integration.BoundedBodyTest,io.botgate.integration.TemplateTest,io.botgate.integration.UpstreamResponseTest,io.botgate.events.SecretMaskTest,io.botgate.integration.UpstreamCallTest,io.botgate.integration.ExecutionTest"
  [session]="io.botgate.session.Session,io.botgate.session.Turns*,io.botgate.session.LocalSessionStore*|io.botgate.session.LocalSessionStoreTest,io.botgate.session.SessionStateTest,io.botgate.session.SessionTurnsTest"
  [script]="io.botgate.script.SandboxContextFactory*,io.botgate.script.PoolState,io.botgate.script.ScriptWorkers*|io.botgate.script.ScriptLimitsTest,io.botgate.script.ScriptWorkersTest,io.botgate.script.PoolStateTest"
  [console]="io.botgate.console.ConsoleConnection*,io.botgate.console.InOrder*|io.botgate.console.ConsoleDeliveryTest,io.botgate.console.ConsoleConnectionTest,io.botgate.console.ConsoleInClusterTest,io.botgate.console.InOrderTest"
)
# Threads pitest runs mutants on (the machine is shared: keep it at 1 or 2).
THREADS=${THREADS:-2}

# COMPILE= skips compiling, for a group started beside one that compiled already (they share target/).
COMPILE=${COMPILE-1}
[ -z "$COMPILE" ] || nice -n 15 mvn -B -q $OFFLINE test-compile

for group in "${groups[@]}"; do
  spec=${TARGETS[$group]:?"unknown group $group (integration, session, script, console)"}
  classes=${spec%%|*}
  tests=${spec##*|}
  report=target/pit-reports/$group
  echo "== $group: $classes"
  started=$(date +%s)
  status=0
  timeout --signal=TERM "$BUDGET" nice -n 15 mvn -B -q $OFFLINE -P mutation org.pitest:pitest-maven:mutationCoverage \
    -DtargetClasses="$classes" -DtargetTests="$tests" -DreportsDirectory="$report" \
    -Dthreads="$THREADS" -DtimeoutConstant="${TIMEOUT_MS:-12000}" -DtimeoutFactor=2 -DexcludedTestClasses='*Browser*,*ConsolePage*' >"target/pit-$group.log" 2>&1 || status=$?
  echo "   took $(( $(date +%s) - started )) s (exit $status; log target/pit-$group.log)"
  if [ -s "$report/mutations.xml" ] && grep -q "</mutation>" "$report/mutations.xml"; then
    python3 - "$report/mutations.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
from collections import Counter, defaultdict
text = open(sys.argv[1], encoding="utf-8").read()
if "</mutations>" not in text:
    # cut off by the budget: pitest writes each result as it comes, so what was flushed is still worth reading
    text = text[:text.rfind("</mutation>") + len("</mutation>")] + "</mutations>"
    print("   PARTIAL: the run was cut off; these are the mutants it finished")
root = ET.fromstring(text)
killed_states = {"KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR"}
per = defaultdict(Counter)
survivors = []
for m in root.iter("mutation"):
    cls = m.findtext("mutatedClass")
    status = m.get("status")
    per[cls][status] += 1
    if status not in killed_states:
        survivors.append(f"   {status:11} {cls.rsplit('.',1)[1]}.{m.findtext('mutatedMethod')}:{m.findtext('lineNumber')} {m.findtext('description')}")
total = Counter()
for cls, c in sorted(per.items()):
    n = sum(c.values()); k = sum(v for s, v in c.items() if s in killed_states)
    total["n"] += n; total["k"] += k
    print(f"   {cls}: {k}/{n} killed ({100*k/n:.0f} %) {dict(c)}")
if total["n"]:
    print(f"   score: {total['k']}/{total['n']} = {100*total['k']/total['n']:.0f} %")
print("   survivors:" if survivors else "   no survivors")
print("\n".join(survivors))
PY
  else
    echo "   no report (cut off by the budget of $BUDGET s, or pitest failed: see the log)"
  fi
done
