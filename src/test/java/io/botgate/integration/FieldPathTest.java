package io.botgate.integration;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The direct walk of plain paths must always give Jayway's answer. */
class FieldPathTest {

  private static final List<String> BODIES = List.of(
    "{\"results\": [{\"title\": \"a\", \"id\": 1}, {\"title\": \"b\", \"id\": 2}], \"total\": 2}",
    "{\"results\": [{\"title\": \"a\"}, {\"id\": 2}, {\"title\": null}, {\"title\": [\"x\", \"y\"]}]}",
    "{\"results\": []}",
    "{\"results\": null, \"total\": null}",
    "{\"results\": {\"title\": \"not a list\"}}",
    "{\"results\": [[{\"title\": \"nested\"}], [{\"title\": \"lists\"}]]}",
    "{\"results\": [\"plain\", 3, true]}",
    "{\"a\": {\"b\": {\"c\": \"deep\"}}, \"results\": \"text\"}",
    "{}",
    "[{\"title\": \"top-level array\"}]",
    "\"just text\"",
    "42",
    "{\"results\": [{\"title\": \"first\", \"title\": \"twice\"}]}",
    "{\"results\": [{\"title\": \"caf\\u00e9 \u00fc \\\"q\\\"\", \"id\": 12345678901234567890}, {\"title\": 1.5e3, \"id\": -0.25}]}",
    "  {\"total\": 3, \"results\": [{\"title\": false}, {\"title\": {\"deep\": 1}}]}\n");

  private static final List<String> PATHS = List.of(
    "{$.api_x.total}", "{$.api_x.results}", "{$.api_x.results[i]}", "{$.api_x.results[i].title}",
    "{$.api_x.results[i].id}", "{$.api_x.results[i][i].title}", "{$.api_x.a.b.c}", "{$.api_x.a.b}",
    "{$.api_x.a.missing.c}", "{$.api_x.missing}", "{$.api_x}", "{$.api_x[i].title}",
    "{$.api_x.results[0].title}", "{$.api_x.results[?(@.id > 1)].title}", "{$.api_x..title}");

  @Test
  void shouldAnswerAsJaywayForEveryBodyAndPath() {
    for (String body : BODIES) {
      for (String source : PATHS) {
        FieldPath path = FieldPath.parse(source, "api_x");
        Map<String, Object> document = document(body);
        assertThat(path.evaluate(document)).as("%s on %s", source, body)
          .isEqualTo(path.evaluateWithJayway(document(body)));
      }
    }
  }

  @Test
  void shouldGiveTheValuesAndCountsOfAPlainPath() {
    FieldPath path = FieldPath.parse("{$.api_x.results[i].title}", "api_x");
    Object titles = path.evaluate(document(BODIES.get(0)));
    assertThat(titles).isEqualTo(new JsonArray().add("a").add("b"));
    assertThat(FieldPath.count(titles)).isEqualTo(2);
    assertThat(FieldPath.count(path.evaluate(document(BODIES.get(2))))).isZero();
  }

  @Test
  void shouldAnswerOverAnAnswerKeptAsTextAsOverItsDecodedTree() {
    for (String body : BODIES) {
      for (String source : PATHS) {
        FieldPath path = FieldPath.parse(source, "api_x");
        assertThat(path.evaluate(kept(body))).as("%s on %s", source, body)
          .isEqualTo(path.evaluateWithJayway(document(body)));
      }
    }
  }

  @Test
  void shouldScanAPlainPathToScalarsWithoutDecodingTheAnswer() {
    Map<String, Object> document = kept(BODIES.get(0));
    Object titles = FieldPath.parse("{$.api_x.results[i].title}", "api_x").evaluate(document);
    Object total = FieldPath.parse("{$.api_x.total}", "api_x").evaluate(document);
    assertThat(titles).isEqualTo(new JsonArray().add("a").add("b"));
    assertThat(total).isEqualTo(2);
    assertThat(((JsonBody) document.get("api_x")).isDecoded()).isFalse();
  }

