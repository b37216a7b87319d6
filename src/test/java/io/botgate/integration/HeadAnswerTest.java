package io.botgate.integration;

import io.botgate.events.SecretMask;
import io.vertx.core.Vertx;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An integration of method HEAD against an upstream that answers it with a body (which RFC 9110 forbids, and some
 * servers send all the same): the call gets its status and headers, and the stray body spoils no later call of the
 * connection it came on.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class HeadAnswerTest {

  private static final SecretMask MASK = new SecretMask(List.of());

  @Test
  void shouldTakeTheStatusOfAHeadAnsweredWithABodyAndNotLetTheBodySpoilTheNextCall(Vertx vertx) {
    String next = "{\"for\":\"the next call\"}";
    int port = result(vertx.createNetServer().connectHandler(socket -> socket.handler(RecordParser.newDelimited(
      "\r\n\r\n", head -> socket.write(head.toString(StandardCharsets.ISO_8859_1).startsWith("HEAD ")
        ? "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n{\"head's\":\"body\"}!"
        : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + next.length() + "\r\n\r\n" + next))))
      .listen(0, "127.0.0.1")).actualPort();
    UpstreamCaller caller = new UpstreamCaller(vertx, new EgressGuard(List.of("127.0.0.1")), MASK, 10_000,
      UpstreamCredentials.NONE, UpstreamOptions.defaults(), new RecordedMocks(vertx, null));
    try {
      IntegrationDefinition head = IntegrationDefinition.fromJson(UpstreamCallTest.get("head",
        "http://127.0.0.1:" + port + "/h").put("method", "HEAD"), null);
      IntegrationDefinition get = IntegrationDefinition.fromJson(UpstreamCallTest.get("next",
        "http://127.0.0.1:" + port + "/n"), null);
      for (int round = 0; round < 3; round++) {
        UpstreamResponse answer = result(caller.call(head, head.request().render(p -> null, "http://127.0.0.1:1", MASK)));
        assertThat(answer.statusCode()).as(answer.reason()).isEqualTo("200");
        for (int i = 0; i < 3; i++) {
          UpstreamResponse after = result(caller.call(get, get.request().render(p -> null, "http://127.0.0.1:1", MASK)));
          assertThat(after.statusCode()).as("round " + round + ", call " + i + ": " + after.reason()).isEqualTo("200");
          assertThat(after.body().toString()).contains("the next call");
        }
      }
    } finally {
      caller.close();
    }
  }
}
