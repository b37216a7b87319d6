package io.botgate.script;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * botContext functions given hostile arguments keep to the bounds the builtins keep to (256 Ki array members here):
 * a sparse array is one line of script whatever its length, and a text was made for each of its holes.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BotContextArgumentsTest extends LimitedEngineTest {

  @ParameterizedTest
  @ValueSource(strings = {"botContext.sendMessages(a);", "botContext.sendMessageWithQuickReplies('Pick one', a);"})
  void shouldRefuseASparseArrayLongerThanTheArrayLimit(String call) {
    ScriptFixture.Run run = fixture.run("sparse-argument");
    ScriptOutcome outcome = engine.runHere("var a = []; a.length = 3e6; " + call, run.bot);
    assertThat(outcome.error()).as("outcome of %s", call).isNotNull();
    assertThat(outcome.error().type()).as("%s: %s", call, outcome.error().message()).isEqualTo("limit");
    assertThat(outcome.error().message()).contains("has length 3000000").contains("262144 elements");
    assertThat(run.transcript.eventsAsJson()).as("events of %s", call).isEmpty();
  }

  @Test
  void shouldStopConvertingTheTextsOfAnArrayAtTheMemoryBudget() {
    ScriptFixture.Run run = fixture.run("sparse-argument");
    ScriptOutcome outcome = engine.runHere("var s = 'x'.repeat(1 << 20);"
      + " botContext.sendMessages(Array(200).fill({toString: String.prototype.toUpperCase.bind(s)}));", run.bot);
    assertThat(outcome.error()).isNotNull();
    assertThat(outcome.error().message()).startsWith("memory limit exceeded");
    assertThat(run.transcript.eventsAsJson()).isEmpty();
  }

  @Test
  void shouldSendTheMessagesOfAnArrayWithinTheLimit() {
    ScriptFixture.Run run = fixture.run("sparse-argument");
    ScriptOutcome outcome = engine.runHere("var a = ['one']; a[2] = 'three'; botContext.sendMessages(a);", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson()).hasSize(3);
  }
}
