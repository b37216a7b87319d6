package io.botgate.integration;

import io.botgate.JsonText;
import io.botgate.events.SecretMask;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An answer kept as its text is, to every reader, the object decoding it gives. */
class JsonBodyTest {

  private static final List<String> STRICT = List.of(
    "{\"query\": \"x\", \"results\": [{\"title\": \"caf\\u00e9\", \"n\": 12345678901234567890, \"f\": 1.5e3}], \"none\": null}",
    "\n  {\"a\": {\"b\": [true, false, {}]}, \"c\": []}\t",
    "{}",
    "{\"twice\": 1, \"twice\": 2}");

  @Test
  void shouldKeepAStrictObjectAsTextAndDecodeItAsTheGatewayDoesWhenRead() {
    for (String text : STRICT) {
      Object body = JsonBody.decode(Buffer.buffer(text), null);
      assertThat(body).isInstanceOf(JsonObject.class);
      JsonBody kept = (JsonBody) ((JsonObject) body).getMap();
      assertThat(kept.isDecoded()).isFalse();
      assertThat(body).as(text).isEqualTo(JsonText.decode(Buffer.buffer(text)));
      assertThat(kept.isDecoded()).isTrue();
    }
  }

  @Test
  void shouldBeWrittenAsItsTextUntilReadThenAsItsDecodedForm() {
    String text = "{\"b\": 1.50, \"a\": \"\\u0041\"}";
    JsonObject body = (JsonObject) JsonBody.decode(Buffer.buffer(text), null);
    JsonObject event = new JsonObject().put("json", body);
    assertThat(new String(JsonText.utf8(event), StandardCharsets.UTF_8)).isEqualTo("{\"json\":" + text + "}");
    body.getString("a"); // read: from now on written from the map
    assertThat(new String(JsonText.utf8(event), StandardCharsets.UTF_8)).isEqualTo("{\"json\":{\"b\":1.5,\"a\":\"A\"}}");
  }

  @Test
  void shouldDecodeAnythingButAStrictObjectAtOnceAsTheGatewayDoes() {
    for (String text : List.of("{\"a\": 1 /* a comment */}", "[{\"a\": 1}]", "\"text\"", "7",
      "\uFEFF{\"bom\": true}")) {
      Object body = JsonBody.decode(Buffer.buffer(text), null);
      assertThat(body).as(text).isEqualTo(JsonText.decode(Buffer.buffer(text)));
      assertThat(body instanceof JsonObject o && o.getMap() instanceof JsonBody).as(text).isFalse();
    }
    Buffer utf16 = Buffer.buffer("{\"a\": \"b\"}".getBytes(StandardCharsets.UTF_16LE));
    assertThat(JsonBody.decode(utf16, null)).isEqualTo(JsonText.decode(utf16));
    assertThat(((JsonObject) JsonBody.decode(utf16, null)).getMap()).isNotInstanceOf(JsonBody.class);
  }

  @Test
  void shouldRefuseWhatDecodingRefusesWithTheSameReason() {
    Buffer invalidUtf8 = Buffer.buffer().appendString("{\"a\": \"").appendByte((byte) 0xC3).appendByte((byte) 0x28)
      .appendString("\"}");
    for (Buffer text : List.of(Buffer.buffer("{\"a\": 1"), Buffer.buffer("{\"a\": 1} {}"), Buffer.buffer("{\"a\": tru}"),
      Buffer.buffer("{\"a\": 1e}"), Buffer.buffer("{\"a\": " + "9".repeat(1001) + "}"),
      Buffer.buffer("{\"a\": 0." + "1".repeat(1001) + "}"), invalidUtf8)) {
      String reason = reason(() -> JsonText.decode(text));
      assertThat(reason).as(text.toString()).isNotNull();
      assertThatThrownBy(() -> JsonBody.decode(text, null)).isInstanceOf(DecodeException.class).hasMessage(reason);
    }
  }

  @Test
  void shouldNoteAsItReadsWhetherAMemberTheMaskCallsSecretHasAValue() {
    SecretMask mask = new SecretMask(List.of());
    JsonBody plain = kept("{\"title\": \"x\", \"token\": null, \"n\": {\"apiKey\": null}}", mask);
    JsonBody secret = kept("{\"title\": \"x\", \"nested\": [{\"refresh_token\": {\"v\": 1}}]}", mask);
    assertThat(plain.secretMembers(mask)).isFalse();
    assertThat(secret.secretMembers(mask)).isTrue();
    assertThat(secret.secretMembers(new SecretMask(List.of()))).isNull(); // judged by another mask: unknown
    assertThat(secret.isDecoded()).isFalse();
  }

