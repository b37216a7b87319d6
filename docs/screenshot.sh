#!/usr/bin/env bash
# Retakes docs/console.png: starts botgate on a spare port, plays a busy demo conversation (executions,
# scripts with messages, quick replies, variables and an error, a burst of debug lines, other sessions),
# and has headless Chromium photograph the console. Needs chromium and chromium-driver (Debian packages).
#   bash docs/screenshot.sh [output, default docs/console.png] [width, default 1600: Try it docks from there] [height, default 900]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/console.png}
PORT=18090
BASE="http://127.0.0.1:$PORT"
mvn -B -q package -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
java -Dhttp.port=$PORT -jar target/botgate.jar > target/screenshot-gateway.log 2>&1 &
GATEWAY=$!
trap 'kill $GATEWAY' EXIT
for _ in $(seq 100); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done

post() { curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "$2" "$BASE$1"; }
COUNT='var results = botContext.getBotVariable(\"faqIntegration.title.count\"); if (results < 1) { botContext.sendMessage(\"Sorry, I was not able to find any notes for this contact.\"); } else { botContext.sendMessageWithQuickReplies(\"I found \" + results + \" answers. Which one?\", botContext.getBotVariable(\"faqIntegration.title\").slice(0, 3)); }'
for q in bill voicemail data; do
  post /api/sessions/alice/integrations/faqIntegration "{\"variables\": {\"question\": \"$q\"}}"
done
post /api/sessions/bob/integrations/faqIntegration '{"variables": {"question": "nothing"}}'
post /api/sessions/busy/scripts '{"code": "for (var i = 1; i <= 400; i++) botContext.printDebugMessage(\"step \" + i + \" of the nightly sync\");"}'
post /api/sessions/demo/scripts '{"code": "botContext.setBotVariable(\"customer\", {\"name\": \"Ana\", \"plan\": {\"name\": \"Travel 20\", \"roaming\": true, \"countries\": [\"ES\", \"FR\", \"IT\", \"PT\"]}}, true, false); botContext.printDebugMessage(\"customer loaded\");"}'
post /api/sessions/demo/scripts '{"code": "botContext.printDebugMessage(\"checking the plan\");\nvar plan = botContext.getBotVariable(\"plan\");\nvar name = plan.name;\nbotContext.sendMessage(name);"}'
post /api/sessions/demo/integrations/faqIntegration "{\"variables\": {\"question\": \"teleport\"}, \"postProcess\": \"$COUNT\"}"
post /api/sessions/demo/scripts '{"code": "var ok = botContext.isApiExecutionSuccessful(); botContext.printDebugMessage(\"API Execution Successful with Status Code: \" + botContext.getApiStatusCode()); botContext.setBotVariable(\"topic\", \"roaming\", true, false);"}'
post /api/sessions/demo/integrations/faqIntegration "{\"variables\": {\"question\": \"roaming\"}, \"userMessage\": \"Can I use my phone abroad?\", \"preProcess\": \"botContext.setBotVariable('question', 'roaming', false, false);\", \"postProcess\": \"$COUNT\"}"

java -cp "$(cat target/test-classpath.txt)" docs/Screenshot.java "$BASE/?session=demo" "$OUT" "${2:-1600}" "${3:-900}"