  @Test
  void shouldDecodeALargeAnswerOnceRatherThanScanItForEveryField() {
    StringBuilder big = new StringBuilder("{\"total\": 3, \"results\": [");
    for (int i = 0; big.length() <= JsonBody.SCAN_LIMIT; i++) {
      big.append(i == 0 ? "" : ", ").append("{\"title\": \"t").append(i).append("\", \"n\": ").append(i).append('}');
    }
    String body = big.append("], \"tail\": \"end\"}").toString();
    Map<String, Object> document = kept(body);
    for (String source : List.of("{$.api_x.total}", "{$.api_x.results[i].title}", "{$.api_x.results[i].n}",
      "{$.api_x.tail}")) { // all found by a scan of a small text
      FieldPath path = FieldPath.parse(source, "api_x");
      assertThat(path.evaluate(document)).as(source).isEqualTo(path.evaluateWithJayway(document(body)));
    }
    assertThat(((JsonBody) document.get("api_x")).isDecoded()).isTrue();
  }

  @Test
  void shouldRefuseABracketLeftOpenOrClosedTwiceNamingWhere() {
    // Jayway reads "$.api_x.results[" as "$.api_x.results": a typo mapped the whole list rather than being named
    for (String source : List.of("{$.api_x[}", "{$.api_x.results[}", "{$.api_x.results[0}", "{$.api_x.results]}",
      "{$.api_x.results[?(@.t == 'a')}")) {
      assertThatThrownBy(() -> FieldPath.parse(source, "api_x")).as(source)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a valid path")
        .hasMessageMatching("(?s).*the '[\\[\\]]' after '\\$\\.api_x[^']*' (is not closed|closes no '\\[').*");
    }
    assertThatThrownBy(() -> FieldPath.parse("{$.api_x.results[i.title}", "api_x"))
      .hasMessageEndingWith("the '[' after '$.api_x.results' is not closed");
    // brackets inside quoted names and filter strings are the name's or the string's own
    for (String source : List.of("{$.api_x['a[b'].c}", "{$.api_x.results[?(@.t == ']')].id}",
      "{$.api_x[\"x]\"]}", "{$.api_x.results[i][i].title}")) {
      assertThat(FieldPath.parse(source, "api_x").source()).isEqualTo(source);
    }
  }

