package io.botgate.cb;

import io.botgate.events.SecretMask;
import io.botgate.integration.DefinitionMask;
import io.botgate.integration.IntegrationRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Imported bots as data: rebuilt from their JSON (as another node would), and CB's choice of the next interaction. */
class BotRegistryTest {

  @Test
  void shouldRebuildEveryBotFromItsJson() throws Exception {
    BotRegistry bots = new BotRegistry();
    new CbImporter(new IntegrationRegistry(), bots, new DefinitionMask(new SecretMask(List.of())), java.util.Map.of()).importExport(new JsonObject()
      .put("export", new JsonObject(Files.readString(Path.of("src/test/resources/cb/store-helper.json")))));

    BotRegistry elsewhere = new BotRegistry();
    elsewhere.load(bots.toJson());

    assertThat(elsewhere.toJson()).isEqualTo(bots.toJson());
    CbBot bot = elsewhere.find("Store Helper").orElseThrow();
    assertThat(bot).isEqualTo(bots.find("Store Helper").orElseThrow());
    assertThat(bot.interactions().get("find stores").integration()).isEqualTo("Locations");
    assertThat(bot.globals()).contains("function __initConversation()");
    assertThat(elsewhere.owner("CreateTicket").map(CbBot::name)).contains("Store Helper");
  }

  @Test
  void shouldChooseTheNextInteractionByTheFirstRuleTheOutcomeMatches() {
    Interaction interaction = new Interaction("id", "find", "API_INTEGRATION", "Locations", null, null, null, "after",
      List.of(new Interaction.Rule("SUCCESS", "found"), new Interaction.Rule("FAILURE", "sorry")), null);
    Interaction anyOutcome = new Interaction("id", "find", "API_INTEGRATION", "Locations", null, null, null, "after",
      List.of(new Interaction.Rule(null, "always")), null);

    assertThat(interaction.nextAfter(true)).isEqualTo("found");
    assertThat(interaction.nextAfter(false)).isEqualTo("sorry");
    assertThat(interaction.nextAfter(null)).as("no integration ran").isEqualTo("after");
    assertThat(anyOutcome.nextAfter(false)).isEqualTo("always");
  }
}
