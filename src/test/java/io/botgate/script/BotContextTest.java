package io.botgate.script;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every botContext function with CB's semantics, values crossing as plain JavaScript values. */
class BotContextTest {

  static ScriptEngine engine;
  final ScriptFixture fixture = new ScriptFixture();

  @BeforeAll
  static void start() {
    engine = new ScriptEngine(null, ScriptLimits.DEFAULTS, """
      function greet(name) { botContext.printDebugMessage('hello ' + name); return 'greeted'; }
      """, 1, 10);
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private List<String> texts(ScriptFixture.Run run, String kind) {
    return run.transcript.eventsAsJson().stream().map(JsonObject.class::cast).filter(e -> e.getString("kind").equals(kind))
      .map(e -> e.getString("text")).toList();
  }

  private ScriptOutcome exec(ScriptFixture.Run run, String code) {
    return engine.runHere(code, run.bot);
  }

  @Test
  void shouldReturnNullForUnsetVariablesAndPlainValuesForSetOnes() {
    ScriptFixture.Run run = fixture.new Run("vars", new JsonObject().put("count", 3).put("list", new JsonArray().add("a").add("b"))
      .put("obj", new JsonObject().put("k", "v")), "hi");
    ScriptOutcome outcome = exec(run, """
      var p = botContext.printDebugMessage;
      p(botContext.getBotVariable('nope') === null);
      p(botContext.getBotVariable('count') < 4);
      p(botContext.getBotVariable('list').length + ' ' + Array.isArray(botContext.getBotVariable('list')));
      p(botContext.getBotVariable('obj').k + ' ' + JSON.stringify(botContext.getBotVariable('obj')));
      """);
    assertThat(outcome.ok()).isTrue();
    assertThat(texts(run, "debug")).containsExactly("true", "true", "2 true", "v {\"k\":\"v\"}");
  }

  @Test
  void shouldKeepRequestScopeForOneRequestAndSessionScopeForTheSession() {
    ScriptFixture.Run first = fixture.new Run("scopes", null, null);
    exec(first, """
      botContext.setBotVariable('turn', 'only now', false, false);
      botContext.setBotVariable('kept', 'for the session', true, false);
      botContext.setBotVariable('forever', {a: [1, 2]}, false, true);
      botContext.printDebugMessage(botContext.getBotVariable('turn'));
      """);
    assertThat(texts(first, "debug")).containsExactly("only now");
    assertThat(texts(first, "variable")).containsExactly("turn = \"only now\" (request)",
      "kept = \"for the session\" (session)", "forever = {\"a\":[1,2]} (session)");

    ScriptFixture.Run second = fixture.new Run("scopes", null, null);
    exec(second, "botContext.printDebugMessage(botContext.getBotVariable('turn') + ' / ' "
      + "+ botContext.getBotVariable('kept') + ' / ' + botContext.getBotVariable('forever').a[1]);");
    assertThat(texts(second, "debug")).containsExactly("null / for the session / 2");
  }

  @Test
  void shouldKeepADateAndWrappedPrimitivesAsJsonStringifyWritesThem() {
    ScriptFixture.Run run = fixture.new Run("dates", null, null);
    ScriptOutcome outcome = exec(run, """
      var d = new Date(Date.UTC(2026, 11, 7, 3, 30));
      d.toJSON = function () { return 'not this'; };
      botContext.setBotVariable('at', {when: d, never: new Date(NaN), n: new Number(3), s: new String('x'),
        b: new Boolean(false)}, true, false);
      var kept = botContext.getBotVariable('at');
      botContext.printDebugMessage(JSON.stringify(kept) + ' ' + typeof kept.n);
      """);

    assertThat(outcome.ok()).as(String.valueOf(outcome.error())).isTrue();
    assertThat(texts(run, "debug")).containsExactly(
      "{\"when\":\"2026-12-07T03:30:00.000Z\",\"never\":null,\"n\":3,\"s\":\"x\",\"b\":false} number");
  }

  @Test
  void shouldSendMessagesInOrder() {
    ScriptFixture.Run run = fixture.run("send");
    exec(run, """
      botContext.sendMessage('one');
      botContext.sendMessages(['two', 'three']);
      botContext.sendMessageWithQuickReplies('Pick a colour', ['Red', 'Green']);
      botContext.sendMessageWithQuickReplies('Yes or no?', 'Yes;No');
      """);
    JsonArray messages = run.transcript.messages();
    assertThat(messages.stream().map(m -> ((JsonObject) m).getString("text")))
      .containsExactly("one", "two", "three", "Pick a colour", "Yes or no?");
    assertThat(messages.getJsonObject(3).getJsonArray("quickReplies")).containsExactly("Red", "Green");
    assertThat(messages.getJsonObject(4).getJsonArray("quickReplies")).containsExactly("Yes", "No");
  }

  @Test
  void shouldRefuseQuickRepliesBeyondCbLimitsWithAnErrorEvent() {
    ScriptFixture.Run run = fixture.run("quick");
    exec(run, """
      botContext.sendMessageWithQuickReplies('too many', ['1','2','3','4','5','6','7','8','9','10','11']);
      botContext.sendMessageWithQuickReplies('too long', ['A reply title that is far too long']);
      botContext.sendMessage('still running');
      """);
    assertThat(run.transcript.messages().stream().map(m -> ((JsonObject) m).getString("text")))
      .containsExactly("still running");
    assertThat(texts(run, "error")).satisfiesExactly(
      t -> assertThat(t).contains("11 quick replies").contains("at most 10"),
      t -> assertThat(t).contains("34 characters").contains("at most 20"));
  }

  @Test
  void shouldStopTheScriptAfterAnImmediateReply() {
    ScriptFixture.Run run = fixture.run("immediate");
    ScriptOutcome outcome = exec(run, """
      botContext.sendImmediateReply('right away');
      botContext.sendMessage('never sent');
      """);
    assertThat(outcome.ok()).isTrue();
    assertThat(outcome.stoppedByImmediateReply()).isTrue();
    assertThat(run.transcript.messages().stream().map(m -> ((JsonObject) m).getString("text")))
      .containsExactly("right away");
  }

  @Test
  void shouldExposeConversationUserMessageEnvironmentAndCustomEvents() {
    ScriptFixture.Run run = fixture.new Run("conv-42", null, "where is my bill?");
    exec(run, """
      botContext.printDebugMessage(botContext.getConversationId() + ' | ' + botContext.getCurrentUserMessage()
        + ' | ' + botContext.getEnvVariable('REGION') + ' | ' + botContext.getEnvVariable('MISSING'));
      botContext.logCustomEvent(botContext.getCurrentUserMessage(), 'billing_question', 'from FAQ');
      botContext.printDebugMessage(greet('you'));
      """);
    assertThat(texts(run, "debug")).containsExactly("conv-42 | where is my bill? | eu | null",
      "custom event 'billing_question': from FAQ", "hello you", "greeted");
  }

  @Test
  void shouldMaskAnEnvValueTheScriptReadsInWhatItShowsWhileTheScriptUsesItAsItIs() {
    ScriptFixture.Run run = fixture.run("env-secret");
    exec(run, """
      var key = botContext.getEnvVariable('PARTNER_SECRET');
      botContext.printDebugMessage('key ' + key);
      botContext.sendMessage('your key: ' + key);
      botContext.setBotVariable('keyLength', String(key.length), true, false);
      """);
    assertThat(texts(run, "debug")).contains("key ****");
    assertThat(run.transcript.eventsAsJson().encode()).doesNotContain("Zq9Kx7Lm3Np");
    assertThat(run.session.variable("keyLength")).as("the script read the value itself").isEqualTo("11");
  }

  /** A text cut to be shown is scrubbed before the cut: a cut through a secret would leave its first characters. */
  @Test
  void shouldNotShowTheFirstCharactersOfASecretThatACutGoesThrough() {
    ScriptFixture.Run run = fixture.run("env-cut");
    exec(run, """
      var key = botContext.getEnvVariable('PARTNER_SECRET');
      var tail = new Array(101).join('z');
      botContext.sendMessage(new Array(65536 - 5 + 1).join('x') + key + tail);
      botContext.printDebugMessage(new Array(65536 - 8 + 1).join('y') + key + tail);
      botContext.setBotVariable(new Array(200 - 6 + 1).join('n') + key + tail, 1, true, false);
      botContext.setBotVariable('padded', new Array(200 - 6 + 1).join('v') + key + tail, true, false);
      """);
    String shown = run.transcript.eventsAsJson().encode();
    assertThat(shown).contains("characters cut").doesNotContain("Zq9Kx").doesNotContain("Zq9Kx7Lm");
    ScriptOutcome thrown = exec(run, """
      var key = botContext.getEnvVariable('PARTNER_SECRET');
      throw new Array(4096 - 30 + 1).join('t') + key + new Array(101).join('z');
      """);
    assertThat(thrown.error().message()).contains("characters cut").doesNotContain("Zq9Kx");
  }

  @Test
  void shouldRunEs5AndTheJvmEngineExtensions() {
    ScriptFixture.Run run = fixture.run("language");
    ScriptOutcome outcome = exec(run, """
      var total = 0;
      for each (var n in [1, 2, 3]) { total += n; }
      var o = JSON.parse('{"a": [1, 2]}');
      botContext.printDebugMessage(total + ' ' + o.a.length + ' ' + [3, 1, 2].sort().join(',') + ' ' + 'count'*1);
      """);
    assertThat(outcome.ok()).as(String.valueOf(outcome.error())).isTrue();
    assertThat(texts(run, "debug")).containsExactly("6 2 1,2,3 NaN");
  }

  @Test
  void shouldReportSyntaxAndRuntimeErrorsWithLineAndColumn() {
    ScriptFixture.Run run = fixture.run("errors");
    ScriptOutcome syntax = exec(run, "var a = 1;\nvar b = ;\n");
    assertThat(syntax.error().type()).isEqualTo("syntax");
    assertThat(syntax.error().line()).isEqualTo(2);
    assertThat(syntax.error().column()).isGreaterThan(0);

    ScriptOutcome runtime = exec(run, "var a = 1;\n\nundefinedFunction();");
    assertThat(runtime.error().type()).isEqualTo("runtime");
    assertThat(runtime.error().line()).isEqualTo(3);
    assertThat(runtime.error().message()).contains("ReferenceError").contains("undefinedFunction");

    ScriptOutcome thrown = exec(run, "throw new Error('custom failure');");
    assertThat(thrown.error().message()).contains("custom failure");
  }
}
