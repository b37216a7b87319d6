package io.botgate.console;

import io.botgate.TestGateway;
import io.botgate.events.DebugStream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event larger than a segment of the history's ring, on a real gateway: kept in its place with its text
 * cut, so the history and a console's replay have no hole where it was.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConsoleLargeEventTest {

  @Test
  void shouldListAndReplayAnEventLargerThanARingSegmentInItsPlaceWithItsTextCut() throws Exception {
    Vertx vertx = Vertx.vertx(); // a gateway of its own, with a small history
    try {
      // 2,000 events: a ring of 2 MB in segments of 512 KB
      TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("history.total", 2_000)));
      DebugStream stream = gw.gateway.stream();
      stream.emit("hb1", "debug", "debug", "one", null);
      stream.emit("hb1", "debug", "debug", "y".repeat(600_000), null);
      stream.emit("hb1", "debug", "debug", "three", null);

      JsonArray listed = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/hb1/events?after=0").send())
        .bodyAsJsonObject().getJsonArray("events");
      assertThat(listed.stream().map(e -> ((JsonObject) e).getLong("seq")).toList()).containsExactly(1L, 2L, 3L);
      String cut = listed.getJsonObject(1).getString("text");
      assertThat(cut).startsWith("yyyy").hasSizeLessThan(600_000)
        .endsWith(" characters cut: too large to keep)");
      long gone = Long.parseLong(cut.substring(cut.indexOf("… (") + 3, cut.indexOf(" characters")).replace(",", ""));
      assertThat(cut.indexOf('…') + gone).as("the characters kept and those cut").isEqualTo(600_000);

      try (SlowReader client = new SlowReader(gw.gateway.port(), 1 << 16)) {
        client.send(new JsonObject().put("op", "subscribe").put("session", "hb1").put("after", 0));
        List<JsonObject> replayed = new ArrayList<>();
        for (JsonObject frame = client.next(); !"subscribed".equals(frame.getString("op")); frame = client.next()) {
          if (frame.containsKey("seq")) {
            replayed.add(frame);
          }
        }
        assertThat(replayed).extracting(e -> e.getLong("seq")).containsExactly(1L, 2L, 3L);
        assertThat(replayed.get(1).getString("text")).isEqualTo(cut);
      }
    } finally {
      result(vertx.close());
    }
  }
}