  @Test
  void shouldGiveEachEvaluationItsOwnDocumentsValuesWhenAFunctionTakesAPath() throws Exception {
    // Jayway keeps a function's path parameters, evaluated, in the compiled path (json-path/JsonPath#975): two
    // event loops mapping one integration's field for two sessions at once got each other's values
    FieldPath path = FieldPath.parse("{$.api_x.concat($.api_x.user, $.api_x.user)}", "api_x");
    int threads = 4;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<List<String>>> runs = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String user = "user" + t;
        runs.add(pool.submit(() -> {
          List<String> wrong = new java.util.ArrayList<>();
          Map<String, Object> document = document("{\"user\": \"" + user + "\"}");
          for (int i = 0; i < 20_000 && wrong.size() < 3; i++) {
            Object value = path.evaluate(document);
            if (!(user + user).equals(value)) {
              wrong.add(user + " got " + value);
            }
          }
          return wrong;
        }));
      }
      for (java.util.concurrent.Future<List<String>> run : runs) {
        assertThat(run.get()).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldRefuseAFieldThatNamesTheAnswerMoreOftenThanItsBound() {
    String six = "{$.api_x.concat($.api_x.s, $.api_x.s, $.api_x.s, $.api_x.s, $.api_x.s)}";
    assertThatThrownBy(() -> FieldPath.parse(six, "api_x")).isInstanceOf(IllegalArgumentException.class)
      .hasMessage("'" + six + "' names the answer ($) 6 times; at most 5 (each path a function takes holds its value "
        + "whole): combine values in the transformScript");
    // five, and a '$' in a quoted name or string is text, not the answer
    assertThat(FieldPath.parse("{$.api_x.concat($.api_x.s, $.api_x.s, $.api_x.s, $.api_x['$'])}", "api_x")
      .evaluate(document("{\"s\": \"a\", \"$\": \"b\"}"))).isEqualTo("aaab");
    assertThat(FieldPath.parse("{$.api_x.results[?(@.t == '$$$$$$')].id}", "api_x")
      .evaluate(document("{\"results\": [{\"t\": \"$$$$$$\", \"id\": 7}]}"))).isEqualTo(new JsonArray().add(7));

    // '@' as a function's parameter reads the answer from its root as '$' does: counted the same
    String viaCurrent = "{$.api_x.concat(@.api_x.s, @.api_x.s, @.api_x.s, @.api_x.s, @.api_x.s)}";
    assertThatThrownBy(() -> FieldPath.parse(viaCurrent, "api_x")).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("names the answer ($) 6 times");
    // a filter's '@' is the element filtered, however many conditions name it
    assertThat(FieldPath.parse("{$.api_x.results[?(@.a == 1 && @.b == 2 && @.c == 3 && @.d == 4 && @.e == 5 && @.f == 6)].id}",
      "api_x").evaluate(document("{\"results\": [{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4, \"e\": 5, \"f\": 6, \"id\": 8}]}")))
      .isEqualTo(new JsonArray().add(8));
  }

  @Test
  void shouldRefuseADeepScanInAFunctionsParameters() {
    // concat writes every match out as text, each holding the matches below it: over 900 nested objects around
    // 1 MB that was 900 MB and more, until the heap was gone
    for (String scan : List.of("{$.api_x.concat($.api_x..*)}", "{$.api_x.concat('a', $..a)}", "{$.api_x.sum($.api_x..n)}")) {
      assertThatThrownBy(() -> FieldPath.parse(scan, "api_x")).as(scan).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + scan + "' scans the answer (..) inside a function's parameters");
    }
    // a scan the function applies to, a '..' in a string, and a filter's parentheses are not in its parameters
    assertThat(FieldPath.parse("{$.api_x..results.length()}", "api_x").source()).contains("..");
    assertThat(FieldPath.parse("{$.api_x.concat($.api_x.s, '..')}", "api_x").source()).contains("'..'");
    assertThat(FieldPath.parse("{$.api_x..results[?(@.id > 1)].title}", "api_x").source()).contains("..");
  }

  @Test
  void shouldKeepNoAnswerInThePathOnceEvaluated() throws InterruptedException {
    FieldPath path = FieldPath.parse("{$.api_x.concat($.api_x.text, $.api_x.text)}", "api_x");
    Map<String, Object> document = document("{\"text\": \"" + "a".repeat(1000) + "\"}");
    assertThat(path.evaluate(document)).isEqualTo("a".repeat(2000));
    // the answer's text: what Jayway keeps of it, the values of a function's path parameters
    java.lang.ref.WeakReference<Object> answer = new java.lang.ref.WeakReference<>(((Map<?, ?>) document.get("api_x")).get("text"));
    document = null;
    for (int i = 0; i < 50 && answer.get() != null; i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertThat(answer.get()).as("the answer's text, once its field is mapped, held by the path every execution shares")
      .isNull();
  }

  /** As the executor gives a path an answer: over a {@link JsonBody} when it is a strict JSON object. */
  private static Map<String, Object> kept(String body) {
    Object value = JsonBody.decode(Buffer.buffer(body), null);
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("api_x", value instanceof JsonObject o ? o.getMap() : value instanceof JsonArray a ? a.getList() : value);
    return document;
  }

  private static Map<String, Object> document(String body) {
    Object value = Json.decodeValue(body);
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("api_x", value instanceof JsonObject o ? o.getMap() : value instanceof JsonArray a ? a.getList() : value);
    return document;
  }
}
