package io.botgate;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTextTest {

  /**
   * Member names are the caller's (a request's variables, an upstream's answer): not interned into the JVM's string
   * table, which for 20,000 distinct names of one execute body was a third of its decoding on the event loop.
   */
  @Test
  void shouldNotInternTheMemberNamesItDecodes() {
    String name = "a name only this test decodes";
    String pooled = new String(name).intern(); // the pool's instance: what an interned name would be
    Object decoded = JsonText.decode(Buffer.buffer("{\"" + name + "\": {\"" + name + "\": 1}}"));

    String outer = ((JsonObject) decoded).fieldNames().iterator().next();
    String inner = ((JsonObject) decoded).getJsonObject(name).fieldNames().iterator().next();
    assertThat(outer).isEqualTo(name).isNotSameAs(pooled);
    assertThat(inner).isEqualTo(name).isNotSameAs(pooled);
  }

  @Test
  void shouldMakeOneStringOfTextsAroundABuffersUtf8() {
    for (String middle : List.of("", "{\"a\": [1, 2]}", "caf\u00e9 \u2713 \ud83d\ude00", "x".repeat(70_000))) {
      assertThat(JsonText.text("{\"api_x\":", Buffer.buffer(middle), "}")).isEqualTo("{\"api_x\":" + middle + "}");
    }
  }

  /** Fields written one by one come out as the same object built and encoded whole would. */
  @Test
  void shouldWriteALoneSurrogateAsItsEscapeOnlyForWhatIsKeptAndReadItBackAsTheSameCharacter() {
    JsonObject value = new JsonObject().put("a\uD800", new JsonArray().add("x\uDFFFy").add("\ud83d\ude00"));
    assertThat(new String(JsonText.utf8(value), StandardCharsets.UTF_8)).as("shown")
      .isEqualTo("{\"a?\":[\"x?y\",\"\ud83d\ude00\"]}");
    byte[] kept = JsonText.utf8Exact(value);
    assertThat(new String(kept, StandardCharsets.UTF_8)).isEqualTo("{\"a\\uD800\":[\"x\\uDFFFy\",\"\ud83d\ude00\"]}");
    assertThat(JsonText.decode(kept)).isEqualTo(value);
    assertThat(new String(JsonText.utf8(value), StandardCharsets.UTF_8)).as("the next document is shown again")
      .isEqualTo("{\"a?\":[\"x?y\",\"\ud83d\ude00\"]}");
  }

  @Test
  void shouldWriteFieldsAsTheObjectWithThoseEntries() {
    JsonText.Key seq = JsonText.key("seq");
    JsonText.Key text = JsonText.key("te\"xt");
    JsonText.Key ts = JsonText.key("ts");
    JsonText.Key data = JsonText.key("data");
    JsonObject nested = new JsonObject().put("quote", "say \"hi\"").put("n", 1).putNull("none");
    String long1 = "x".repeat(20_000) + "é\n"; // past the characters the scratch buffer keeps
    for (long n : new long[] {0, 7, 10, 99, 1_234_567_890_123L, 999_999_999_999_999_999L, Long.MAX_VALUE, -1,
      Long.MIN_VALUE}) {
      for (String value : Arrays.asList("plain", "a\nb\u0001 café ✓ 😀 \ud800", "", null, long1)) {
        for (long millis : new long[] {0, 1_795_000_000_007L, 1_795_000_000_040L, 1_795_000_000_999L}) {
          byte[] written = JsonText.fields().number(seq, n).string(text, value).timestamp(ts, millis)
            .value(data, nested).done();
          JsonObject whole = new JsonObject().put("seq", n).put("te\"xt", value).put("ts", Timestamps.iso(millis))
            .put("data", nested);
          assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(text(whole));
        }
      }
    }
    assertThat(new String(JsonText.fields().done(), StandardCharsets.UTF_8)).isEqualTo("{}");
  }

  /** Members written into the document that holds them, at any depth, come out as the objects built whole. */
  @Test
  void shouldWriteMembersWhereTheyStandAsTheObjectWithThoseEntries() {
    JsonText.Key name = JsonText.key("na\"me");
    JsonText.Key inner = JsonText.key("inner");
    JsonText.Key list = JsonText.key("list");
    String long1 = "y".repeat(70_000) + "é"; // grows the scratch buffer while the outer document is in it
    for (String value : Arrays.asList("plain", "a\nb café 😀", null, long1)) {
      JsonText.Members leaf = fields -> fields.string(name, value).number(JsonText.key("n"), 3);
      JsonText.Members middle = fields -> fields.value(inner, leaf).value(list, List.of(leaf, "x"))
        .value(JsonText.key("empty"), (JsonText.Members) f -> { });
      byte[] written = JsonText.fields().string(name, "outer").value(inner, middle).done();
      JsonObject leafWhole = new JsonObject().put("na\"me", value).put("n", 3);
      JsonObject whole = new JsonObject().put("na\"me", "outer").put("inner", new JsonObject().put("inner", leafWhole)
        .put("list", new JsonArray().add(leafWhole).add("x")).put("empty", new JsonObject()));
      assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(text(whole));
      assertThat(new String(JsonText.utf8(middle), StandardCharsets.UTF_8)).isEqualTo(text(whole.getJsonObject("inner")));
    }
  }

  /** A document started while members are written gets a buffer of its own: neither document is torn. */
  @Test
  void shouldKeepADocumentStartedInsideMembersApart() {
    JsonText.Key inner = JsonText.key("inner");
    JsonText.Key side = JsonText.key("side");
    List<String> sides = new ArrayList<>();
    JsonText.Members members = fields -> {
      fields.string(inner, "before");
      sides.add(new String(JsonText.utf8(new JsonObject().put("x", "y".repeat(5000))), StandardCharsets.UTF_8));
      sides.add(new String(JsonText.fields().number(JsonText.key("n"), 1).done(), StandardCharsets.UTF_8));
      fields.string(side, "after");
    };
    byte[] written = JsonText.fields().string(JsonText.key("outer"), "o").value(JsonText.key("data"), members)
      .number(JsonText.key("last"), 2).done();
    assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(text(new JsonObject().put("outer", "o")
      .put("data", new JsonObject().put("inner", "before").put("side", "after")).put("last", 2)));
    assertThat(sides).containsExactly(text(new JsonObject().put("x", "y".repeat(5000))), "{\"n\":1}");
    // and the thread's buffer serves the next document as before
    assertThat(new String(JsonText.fields().number(JsonText.key("k"), 3).done(), StandardCharsets.UTF_8))
      .isEqualTo("{\"k\":3}");
  }

  @Test
  void shouldWriteFieldsEncodedOnceAsIfWrittenOneByOne() {
    JsonText.Key kind = JsonText.key("kind");
    for (String value : Arrays.asList("plain", "a\nb\u0001 café ✓ 😀 \ud800", "", null)) {
      byte[] once = JsonText.detachedFields().string(kind, value).string(JsonText.key("le\"vel"), "debug").inner();
      byte[] first = JsonText.fields().encoded(once).number(JsonText.key("seq"), 7).done();
      byte[] between = JsonText.fields().number(JsonText.key("seq"), 7).encoded(once).string(JsonText.key("text"), value)
        .done();
      assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo(text(new JsonObject().put("kind", value)
        .put("le\"vel", "debug").put("seq", 7)));
      assertThat(new String(between, StandardCharsets.UTF_8)).isEqualTo(text(new JsonObject().put("seq", 7)
        .put("kind", value).put("le\"vel", "debug").put("text", value)));
    }
  }

  @Test
  void shouldWriteWhatJacksonWrites() {
    JsonObject nested = new JsonObject()
      .put("quote", "say \"hi\"").put("backslash", "C:\\temp").put("controls", "a\nb\rc\td\be\ff\u0001\u001f")
      .put("unicode", "café ✓ 😀").put("slash", "</script>").put("empty", "")
      .put("int", 42).put("long", 1L << 40).put("negative", -7).put("double", 2.5).put("float", 1.25f)
      .put("big", new BigDecimal("1234567890.123456789")).put("true", true).put("false", false).putNull("null")
      .put("list", Arrays.asList(1, "two", null, List.of(3))).put("map", Map.of("k", "v"))
      .put("array", new JsonArray().add(new JsonObject().put("x", 1)).addNull())
      .put("instant", Instant.parse("2026-11-28T09:15:02.040Z"));
    for (Object value : List.of(nested, new JsonArray().add(nested).add("x"), "plain", 1, true)) {
      assertThat(text(value)).isEqualTo(Json.encode(value));
      // as UTF-8 bytes: the same text (Jackson's byte writer escapes characters outside the BMP; both are JSON)
      assertThat(JsonText.toBuffer(value).toString(StandardCharsets.UTF_8)).isEqualTo(Json.encode(value));
    }
  }

  @Test
  void shouldSpliceTextThatIsJsonAlready() {
    JsonObject answer = new JsonObject().put("events", new JsonText.RawArray(List.of(utf8("{\"seq\":1}"), utf8("{\"seq\": \"é\"}"))))
      .put("none", new JsonText.RawArray(List.of()));
    assertThat(new JsonObject(text(answer))).isEqualTo(new JsonObject()
      .put("events", new JsonArray().add(new JsonObject().put("seq", 1)).add(new JsonObject().put("seq", "é")))
      .put("none", new JsonArray()));
  }

  @Test
  void shouldWriteLargeDocumentsAndEveryUtf8Length() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      text.append("a\u00e9\u2713\uD83D\uDE00\n\"".charAt(i % 7)); // 1-, 2-, 3- and 4-byte characters, escapes
    }
    JsonObject large = new JsonObject().put("text", text.toString()).put("again", text.toString());
    assertThat(text(large)).isEqualTo(Json.encode(large));
    assertThat(JsonText.utf8(large)).isEqualTo(Json.encode(large).getBytes(StandardCharsets.UTF_8));
    assertThat(text("short")).isEqualTo("\"short\""); // the scratch buffer is fine after growing
  }

  @Test
  void shouldWriteALoneSurrogateAsAQuestionMarkAsStringGetBytesDoes() {
    assertThat(text("a\uD83Db")).isEqualTo("\"a?b\"");
    assertThat(text("\uDE00")).isEqualTo("\"?\"");
  }

  @Test
  void shouldDecodeWhatVertxDecodes() {
    for (String text : List.of("{\"a\":[1,2.5,\"x\",null,true,{\"b\":{}}],\"c\":\"caf\u00e9 \\u2713\"}", "[1,[2]]",
      "\"text\"", "42", "null", "/* a comment */ {\"a\": 1} // and another")) {
      Buffer buffer = Buffer.buffer(text);
      assertThat(JsonText.decode(buffer)).isEqualTo(Json.decodeValue(buffer));
    }
    Buffer slice = Buffer.buffer("xx{\"k\":\"v\"}yy").slice(2, 11); // bytes that do not start the array
    assertThat(JsonText.decode(slice)).isEqualTo(new JsonObject().put("k", "v"));
    for (String bad : List.of("{\"a\":", "{} {}", "nope", "")) {
      assertThatThrownBy(() -> JsonText.decode(Buffer.buffer(bad))).isInstanceOf(DecodeException.class);
    }
  }

  @Test
  void shouldSayWhatLimitADocumentPassedWithoutNamingTheLibrarysSetting() {
    String deep = "{\"a\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
    assertThatThrownBy(() -> JsonText.decode(Buffer.buffer(deep))).isInstanceOf(DecodeException.class)
      .hasMessageContaining("nesting depth").hasMessageContaining("(1000)").hasMessageNotContaining("StreamReadConstraints");
  }

  /** JsonText's output as a string, to compare with Jackson's. */
  private static String text(Object value) {
    return new String(JsonText.utf8(value), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldFormatTimestampsWithThreeDigitsOfMilliseconds() {
    DateTimeFormatter expected = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    long start = Instant.parse("2026-11-28T23:59:58.990Z").toEpochMilli();
    for (long millis = start; millis < start + 2_100; millis += 7) {
      assertThat(Timestamps.iso(millis)).isEqualTo(expected.format(Instant.ofEpochMilli(millis)));
    }
    assertThat(Timestamps.iso(0)).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(Timestamps.iso(Instant.parse("2026-11-28T09:15:02Z").toEpochMilli())).isEqualTo("2026-11-28T09:15:02.000Z");
  }

  @Test
  void shouldSayWhereAValueHoldsALoneSurrogateInAStringOrAMembersName() {
    assertThat(JsonText.loneSurrogate("a\ud800")).isEmpty();
    assertThat(JsonText.loneSurrogate(new JsonObject().put("a", new JsonArray().add(1).add("x\udc00")))).isEqualTo("a[1]");
    assertThat(JsonText.loneSurrogate(Map.of("h", Map.of("k", List.of(Map.of("\ud800", 1))))))
      .isEqualTo("a member's name under h.k[0]");
    assertThat(JsonText.loneSurrogate(new JsonObject().put("\udc00", 1))).isEqualTo("a member's name");
    assertThat(JsonText.loneSurrogate(new JsonObject().put("smile", "\ud83d\ude00").put("n", 1))).isNull();
  }
}
