package io.botgate.integration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class IntegrationRegistryTest {

  @Test
  void shouldReportEveryProblemOfEveryDefinitionAndLoadNothing() {
    IntegrationRegistry registry = new IntegrationRegistry();
    DefinitionException e = catchThrowableOfType(DefinitionException.class, () -> registry.load("""
      [
        {"name": "good", "method": "GET", "url": "https://api.example.com/faq"},
        {"name": "noUrl", "method": "GET"},
        {"name": "good", "method": "POST", "url": "https://api.example.com/other"},
        {"method": "GET", "url": "https://x.example", "headers": {"X": 1}},
        "not an object"
      ]""", "conf/integrations.json"));
    assertThat(e.getMessage()).startsWith("conf/integrations.json: 5 problems");
    assertThat(e.problems()).extracting(DefinitionException.Problem::toString).containsExactly(
      "noUrl.url: is required: an absolute http(s) URL, or a path such as /demo/faq on this gateway",
      "good.name: is declared twice",
      "?.name: is required (a string)",
      "?.headers.X: must be a string",
      "[4].*: must be a JSON object");
    assertThat(registry.all()).isEmpty();
  }

  @Test
  void shouldExplainAFileThatIsNotJsonSayingWhereItStops() {
    assertThatThrownBy(() -> new IntegrationRegistry().load("[{\"name\": \"a\",\n  \"url\": ", "f.json"))
      .isInstanceOf(DefinitionException.class).hasMessageContaining("f.json").hasMessageContaining("not valid JSON")
      .hasMessageContaining("line 2, column").hasMessageNotContaining("*.*");
    assertThatThrownBy(() -> new IntegrationRegistry().load("{\"name\": \"a\"}", "f.json"))
      .isInstanceOf(DefinitionException.class).hasMessageContaining("must be a JSON array of definitions, not an object");
    assertThatThrownBy(() -> new io.botgate.credentials.CredentialRegistry(null, java.util.Map.of(), null)
      .load("[{\"name\": \"k\", \"type\": \"token\", \"value\": Secret-Unquoted-77}]", "c.json"))
      .hasMessageContaining("c.json").hasMessageContaining("line 1, column").hasMessageNotContaining("Secret");
  }

  @Test
  void shouldLoadValidDefinitionsWithDefaults() {
    IntegrationRegistry registry = new IntegrationRegistry();
    registry.load("[{\"name\": \"a\", \"method\": \"post\", \"url\": \"https://x.example/{$botContext.id}\"}]", "t");
    IntegrationDefinition a = registry.find("a").orElseThrow();
    assertThat(a.apiVariable()).isEqualTo("api_a");
    assertThat(a.isSuccess(200)).isTrue();
    assertThat(a.isSuccess(201)).isTrue();
    assertThat(a.isSuccess(204)).isFalse();
    assertThat(a.mayRetry()).as("POST never retries unless it opts in").isFalse();
    assertThat(a.timeoutMs()).isEqualTo(20_000);
    assertThat(a.capture()).as("a pass-through call keeps no body unless asked").isFalse();
    assertThat(a.toJson().getBoolean("capture")).isFalse();
  }

  @Test
  void shouldAcceptCaptureAsABooleanOnly() {
    IntegrationRegistry registry = new IntegrationRegistry();
    registry.load("[{\"name\": \"c\", \"method\": \"GET\", \"url\": \"https://x.example\", \"capture\": true}]", "t");
    assertThat(registry.find("c").orElseThrow().capture()).isTrue();
    DefinitionException e = catchThrowableOfType(DefinitionException.class, () -> new IntegrationRegistry().load(
      "[{\"name\": \"c\", \"method\": \"GET\", \"url\": \"https://x.example\", \"capture\": \"yes\"}]", "t"));
    assertThat(e.problems()).extracting(DefinitionException.Problem::toString)
      .containsExactly("c.capture: must be true or false");
  }
}
