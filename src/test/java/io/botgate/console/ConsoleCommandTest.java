package io.botgate.console;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading console frames: every malformed one is refused whole, saying what was wrong where. */
class ConsoleCommandTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
    not json                                                        | the frame is not a JSON object: Unrecognized token 'not'
    ``                                                              | the frame is not a JSON object
    [1,2]                                                           | the frame is not a JSON object
    null                                                            | the frame is not a JSON object
    {"op":"ping"                                                    | the frame is not a JSON object
    {"session":"x"}                                                 | a frame needs "op"
    {"op":5}                                                        | "op" must be a string (subscribe, unsubscribe or ping), got 5
    {"op":{"a":1}}                                                  | "op" must be a string (subscribe, unsubscribe or ping), got an object
    {"op":"fly"}                                                    | unknown op 'fly'
    {"op":"subscribe"}                                              | "session" is required
    {"op":"subscribe","session":5}                                  | "session" must be a string (a session id, or "*" for every session), got 5
    {"op":"subscribe","session":["a"]}                              | "session" must be a string (a session id, or "*" for every session), got an array
    {"op":"unsubscribe","session":true}                             | "session" must be a string (a session id, or "*" for every session), got true
    {"op":"subscribe","session":"  "}                               | "session" must not be blank
    {"op":"subscribe","session":"inj\\nERROR forged"}                 | "session": a session id may not hold control characters (U+000A at position 4)
    {"op":"unsubscribe","session":"a\\u0000"}                        | "session": a session id may not hold control characters (U+0000 at position 2)
    {"op":"subscribe","session":"x","after":"yesterday"}            | "after" must be a sequence number, or for "*" an object of session to sequence number, got "yesterday"
    {"op":"subscribe","session":"x","after":[1]}                    | "after" must be a sequence number, or for "*" an object of session to sequence number, got an array
    {"op":"subscribe","session":"x","after":{"x":1}}                | "after" must be a sequence number for one session (an object of session to sequence number is for "*"), got an object
    {"op":"subscribe","session":"*","after":{"sb":"x"}}             | "after"."sb" must be a whole number from 0 up (a sequence number), got "x"
    {"op":"subscribe","session":"*","after":{"a":1,"sb":{"c":2}}}   | "after"."sb" must be a whole number from 0 up (a sequence number), got an object
    {"op":"subscribe","session":"*","after":{"sb":null}}            | "after"."sb" must be a whole number from 0 up (a sequence number), got null
    {"op":"subscribe","session":"*","after":{"sb":-1}}              | "after"."sb" must be a whole number from 0 up (a sequence number), got -1
    {"op":"subscribe","session":"*","after":1.5}                    | "after" must be a whole number from 0 up (a sequence number), got 1.5
    {"op":"subscribe","session":"*","after":-3}                     | "after" must be a whole number from 0 up (a sequence number), got -3
    {"op":"subscribe","session":"*","after":1e400}                  | "after" must be a whole number from 0 up
    {"op":"subscribe","session":"*","after":99999999999999999999}   | "after" must be a whole number from 0 up (a sequence number), got 99999999999999999999
    """)
  void shouldRefuseAMalformedFrameSayingWhatIsWrongWhere(String frame, String message) {
    assertThatThrownBy(() -> ConsoleCommand.parse(frame)).isInstanceOf(ConsoleCommand.Invalid.class)
      .hasMessageContaining(message);
  }

  @Test
  void shouldRefuseDeeplyNestedJsonWithoutFailingTheParser() {
    String nested = "{\"op\":\"ping\",\"x\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
    assertThatThrownBy(() -> ConsoleCommand.parse(nested)).isInstanceOf(ConsoleCommand.Invalid.class)
      .hasMessageContaining("the frame is not a JSON object").hasMessageContaining("depth");
  }

  @Test
  void shouldQuoteTheClientsTextShortenedAndNeverWhole() {
    String longSession = "s".repeat(5_000);
    assertThatThrownBy(() -> ConsoleCommand.parse("{\"op\":\"" + longSession + "\"}"))
      .hasMessageNotContaining(longSession).hasMessageContaining("unknown op 'sss");
    assertThatThrownBy(() -> ConsoleCommand.parse("{\"op\":\"subscribe\",\"session\":\"" + longSession + "\"}"))
      .hasMessageContaining("longer than 200 characters");
  }

  @Test
  void shouldReadValidFrames() throws Exception {
    assertThat(ConsoleCommand.parse("{\"op\":\"ping\"}").op()).isEqualTo("ping");
    ConsoleCommand one = ConsoleCommand.parse("{\"op\":\"subscribe\",\"session\":\"s1\",\"after\":12}");
    assertThat(one.after("s1")).isEqualTo(12);
    assertThat(ConsoleCommand.parse("{\"op\":\"subscribe\",\"session\":\"s1\",\"after\":12.0}").after("s1")).isEqualTo(12);
    ConsoleCommand all = ConsoleCommand.parse("{\"op\":\"subscribe\",\"session\":\"*\",\"after\":{\"a\":3,\"b\":0}}");
    assertThat(all.afterBySession()).isEqualTo(Map.of("a", 3L, "b", 0L));
    assertThat(all.after("c")).isZero();
    assertThat(ConsoleCommand.parse("{\"op\":\"subscribe\",\"session\":\"s\"}").after("s")).isZero();
    assertThat(ConsoleCommand.parse("{\"op\":\"unsubscribe\",\"session\":\"s\",\"after\":\"ignored\"}").session()).isEqualTo("s");
  }
}
