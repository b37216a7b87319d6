package io.botgate.integration;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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
    "42");

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

  private static Map<String, Object> document(String body) {
    Object value = Json.decodeValue(body);
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("api_x", value instanceof JsonObject o ? o.getMap() : value instanceof JsonArray a ? a.getList() : value);
    return document;
  }
}
