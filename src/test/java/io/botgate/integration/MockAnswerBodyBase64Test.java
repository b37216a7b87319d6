package io.botgate.integration;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mock's {@code bodyBase64} is Base64 or refused: a text that is not (a body written in the wrong field, a typo) is
 * named as a problem rather than replayed as whatever bytes a lenient decoder makes of its letters. A JSON body is
 * encoded once.
 */
class MockAnswerBodyBase64Test {

  private static List<String> problems(String base64) {
    List<String> problems = new ArrayList<>();
    MockAnswer.readAll(new JsonArray().add(new JsonObject().put("bodyBase64", base64)), "mocks",
      (field, message) -> problems.add(field + ": " + message));
    return problems;
  }

  @Test
  void shouldRefuseTextThatIsNotBase64EvenWhenItsLettersWouldDecode() {
    // a MIME decoder skips what is not of the alphabet: "{\"x\":1}" gave 1 byte, "hello world!" 7
    assertThat(problems("{\"x\":1}")).singleElement().asString().startsWith("mocks[0].bodyBase64: is not Base64");
    assertThat(problems("hello world!")).singleElement().asString().startsWith("mocks[0].bodyBase64: is not Base64");
  }

  @Test
  void shouldReadBase64WithLineBreaksAndPadding() {
    List<MockAnswer> mocks = MockAnswer.readAll(new JsonArray().add(new JsonObject().put("bodyBase64", "AAEC\r\n/w==\n")),
      "mocks", (field, message) -> {
        throw new AssertionError(field + ": " + message);
      });
    assertThat(mocks.get(0).bodyBuffer()).isEqualTo(Buffer.buffer(new byte[] {0, 1, 2, (byte) 0xFF}));
  }

  /** A JSON body is encoded at its first answer and kept: encoding a 5 MB body on every answer held the event loop. */
  @Test
  void shouldEncodeAJsonBodyOnceAndGiveEachAnswerItsOwnBytes() {
    JsonObject body = new JsonObject().put("items", new JsonArray().add(new JsonObject().put("title", "é")));
    MockAnswer mock = MockAnswer.readAll(new JsonArray().add(new JsonObject().put("body", body)), "mocks",
      (field, message) -> {
        throw new AssertionError(field + ": " + message);
      }).get(0);

    Buffer first = mock.bodyBuffer();
    // never done to a mock (a changed mock is a new one): only to see whether the second answer encodes it again
    body.put("encodedAgain", true);
    first.setByte(0, (byte) ' ');
    Buffer second = mock.bodyBuffer();

    assertThat(second.toJsonObject()).as("the encoding of the first answer").isEqualTo(new JsonObject()
      .put("items", new JsonArray().add(new JsonObject().put("title", "é"))));
    assertThat(second.getByte(0)).as("an answer's bytes are its own").isEqualTo((byte) '{');
  }
}
