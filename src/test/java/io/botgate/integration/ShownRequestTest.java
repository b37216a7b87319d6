package io.botgate.integration;

import io.botgate.events.SecretMask;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How a rendered request is shown: env values by position, user info, secret names; what is sent is untouched. */
class ShownRequestTest {

  private final SecretMask mask = new SecretMask(java.util.List.of());

  private RenderedRequest render(JsonObject definition, Map<String, String> env, Map<String, String> variables) {
    return IntegrationDefinition.fromJson(definition.put("name", "shown").put("method", "POST"), null).request()
      .render(p -> p.kind() == Template.Placeholder.Kind.ENV ? env.get(p.name()) : variables.get(p.name()),
        "http://127.0.0.1:1", mask);
  }

  @Test
  void shouldMaskAShortEnvValueWhereItLandsAndNowhereElse() {
    RenderedRequest r = render(new JsonObject().put("url", "http://10.1.1.1:1111/a/{$env.ONE}/b1?x=1&y={$env.ONE}")
      .put("headers", new JsonObject().put("X-N", "1{$env.ONE}1")), Map.of("ONE", "1"), Map.of());
    assertThat(r.url()).isEqualTo("http://10.1.1.1:1111/a/1/b1?x=1&y=1");
    assertThat(r.shown().url()).isEqualTo("http://10.1.1.1:1111/a/****/b1?x=1&y=****");
    assertThat(r.shown().headers()).containsEntry("X-N", "1****1");
    assertThat(r.headers()).contains(Map.entry("X-N", "111"));
    assertThat(r.shown().scrub("refused: /10.1.1.1:1111")).isEqualTo("refused: /10.1.1.1:1111");
  }

  @Test
  void shouldMaskEnvValuesAndSecretFieldsInTheShownBody() {
    RenderedRequest r = render(new JsonObject().put("url", "http://h/x")
        .put("body", new JsonObject().put("note", "see {$env.B} here").put("password", "{$botContext.pw}")
          .put("list", new JsonArray().add("{$env.B}")).put("auth", new JsonObject().put("pin", 1234).put("user", "u"))),
      Map.of("B", "bodysecret"), Map.of("pw", "hunter2"));
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("note", "see bodysecret here")
      .put("password", "hunter2").put("list", new JsonArray().add("bodysecret"))
      .put("auth", new JsonObject().put("pin", 1234).put("user", "u")));
    assertThat(new JsonObject(r.shown().body())).isEqualTo(new JsonObject().put("note", "see **** here")
      .put("password", "****").put("list", new JsonArray().add("****"))
      .put("auth", new JsonObject().put("pin", "****").put("user", "****")));
  }

  @Test
  void shouldMaskAHostFromTheEnvironmentInNetworkErrors() {
    RenderedRequest r = render(new JsonObject().put("url", "{$env.BASE}/v1/{$botContext.id}"),
      Map.of("BASE", "http://tenant-4711.example.com"), Map.of("id", "7"));
    assertThat(r.url()).isEqualTo("http://tenant-4711.example.com/v1/7");
    assertThat(r.shown().url()).isEqualTo("****/v1/7");
    assertThat(r.shown().scrub("DNS lookup failed for tenant-4711.example.com")).isEqualTo("DNS lookup failed for ****");
  }

  @Test
  void shouldScrubAnEnvValueEchoedBackEncodedEscapedOrLowerCased() {
    RenderedRequest r = render(new JsonObject().put("url", "http://h/echo").put("query",
      new JsonObject().put("q", "{$env.S}")), Map.of("S", "Ab+cD/eF=\"gh1\\"), Map.of());
    ShownRequest shown = r.shown();
    assertThat(shown.scrub("X-Echo-Path: /echo?q=Ab%2BcD%2FeF%3D%22gh1%5C")).isEqualTo("X-Echo-Path: /echo?q=****");
    assertThat(shown.scrub("/echo?q=ab%2bcd%2fef%3d%22gh1%5c")).isEqualTo("/echo?q=****");
    assertThat(shown.scrub("{\"got\":\"Ab+cD/eF=\\\"gh1\\\\\"}")).isEqualTo("{\"got\":\"****\"}");
    assertThat(shown.scrub("form: Ab%2BcD%2FeF%3D%22gh1%5C and Ab+cD/eF=\"gh1\\")).isEqualTo("form: **** and ****");
    assertThat(shown.wouldScrub("DNS lookup failed for ab+cd/ef=\"gh1\\.invalid")).isTrue();
  }

  @Test
  void shouldShowARequestWithoutSecretsAsItIs() {
    RenderedRequest r = render(new JsonObject().put("url", "http://h/faq").put("query",
      new JsonObject().put("q", "{$botContext.q}")), Map.of(), Map.of("q", "a b"));
    assertThat(r.shown().url()).isSameAs(r.url()).isEqualTo("http://h/faq?q=a%20b");
  }
}
