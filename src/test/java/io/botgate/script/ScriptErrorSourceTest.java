package io.botgate.script;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The source lines a script error event carries, so the console shows where it went wrong. */
class ScriptErrorSourceTest {

  @Test
  void shouldKeepTwoLinesOnEachSideOfTheErrorLine() {
    JsonObject source = ScriptRunner.around("a\nb\nc\nd\ne\nf\ng", 4);
    assertThat(source.getInteger("firstLine")).isEqualTo(2);
    assertThat(source.getJsonArray("lines")).isEqualTo(new JsonArray().add("b").add("c").add("d").add("e").add("f"));
  }

  @Test
  void shouldStopAtTheEdgesAndCutVeryLongLines() {
    JsonObject source = ScriptRunner.around("first\r\n" + "y".repeat(500), 1);
    assertThat(source.getInteger("firstLine")).isEqualTo(1);
    assertThat(source.getJsonArray("lines").getString(1)).hasSize(ScriptRunner.SOURCE_LINE_CHARS + 3);
  }

  @Test
  void shouldGiveNothingWhenTheLineIsUnknown() {
    assertThat(ScriptRunner.around("x", 0)).isNull();
    assertThat(ScriptRunner.around("x", 9)).isNull();
  }
}
