package io.botgate.events;

import io.botgate.JsonText;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Event data nested about as deep as the JSON parser reads (1,000 levels), whatever brought it: every event is
 * still emitted and reads back wherever it is read (the request's own answer, the event bus, a page of history, a
 * console's replay), its values past {@link DeepData#LEVELS} shown as a note, with or without secrets known.
 */
@ExtendWith(VertxExtension.class)
class DeepEventDataTest {

  static TestGateway gw;
  static WebSocketClient sockets;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
    sockets = vertx.createWebSocketClient();
  }

  /** {@code {"v": [[[...]]]}}: the data itself one level, its arrays {@code levels} more. */
  private static JsonObject nested(int levels) {
    Object value = new JsonArray();
    for (int i = 1; i < levels; i++) {
      value = new JsonArray().add(value);
    }
    return new JsonObject().put("v", value);
  }

  private static int depth(Object value) {
    int depth = 0;
    while (value instanceof JsonArray array && !array.isEmpty()) {
      value = array.getValue(0);
      depth++;
    }
    return value instanceof JsonArray ? depth + 1 : depth;
  }

  @Test
  void shouldReadBackEveryEventWhoseDataNestsNearTheParsersBound() {
    shouldReadBackDeepEvents(gw, "deep-plain");
  }

  /** Known secrets have every event's data read back to be scrubbed as it is emitted. */
  @Test
  void shouldReadBackEveryEventWhoseDataNestsNearTheParsersBoundOnceSecretsAreKnown(Vertx vertx) {
    TestGateway knowing = result(TestGateway.start(vertx));
    knowing.gateway.stream().secrets().remember(List.of("a-known-s3cret-value"));
    shouldReadBackDeepEvents(knowing, "deep-secrets");
  }

  private void shouldReadBackDeepEvents(TestGateway gw, String session) {
    List<JsonObject> published = new CopyOnWriteArrayList<>();
    gw.vertx.eventBus().<JsonObject>consumer("botgate.events." + session, m -> published.add(m.body()));
    Transcript transcript = new Transcript(gw.gateway.stream(), session);
    transcript.event(DebugEvent.DEBUG, "debug", "an object", nested(999));
    JsonObject encoded = nested(999);
    transcript.encodedEvent(DebugEvent.INTEGRATION, "info", "members", fields -> fields.value(JsonText.key("v"),
      encoded.getValue("v")));
    transcript.event(DebugEvent.DEBUG, "debug", "shallow enough", nested(DeepData.LEVELS - 1));

    List<JsonObject> answered = transcript.eventsAsJson().stream().map(e -> (JsonObject) e).toList();
    assertThat(answered).hasSize(3);
    assertShownUpToTheBound(answered);

    JsonObject page = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/events?after=0")
      .send()).bodyAsJsonObject();
    assertShownUpToTheBound(page.getJsonArray("events").stream().map(e -> (JsonObject) e).toList());

    await().until(() -> published.size() == 3);
    assertShownUpToTheBound(published);

    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    ClientWebSocket socket = sockets.webSocket();
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    result(socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.gateway.port()).setURI("/console")));
    socket.writeTextMessage(new JsonObject().put("op", "subscribe").put("session", session).put("after", 0).encode());
    await().until(() -> frames.stream().anyMatch(f -> "subscribed".equals(f.getString("op"))));
    assertShownUpToTheBound(frames.stream().filter(f -> session.equals(f.getString("session")) && f.containsKey("seq"))
      .toList());
    socket.close();
  }

  /** Brackets inside strings, escaped quotes among them, are text: they neither open levels nor close them. */
  @Test
  void shouldCountOnlyTheLevelsOutsideStrings() {
    JsonObject data = nested(DeepData.LEVELS + 3).put("s", "[[{\\\"]}").put("t", "\"{[");
    JsonObject shallow = DeepData.shallow(data);
    assertThat(shallow.getString("s")).isEqualTo("[[{\\\"]}");
    assertThat(shallow.getString("t")).isEqualTo("\"{[");
    assertThat(depth(shallow.getValue("v"))).isEqualTo(DeepData.LEVELS - 1);
    assertThat(DeepData.shallow(nested(DeepData.LEVELS - 1))).isEqualTo(nested(DeepData.LEVELS - 1));
  }

  /** The first two events' values cut at the bound and noted, the third whole. */
  private static void assertShownUpToTheBound(List<JsonObject> events) {
    assertThat(events).extracting(e -> e.getString("text")).containsExactly("an object", "members", "shallow enough");
    for (JsonObject event : events.subList(0, 2)) {
      Object value = event.getJsonObject("data").getValue("v");
      assertThat(depth(value)).as(event.getString("text")).isEqualTo(DeepData.LEVELS - 1);
      Object innermost = value;
      while (innermost instanceof JsonArray array) {
        innermost = array.getValue(0);
      }
      assertThat(innermost).isEqualTo(DeepData.TOO_DEEP);
    }
    assertThat(depth(events.get(2).getJsonObject("data").getValue("v"))).isEqualTo(DeepData.LEVELS - 1);
  }
}