  @Test
  void shouldDecodeTextThatIsNotStrictlyUtf8SoThatEventsCarryValidUtf8() throws Exception {
    List<byte[]> oddities = List.of(
      new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80}, // CESU-8 surrogates
      new byte[] {(byte) 0xC0, (byte) 0x80}, // overlong NUL
      new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong '/'
      new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
      new byte[] {(byte) 0xF7, (byte) 0xBF, (byte) 0xBF, (byte) 0xBF});
    for (byte[] odd : oddities) {
      Buffer text = Buffer.buffer("{\"a\": \"x").appendBytes(odd).appendString("y\", \"b\": 1}");
      Object expected;
      try {
        expected = JsonText.decode(text);
      } catch (DecodeException e) {
        assertThatThrownBy(() -> JsonBody.decode(text, null)).isInstanceOf(DecodeException.class);
        continue;
      }
      Object body = JsonBody.decode(text, null);
      assertThat(body).isEqualTo(expected);
      assertThat(((JsonObject) body).getMap()).isNotInstanceOf(JsonBody.class);
      byte[] event = JsonText.utf8(new JsonObject().put("jsonData", body));
      assertThat(event).isEqualTo(JsonText.utf8(new JsonObject().put("jsonData", expected)));
      StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(event)); // throws unless strictly UTF-8
    }
  }

  @Test
  void shouldKeepWellFormedUtf8AsText() {
    String text = "{\"a\": \"caf\u00e9 \u20ac \ud83d\ude00 \u07ff \uffff \udbff\udfff\"}";
    JsonBody kept = kept(text, null);
    assertThat(kept.jsonText().getBytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    assertThat(JsonBody.wellFormedUtf8(Buffer.buffer(new byte[] {'{', (byte) 0xE2, (byte) 0x82}))).isFalse();
    assertThat(JsonBody.wellFormedUtf8(Buffer.buffer(new byte[] {(byte) 0x80}))).isFalse();
  }

  @Test
  void shouldKeepTheMembersOrderThroughACopy() {
    String text = "{\"zeta\": 1, \"alpha\": 2, \"mid\": {\"y\": 1, \"b\": 2, \"q\": 3, \"a\": 4}, \"beta\": 3, "
      + "\"omega\": [1], \"gamma\": \"g\", \"kappa\": null, \"delta\": true}";
    String inOrder = new String(JsonText.utf8(JsonText.decode(Buffer.buffer(text))), StandardCharsets.UTF_8);
    JsonObject body = new JsonObject(kept(text, null));
    JsonObject copy = body.copy(); // as a local event-bus publish or a session's variables copy it
    assertThat(copy.getMap()).isInstanceOf(java.util.LinkedHashMap.class);
    assertThat(new String(JsonText.utf8(copy), StandardCharsets.UTF_8)).isEqualTo(inOrder);
    JsonObject event = new JsonObject().put("jsonData", new JsonObject(kept(text, null)));
    assertThat(new String(JsonText.utf8(event.copy()), StandardCharsets.UTF_8)).isEqualTo("{\"jsonData\":" + inOrder + "}");
  }

  @Test
  void shouldLetGoOfItsTextOnceDecodedSoASessionHoldsWhatItIsChargedFor() {
    String text = "{\"a\":1" + " ".repeat(1 << 20) + "}";
    JsonBody kept = kept(text, null);
    assertThat(kept.holdsText()).isTrue();
    long charged = io.botgate.session.HeldBytes.of(new JsonObject(kept)); // reads the tree: decodes it
    assertThat(charged).isLessThan(1_000); // the tree of one member, not the megabyte of text
    assertThat(kept.holdsText()).isFalse();
    assertThat(kept.jsonText()).isNull();
    assertThat(new String(JsonText.utf8(new JsonObject(kept)), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
  }

  @Test
  void shouldDecodeOnceWhenReadFromSeveralThreadsAtOnce() throws Exception {
    StringBuilder text = new StringBuilder("{");
    for (int i = 0; i < 2000; i++) {
      text.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": ").append(i);
    }
    JsonBody kept = kept(text.append('}').toString(), null);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Object>> reads = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        reads.add(pool.submit(() -> {
          go.await();
          kept.put("k1", "written"); // a write any thread made must be seen by all: one map
          return kept.get("k1999");
        }));
      }
      go.countDown();
      for (java.util.concurrent.Future<Object> read : reads) {
        assertThat(read.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1999);
      }
      assertThat(kept.get("k1")).isEqualTo("written");
      assertThat(kept.size()).isEqualTo(2000);
    } finally {
      pool.shutdownNow();
    }
  }

  private static JsonBody kept(String text, SecretMask mask) {
    return (JsonBody) ((JsonObject) JsonBody.decode(Buffer.buffer(text), mask)).getMap();
  }

  private static String reason(Runnable decode) {
    try {
      decode.run();
      return null;
    } catch (DecodeException e) {
      return e.getMessage();
    }
  }
}
