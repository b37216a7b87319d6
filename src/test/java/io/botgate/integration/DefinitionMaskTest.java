package io.botgate.integration;

import io.botgate.events.SecretMask;
import io.vertx.core.json.JsonArray;
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

  @Test
  void shouldGiveEachMockItsOwnSecretBackWhenMocksAreReorderedOrRemoved() {
    JsonObject stored = stored("https://crm.example/v1").put("mocks", new JsonArray()
      .add(mock("first", "secret-of-first")).add(mock("second", "secret-of-second")).add(mock("third", "secret-of-third")));
    JsonArray shown = definitions.show(stored).getJsonArray("mocks");
    assertThat(shown.getJsonObject(0).getJsonObject("headers").getString("X-Api-Key")).isEqualTo("****");

    JsonArray reordered = new JsonArray().add(shown.getValue(2)).add(shown.getValue(0)).add(shown.getValue(1));
    assertThat(keys(definitions.restore("crm", definitions.show(stored).put("mocks", reordered), stored)))
      .containsExactly("secret-of-third", "secret-of-first", "secret-of-second");

    // the first removed, the third edited: the edited one cannot be told apart, so its mask stays as written
    JsonObject edited = shown.getJsonObject(2).copy().put("status", 201);
    JsonArray fewer = new JsonArray().add(shown.getValue(1)).add(edited);
    assertThat(keys(definitions.restore("crm", definitions.show(stored).put("mocks", fewer), stored)))
      .containsExactly("secret-of-second", "****");

    // edited in place, same length: each keeps its own
    JsonArray inPlace = shown.copy();
    inPlace.getJsonObject(1).put("status", 202);
    assertThat(keys(definitions.restore("crm", definitions.show(stored).put("mocks", inPlace), stored)))
      .containsExactly("secret-of-first", "secret-of-second", "secret-of-third");
  }

  private static JsonObject mock(String name, String key) {
    return new JsonObject().put("match", new JsonObject().put("path", "/" + name)).put("status", 200)
      .put("headers", new JsonObject().put("X-Api-Key", key));
  }

  private static List<String> keys(JsonObject definition) {
    return definition.getJsonArray("mocks").stream()
      .map(m -> ((JsonObject) m).getJsonObject("headers").getString("X-Api-Key")).toList();
  }
}
