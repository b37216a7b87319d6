package io.botgate.api;

import io.botgate.OnLoop;
import io.botgate.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An API body of more than 64 KiB is decoded on a worker, not on the event loop (an execute body of 20,000 variables
 * held it up to 200 ms), and answered as before: taken whole, or refused as a small one is.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class LargeJsonBodiesTest {

  static TestGateway gw;
  static final List<Boolean> decodedOnLoop = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
    LargeJsonBodies.whileDecoding = thread -> decodedOnLoop.add(Context.isOnEventLoopThread());
  }

  @AfterEach
  void clear() {
    decodedOnLoop.clear();
  }

  private HttpResponse<Buffer> execute(String session, Buffer body) {
    return result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session
      + "/integrations/faqIntegration").putHeader("Content-Type", "application/json").sendBuffer(body));
  }

  @Test
  void shouldDecodeALargeBodyOffTheEventLoopAndTakeItWhole() {
    JsonObject variables = new JsonObject().put("question", "hours");
    for (int i = 0; i < 5_000; i++) {
      variables.put("v" + i, "value " + i);
    }
    Buffer body = new JsonObject().put("variables", variables).toBuffer();
    assertThat(body.length()).isGreaterThan(OnLoop.MAX_BYTES);

    HttpResponse<Buffer> answer = execute("large-body", body);

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getJsonObject("result").getBoolean("success")).as(answer.bodyAsString())
      .isTrue();
    assertThat(decodedOnLoop).as("where the body was decoded").containsExactly(false);
  }

  @Test
  void shouldRefuseALargeBodyThatIsNotJsonAsASmallOne() {
    Buffer large = Buffer.buffer("{\"variables\": {\"a\": \"" + "x".repeat(100_000) + "\",}");
    Buffer small = Buffer.buffer("{\"variables\": {\"a\": \"x\",}");

    HttpResponse<Buffer> refusedLarge = execute("large-bad", large);
    HttpResponse<Buffer> refusedSmall = execute("small-bad", small);

    assertThat(refusedLarge.statusCode()).isEqualTo(400);
    assertThat(refusedLarge.bodyAsJsonObject().getJsonObject("error").getString("code"))
      .isEqualTo(refusedSmall.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("malformed_json");
    assertThat(decodedOnLoop).as("only the large body is decoded on a worker").containsExactly(false);
  }
}
