package io.botgate.script;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** What a script hands over as text (messages, debug output, errors, quoted names) is cut, with a marker. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ScriptTextLimitsTest extends LimitedEngineTest {

  @Test
  void shouldCutAHugeDebugMessageAndSayHowMuchWasCut() {
    ScriptFixture.Run run = fixture.run("debug");
    ScriptOutcome outcome = engine.runHere("botContext.printDebugMessage('x'.repeat(1 << 20));", run.bot);
    assertThat(outcome.ok()).isTrue();
    String text = run.transcript.eventsAsJson().getJsonObject(0).getString("text");
    assertThat(text).startsWith("x".repeat(ScriptText.MAX_MESSAGE)).endsWith("x… (983,040 characters cut)");
  }

  @Test
  void shouldCutAHugeMessageSent() {
    ScriptFixture.Run run = fixture.run("message");
    ScriptOutcome outcome = engine.runHere("botContext.sendMessage('y'.repeat(1 << 19) + 'z'.repeat(1 << 19));", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    String text = run.transcript.eventsAsJson().getJsonObject(0).getJsonObject("data").getString("text");
    assertThat(text).hasSize(ScriptText.MAX_MESSAGE + "… (983,040 characters cut)".length()).endsWith("(983,040 characters cut)");
  }

  @Test
  void shouldCutAHugeStringThrownInTheErrorItBecomes() {
    ScriptOutcome outcome = engine.runHere("throw 'e'.repeat(1 << 20);", fixture.run("thrown").bot);
    assertThat(outcome.error().type()).isEqualTo("runtime");
    assertThat(outcome.error().message()).startsWith("uncaught exception: eee").contains(" characters cut)")
      .hasSizeLessThan(ScriptText.MAX_ERROR + 40);
  }

  @Test
  void shouldQuoteAHugeVariableNameCut() {
    ScriptFixture.Run run = fixture.run("name");
    ScriptOutcome outcome = engine.runHere("botContext.setBotVariable('n'.repeat(1 << 20), 1, true, false);", run.bot);
    String said = outcome.ok() ? run.transcript.eventsAsJson().encode() : outcome.error().message();
    assertThat(said).as("what the run said").hasSizeLessThan(10_000).contains(" characters cut)");
  }

  /**
   * A variable set to null is removed (session) or costs nothing (request), yet the run's {@code variableChanges}
   * named it: a loop over long names made an answer of tens of MB from a script of one line (60 names of a million
   * characters, 60 MB). The names a run removes are bounded by {@code session.maxBytes}, as what it keeps is.
   */
  @Test
  void shouldBoundTheNamesARunRemoves() {
    ScriptFixture.Run run = fixture.run("removals");
    ScriptOutcome outcome = engine.runHere("""
      var base = 'n'.repeat(300000), refused = null;
      for (var i = 0; i < 20 && !refused; i++) {
        try { botContext.setBotVariable(base + i, null, i % 2 == 0); } catch (e) { refused = String(e); }
      }
      botContext.setBotVariable('refused', refused, true);
      botContext.setBotVariable('gone', 1, true);
      botContext.setBotVariable('gone', null, true);
      """, run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    JsonObject changes = run.bot.changes();
    assertThat(changes.encode().length()).as("variableChanges' size").isLessThan(2 << 20);
    assertThat(run.session.variable("refused")).asString().contains("session.maxBytes");
    assertThat(changes.containsKey("gone")).isTrue();
    assertThat(changes.getValue("gone")).isNull();
  }

  @Test
  void shouldKeepTextsUnderTheBoundWhole() {
    ScriptFixture.Run run = fixture.run("whole");
    String text = "é🙂".repeat(1000);
    ScriptOutcome outcome = engine.runHere("botContext.sendMessage('" + text + "');", run.bot);
    assertThat(outcome.ok()).isTrue();
    JsonObject event = run.transcript.eventsAsJson().getJsonObject(0);
    assertThat(event.getJsonObject("data").getString("text")).isEqualTo(text);
  }

  @Test
  void shouldNeverCutACharacterInHalf() {
    String cut = ScriptText.bounded("a" + "🙂".repeat(ScriptText.MAX_QUOTED), ScriptText.MAX_QUOTED);
    assertThat(cut).startsWith("a" + "🙂".repeat((ScriptText.MAX_QUOTED - 1) / 2) + "…")
      .endsWith("(" + (2 * ScriptText.MAX_QUOTED + 1 - (ScriptText.MAX_QUOTED - 1)) + " characters cut)");
  }
}
