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
  void shouldAcceptUrlsWithPlaceholdersIpv6AndPorts() {
    for (String url : List.of("http://[::1]:8080/x", "https://api.example.com/users/{$botContext.id}/profile?q={$query}",
      "http://{$env.UPSTREAM_HOST}:9000/faq", "{$env.BASE_URL}/faq", "/demo/faq", "http://127.0.0.1:9/nothing",
      "https://example.com/search?q={$botContext.question}&lang=en",
      "http://{$env.USER}:pw@127.0.0.1:{$botContext.port}/x", "http://[::1]:{$env.PORT}/x", "http://h:80{$env.DIGIT}/")) {
      assertThatCode(() -> IntegrationDefinition.fromJson(definition(url), null)).as(url).doesNotThrowAnyException();
    }
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
    assertThat(found.get(0).message()).contains("no dots");
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
