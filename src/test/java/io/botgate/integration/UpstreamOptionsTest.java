package io.botgate.integration;

import io.botgate.GatewayConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The upstream settings as read from the configuration: modes, rewrite rules, and their mistakes. */
class UpstreamOptionsTest {

  @Test
  void shouldRewriteByTheLongestMatchingPrefix() {
    UpstreamOptions options = UpstreamOptions.of("live", "conf/mocks", new JsonObject()
      .put("https://api.example.com", "http://127.0.0.1:9000")
      .put("https://api.example.com/v2", "http://127.0.0.1:9002/v2"));
    assertThat(options.rewrite("https://api.example.com/v1/faq")).isEqualTo("http://127.0.0.1:9000/v1/faq");
    assertThat(options.rewrite("https://api.example.com/v2/faq?q=1")).isEqualTo("http://127.0.0.1:9002/v2/faq?q=1");
    assertThat(options.rewrite("https://other.example.com/")).isEqualTo("https://other.example.com/");
  }

  @Test
  void shouldRefuseAModeThatIsNoneOfTheThree() {
    assertThatThrownBy(() -> UpstreamOptions.of("replay", null, null))
      .hasMessageContaining("upstream.mode").hasMessageContaining("live, mock, record");
    assertThat(UpstreamOptions.of("MOCK", null, null).mode()).isEqualTo(UpstreamMode.MOCK);
    assertThat(UpstreamOptions.of(null, "", null).mocksDir()).isNull();
  }

  @Test
  void shouldReadRewriteRulesFromAnEnvironmentVariableAsJsonText() {
    GatewayConfig config = GatewayConfig.from(new JsonObject(),
      Map.of("BOTGATE_UPSTREAM_REWRITE", "{\"https://prod.example\": \"http://127.0.0.1:9000\"}"), new Properties());
    assertThat(config.object("upstream.rewrite").getString("https://prod.example")).isEqualTo("http://127.0.0.1:9000");
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("upstream.rewrite", "https://a=http://b")))
      .hasMessageContaining("'upstream.rewrite' must be a JSON object");
  }
}
