package io.botgate.integration;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A definition whose URL can never be called, or whose transform script cannot compile, is refused when declared. */
class DefinitionCheckTest {

  private static List<DefinitionException.Problem> problems(JsonObject definition) {
    return catchThrowableOfType(DefinitionException.class, () -> IntegrationDefinition.fromJson(definition, null))
      .problems();
  }

  private static JsonObject definition(String url) {
    return new JsonObject().put("name", "checked").put("method", "GET").put("url", url);
  }

  @Test
  void shouldRefuseARegularExpressionFilterAndMoreFieldsThanTheBound() {
    List<DefinitionException.Problem> regex = problems(definition("http://h/x").put("customDataFields",
      new JsonObject().put("t", "{$.api_checked[?(@.t =~ /(.*a){10}b/)].t}")));
    assertThat(regex).extracting(DefinitionException.Problem::toString).singleElement().asString()
      .contains("customDataFields.t").contains("regular expression (=~)").contains("transformScript");
    JsonObject many = new JsonObject();
    for (int i = 0; i <= IntegrationDefinition.MAX_FIELDS; i++) {
      many.put("f" + i, "{$.api_checked.a" + i + "}");
    }
    assertThat(problems(definition("http://h/x").put("customDataFields", many)))
      .extracting(DefinitionException.Problem::toString).singleElement().asString()
      .contains("at most " + IntegrationDefinition.MAX_FIELDS + " fields, not " + (IntegrationDefinition.MAX_FIELDS + 1));
    many.remove("f0");
    assertThatCode(() -> IntegrationDefinition.fromJson(definition("http://h/x").put("customDataFields", many), null))
      .doesNotThrowAnyException();
  }

  @Test
  void shouldRefuseAUrlThatCannotParseAndSayWhereWithoutRepeatingIt() {
    for (String url : List.of("http://[::1", "http://", "https:///path", "http://host/a b", "http://ho st/",
      "http://user:s3cret@[::1/x", "http://host:{$botContext.port}/a b")) {
      List<DefinitionException.Problem> found = problems(definition(url));
      assertThat(found).as(url).hasSize(1);
      assertThat(found.get(0).field()).isEqualTo("url");
      assertThat(found.get(0).message()).as(url).startsWith("is not a valid URL").doesNotContain("s3cret");
    }
    assertThat(problems(definition("http://[::1")).get(0).message())
      .isEqualTo("is not a valid URL: expected closing bracket for IPv6 address at the end");
    assertThat(problems(definition("http://host/a b")).get(0).message()).endsWith("at character 14");
  }

  @Test
  void shouldRefuseAnotherSchemeQuotingTheUrlWithoutItsUserInfoOrQuery() {
    List<DefinitionException.Problem> found = problems(definition("ftp://user:pw123@host/x?token=SECRETQ&q=1"));
    assertThat(found).hasSize(1);
    assertThat(found.get(0).message()).isEqualTo("'ftp://****@host/x?…' must start with http://, https://, / (this gateway)"
      + " or {$env.name}");
  }

  @Test
  void shouldAcceptUrlsWithPlaceholdersIpv6AndPorts() {
    for (String url : List.of("http://[::1]:8080/x", "https://api.example.com/users/{$botContext.id}/profile?q={$query}",
      "http://{$env.UPSTREAM_HOST}:9000/faq", "{$env.BASE_URL}/faq", "/demo/faq", "http://127.0.0.1:9/nothing",
      "https://example.com/search?q={$botContext.question}&lang=en",
      "http://{$env.USER}:pw@127.0.0.1:{$botContext.port}/x", "http://[::1]:{$env.PORT}/x", "http://h:80{$env.DIGIT}/")) {
      assertThatCode(() -> IntegrationDefinition.fromJson(definition(url), null)).as(url).doesNotThrowAnyException();
    }
  }

