package io.botgate.integration;

import io.botgate.events.SecretMask;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefinitionMaskTest {

  private final DefinitionMask definitions = new DefinitionMask(new SecretMask(List.of()));

  private static JsonObject stored(String url) {
    return new JsonObject().put("name", "crm").put("method", "GET").put("url", url)
      .put("headers", new JsonObject().put("X-Api-Key", "k-7731-secret"));
  }

  @Test
  void shouldPutTheStoredSecretBackWhenTheMaskedDefinitionComesBackToTheSameHost() {
    JsonObject stored = stored("https://crm.example:8443/v1/users");
    JsonObject shown = definitions.show(stored);
    assertThat(shown.getJsonObject("headers").getString("X-Api-Key")).isEqualTo("****");
    JsonObject restored = definitions.restore("crm", shown.put("url", "https://crm.example:8443/v2/users"), stored);
    assertThat(restored.getJsonObject("headers").getString("X-Api-Key")).isEqualTo("k-7731-secret");
  }

  @Test
  void shouldNeverSendAStoredSecretToAnotherHostPortOrScheme() {
    JsonObject stored = stored("https://crm.example:8443/v1/users");
    for (String elsewhere : List.of("https://attacker.example:8443/v1/users", "https://crm.example:9443/v1/users",
      "http://crm.example:8443/v1/users", "https://crm.example.attacker.example/v1/users")) {
      JsonObject shown = definitions.show(stored).put("url", elsewhere);
      assertThatThrownBy(() -> definitions.restore("crm", shown, stored)).as(elsewhere)
        .isInstanceOf(DefinitionException.class).hasMessageContaining("crm");
    }
  }
}