  @Test
  void shouldRefuseAWrittenOutPortOutsideTheRangeButLeaveAPlaceholderPortToTheCall() {
    for (String url : List.of("http://93.184.216.34:99999/", "http://h:0/x", "http://[::1]:65536/x",
      "https://user:s3cret@h:123456789012/x")) {
      List<DefinitionException.Problem> found = problems(definition(url));
      assertThat(found).as(url).hasSize(1);
      assertThat(found.get(0).field()).isEqualTo("url");
      assertThat(found.get(0).message()).as(url).contains("a port is a number from 1 to 65535").doesNotContain("s3cret");
    }
    for (String url : List.of("http://h:65535/x", "http://h:1/x", "http://h:00080/x", "http://h:/x",
      "http://h:{$botContext.port}/x", "http://h:9{$botContext.port}/x")) {
      assertThatCode(() -> IntegrationDefinition.fromJson(definition(url), null)).as(url).doesNotThrowAnyException();
    }
  }

  @Test
  void shouldRefuseHeadersThatCanNeverBeSentListingEachWithoutQuotingItsValue() {
    JsonObject headers = new JsonObject().put("X", "a\r\nInjected: yes").put("X\nY", "a").put("Z", "\u0000")
      .put("", "a").put("Authorization", "Bearer X-Secret-9\u0007").put("Transfer-Encoding", "chunked")
      .put("content-length", "3").put("Connection", "close").put("Host", "example.org").put("Has Space", "a");
    List<DefinitionException.Problem> found = problems(definition("https://example.com/x").put("headers", headers));
    assertThat(found).extracting(DefinitionException.Problem::field).containsExactlyInAnyOrder("headers.X",
      "headers.X\\u000aY", "headers.Z", "headers.", "headers.Authorization", "headers.Transfer-Encoding",
      "headers.content-length", "headers.Connection", "headers.Host", "headers.Has Space");
    assertThat(found.toString()).doesNotContain("Injected").doesNotContain("X-Secret-9").doesNotContain("\n")
      .doesNotContain("\u0000");
    assertThat(found).filteredOn(p -> p.field().equals("headers.Authorization")).singleElement()
      .extracting(DefinitionException.Problem::message).asString().contains("U+0007").contains("character 18");
    assertThat(found).filteredOn(p -> p.field().equals("headers.Transfer-Encoding")).singleElement()
      .extracting(DefinitionException.Problem::message).asString().contains("set by the gateway");
  }

  @Test
  void shouldAcceptTheHeadersBotsSend() {
    JsonObject headers = new JsonObject().put("Authorization", "Bearer {$env.TOKEN}").put("X-Api-Key", "k\tv")
      .put("Accept", "application/json").put("X-User", "{$botContext.user}").put("If-None-Match", "\"abc\"")
      .put("x-b3_trace.id!", "caf\u00e9");
    assertThatCode(() -> IntegrationDefinition.fromJson(definition("https://example.com/x").put("headers", headers), null))
      .doesNotThrowAnyException();
  }

  @Test
  void shouldRefuseAQueryParameterWithoutANameWithoutQuotingItsValue() {
    JsonObject query = new JsonObject().put("q", "{$botContext.q}").put("", "literal-key-123");
    List<DefinitionException.Problem> found = problems(definition("https://example.com/x").put("query", query));
    assertThat(found).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("query");
      assertThat(p.message()).contains("empty name").doesNotContain("literal-key-123");
    });
    for (String url : List.of("https://example.com/x?=v", "https://example.com/x?a=1&=v")) {
      assertThat(problems(definition(url))).as(url).singleElement().satisfies(p -> {
        assertThat(p.field()).isEqualTo("url");
        assertThat(p.message()).contains("empty name");
      });
    }
    assertThatCode(() -> IntegrationDefinition.fromJson(definition("https://example.com/x?a==b&c={$botContext.c}"), null))
      .doesNotThrowAnyException();
  }

  /** A definition whose {@code field} nests {@code depth} objects (or arrays) around a placeholder, as JSON text. */
  static String nested(String field, int depth, boolean arrays) {
    String open = arrays ? "[" : "{\"a\":";
    String close = arrays ? "]" : "}";
    return "{\"name\":\"deep\",\"method\":\"POST\",\"url\":\"http://127.0.0.1:9/x\",\"" + field + "\":"
      + open.repeat(depth) + "\"{$botContext.x}\"" + close.repeat(depth) + "}";
  }

  @Test
  void shouldRefuseABodyNestedDeeperThanTheLimitNamingIt() {
    for (int depth : List.of(IntegrationDefinition.MAX_NESTING + 1, 996)) {
      for (boolean arrays : List.of(false, true)) {
        List<DefinitionException.Problem> found = problems(new JsonObject(nested("body", depth, arrays)));
        assertThat(found).as("%d %s", depth, arrays ? "arrays" : "objects").singleElement().satisfies(p -> {
          assertThat(p.field()).isEqualTo("body");
          assertThat(p.message()).contains("more than " + IntegrationDefinition.MAX_NESTING + " levels deep");
        });
      }
    }
    for (boolean arrays : List.of(false, true)) {
      assertThatCode(() -> IntegrationDefinition.fromJson(new JsonObject(nested("body", IntegrationDefinition.MAX_NESTING,
        arrays)), null)).doesNotThrowAnyException();
    }
  }

  @Test
  void shouldRefuseAnyFieldNestedTooDeepOnceAndTheOtherProblemsBeside() {
    JsonObject definition = new JsonObject(nested("url", 500, false)).put("method", "FETCH")
      .put("mocks", new JsonObject(nested("mocks", 200, true)).getJsonArray("mocks"));
    List<DefinitionException.Problem> found = problems(definition);
    assertThat(found).extracting(DefinitionException.Problem::field).containsExactlyInAnyOrder("method", "mocks", "url");
  }

  @Test
  void shouldRefuseATransformScriptThatDoesNotCompileWithLineAndColumn() {
    JsonObject broken = definition("https://example.com/x")
      .put("transformScript", "var data = JSON.parse(botContext.getBotVariable('api_checked').jsonData);\n"
        + "if (data.ok {\n  botContext.setBotVariable('x', 1, true, false);\n}");
    List<DefinitionException.Problem> found = problems(broken);
    assertThat(found).hasSize(1);
    assertThat(found.get(0).field()).isEqualTo("transformScript");
    assertThat(found.get(0).message()).startsWith("syntax error at line 2, column ").contains("missing )");
  }

  @Test
  void shouldAcceptTheTransformScriptsTheEngineRuns() {
    for (String script : List.of("var x = 1;", "for each (var t in [1, 2]) { botContext.printDebugMessage(t); }",
      "let y = [1, 2].map(v => v * 2); const z = `t${y}`;", "")) {
      assertThatCode(() -> IntegrationDefinition.fromJson(definition("https://example.com/x")
        .put("transformScript", script), null)).as(script).doesNotThrowAnyException();
    }
  }

  @Test
  void shouldRefuseADottedNameOnceNotAgainAsTheVariableItNames() {
    List<DefinitionException.Problem> found = problems(definition("https://example.com/x").put("name", "a.b"));
    assertThat(found).extracting(DefinitionException.Problem::field).containsExactly("name");
    assertThat(found.get(0).message()).contains("a dot at position 2");
    List<DefinitionException.Problem> both = problems(definition("https://example.com/x").put("name", "a.b")
      .put("responseDataVariable", "c.d"));
    assertThat(both).extracting(DefinitionException.Problem::field).containsExactly("name", "responseDataVariable");
  }

  @Test
  void shouldTakeADescriptionAsTextOnly() {
    assertThatCode(() -> IntegrationDefinition.fromJson(definition("https://example.com/x")
      .put("description", "what it is for"), null)).doesNotThrowAnyException();
    List<DefinitionException.Problem> found = problems(definition("https://example.com/x")
      .put("description", new JsonObject().put("a", 1)));
    assertThat(found).extracting(DefinitionException.Problem::field).containsExactly("description");
    assertThat(found.get(0).message()).isEqualTo("must be a string");
  }
}
