package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static io.botgate.Await.result;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

/** /metrics as the jar serves it: Vert.x recording into the same registry as botgate's own meters. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsTest {

  static Vertx vertx;
  static TestGateway gw;

  @BeforeAll
  static void start() {
    vertx = MetricsEndpoint.vertxWithMetrics(new VertxOptions());
    gw = result(TestGateway.start(vertx));
  }

  @AfterAll
  static void stop() {
    result(vertx.close());
  }

  @Test
  void shouldServeVertxJvmAndBotgateMetersTogether() {
    // results are published on the bus only where someone consumes them (BusReceivers): a service does here
    result(vertx.eventBus().consumer("botgate.results", message -> { }).completion());
    result(gw.declareAndExecute("m1", new JsonObject().put("name", "ok").put("method", "GET")
      .put("url", "stub:/status/200").put("retries", 0), null));
    result(gw.declareAndExecute("m1", new JsonObject().put("name", "down").put("method", "GET")
      .put("url", "stub:/status/503").put("retries", 0), null));
    result(gw.execute("m2", "down", null));

    // The histogram is fed from botgate.results, delivered after the answer: wait until all three arrived.
    AtomicReference<String> scraped = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      scraped.set(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString());
      return Pattern.compile("(?m)^botgate_execution_duration_seconds_count\\{integration=\"down\",outcome=\"failure\"} 2$")
        .matcher(scraped.get()).find();
    });
    String text = scraped.get();

    assertThat(text).as("botgate's own, names kept")
      .containsPattern("(?m)^botgate_executions_total\\{integration=\"down\",outcome=\"failure\",status=\"503\"} 2\\.0$")
      .containsPattern("(?m)^botgate_sessions [1-9]\\d*\\.0$")
      .containsPattern("(?m)^botgate_http_connections [1-9]\\d*\\.0$"); // the scrape's own, at least
    assertThat(text).as("the execution latency histogram")
      .containsPattern("(?m)^botgate_execution_duration_seconds_bucket\\{integration=\"down\",outcome=\"failure\",le=\"20\\.0\"} 2$")
      .containsPattern("(?m)^botgate_execution_duration_seconds_count\\{integration=\"ok\",outcome=\"success\"} 1$");
    assertThat(text).as("Vert.x's HTTP server, by route template, never by path")
      .containsPattern("(?m)^vertx_http_server_requests_total\\{code=\"200\",method=\"POST\",route=\"[^\"]*/api/sessions/:session/integrations/:name\"} [3-9]\\.0$")
      .doesNotContain("m2");
    assertThat(text).as("Vert.x's HTTP client (the upstream calls)").containsPattern("(?m)^vertx_http_client_requests_total\\{");
    assertThat(text).as("the event bus, per address")
      .containsPattern("(?m)^vertx_eventbus_published_total\\{address=\"botgate.results\",side=\"local\"} [3-9]\\.0$");
    assertThat(text).as("the JVM").containsPattern("(?m)^jvm_memory_used_bytes\\{");
  }

  /** A scrape is rendered on a worker: with hundreds of integrations' series it held the event loop for 270 ms. */
  @Test
  void shouldRenderAScrapeOffTheEventLoop() {
    List<Boolean> renderedOnLoop = new CopyOnWriteArrayList<>();
    MetricsEndpoint.whileRendering = thread -> renderedOnLoop.add(Context.isOnEventLoopThread());
    try {
      List<Future<HttpResponse<Buffer>>> scrapes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        scrapes.add(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send());
      }
      result(Future.all(scrapes));

      for (Future<HttpResponse<Buffer>> scrape : scrapes) {
        assertThat(scrape.result().statusCode()).isEqualTo(200);
        assertThat(scrape.result().getHeader("Content-Type")).startsWith("text/plain; version=0.0.4");
        assertThat(scrape.result().bodyAsString()).containsPattern("(?m)^botgate_sessions_max ");
      }
      assertThat(renderedOnLoop).as("where each scrape was rendered").containsExactly(false, false, false);
    } finally {
      MetricsEndpoint.whileRendering = thread -> { };
    }
  }

  /** Integrations declared and deleted name after name leave no series behind to pile up. */
  @Test
  void shouldDropTheSeriesOfAnIntegrationOnceItIsDeleted() {
    result(vertx.eventBus().consumer("botgate.results", message -> { }).completion()); // feeds the histogram
    JsonObject fleeting = new JsonObject().put("name", "fleeting").put("method", "GET").put("url", "stub:/status/200")
      .put("retries", 0);
    result(gw.declareAndExecute("f1", fleeting, null));
    await().atMost(Duration.ofSeconds(30)).until(() -> scrape()
      .contains("botgate_execution_duration_seconds_count{integration=\"fleeting\",outcome=\"success\"} 1"));
    assertThat(scrape()).contains("botgate_executions_total{integration=\"fleeting\",outcome=\"success\",status=\"200\"} 1.0");

    assertThat(result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/integrations/fleeting").send())
      .statusCode()).isEqualTo(204);
    assertThat(scrape()).doesNotContain("integration=\"fleeting\"");

    // declared again, counted from nothing
    result(gw.declareAndExecute("f2", fleeting, null));
    await().atMost(Duration.ofSeconds(30)).until(() -> scrape()
      .contains("botgate_execution_duration_seconds_count{integration=\"fleeting\",outcome=\"success\"} 1"));
    assertThat(scrape()).contains("botgate_executions_total{integration=\"fleeting\",outcome=\"success\",status=\"200\"} 1.0");
  }

  /**
   * An execution still waiting on its upstream when its integration is deleted ends after the series were dropped:
   * its result must not bring them back, for good (nothing removes that name again).
   */
  @Test
  void shouldNotBringBackTheSeriesOfADeletedIntegrationWhenACallInFlightEnds() {
    result(vertx.eventBus().consumer("botgate.results", message -> { }).completion()); // feeds the histogram
    assertThat(result(gw.declare(new JsonObject().put("name", "goneMidCall").put("method", "GET")
      .put("url", "stub:/held").put("retries", 0))).statusCode()).isEqualTo(201);
    var execution = gw.execute("g1", "goneMidCall", null);
    await().atMost(Duration.ofSeconds(30)).until(() -> gw.upstream.held() == 1);
    assertThat(result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/integrations/goneMidCall").send())
      .statusCode()).isEqualTo(204);
    gw.upstream.releaseHeld();
    assertThat(result(execution).getString("outcome")).isEqualTo("success");

    assertThat(scrape()).doesNotContain("integration=\"goneMidCall\"");
  }

  private static String scrape() {
    return result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString();
  }

  @Test
  void shouldMeterAPassThroughCallByItsRouteAsTheRouterNamedIt() {
    assertThat(result(gw.declare(new JsonObject().put("name", "passMetered").put("method", "GET")
      .put("url", "stub:/status"))).statusCode()).isIn(200, 201);
    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/passMetered/200")
      .putHeader("X-Botgate-Session", "pm1").send()).statusCode()).isEqualTo(200);

    AtomicReference<String> scraped = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      scraped.set(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString());
      return Pattern.compile("(?m)^vertx_http_server_requests_total\\{code=\"200\",method=\"GET\",route=\"/proxy/\"} [1-9]")
        .matcher(scraped.get()).find();
    });
    assertThat(scraped.get()).doesNotContain("passMetered/200");
  }

  @Test
  void shouldServeTheScriptDurationHistogramByOutcome() {
    result(gw.declareAndExecute("sc1", new JsonObject().put("name", "scripted").put("method", "GET")
      .put("url", "stub:/status/200").put("retries", 0).put("transformScript", "var a = 1 + 1;"), null));
    result(gw.declareAndExecute("sc1", new JsonObject().put("name", "scriptFails").put("method", "GET")
      .put("url", "stub:/status/200").put("retries", 0).put("transformScript", "nothing.here();"), null));

    String text = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString();

    assertThat(text).as("one histogram per outcome, with its buckets")
      .containsPattern("(?m)^botgate_script_duration_seconds_count\\{outcome=\"ok\"} [1-9]\\d*$")
      .containsPattern("(?m)^botgate_script_duration_seconds_bucket\\{outcome=\"ok\",le=\"0\\.001\"} \\d+$")
      .containsPattern("(?m)^botgate_script_duration_seconds_bucket\\{outcome=\"runtime\",le=\"10\\.0\"} [1-9]\\d*$");
    assertThat(text).as("runs by how they ended, limits hit among them")
      .containsPattern("(?m)^botgate_scripts_total\\{outcome=\"runtime\"} [1-9]");
  }

  @Test
  void shouldFoldTheEventAddressesOfSessionsIntoOneLabelValue() {
    // Events are published where someone receives them.
    vertx.eventBus().consumer("botgate.events.fold-1", msg -> { });
    result(gw.declareAndExecute("fold-1", new JsonObject().put("name", "folded").put("method", "GET")
      .put("url", "stub:/status/200").put("retries", 0), null));

    String text = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString();

    assertThat(text).contains("address=\"botgate.events.*\"").doesNotContain("botgate.events.fold-1");
  }

  /**
   * A request answered before it was read to its end (a body over the limit, a request line over the limit) gets
   * no end nor reset from Vert.x when its connection closes; the active-requests gauge still lets it go.
   */
  @Test
  void shouldNotCountARefusedRequestAsActiveOnceItsConnectionIsClosed() throws IOException {
    double before = activeRequests();
    for (int i = 0; i < 5; i++) {
      assertThat(refused("POST /api/sessions/active/scripts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{\"script\": \"")).contains(" 413 ");
      assertThat(refused("GET /" + "a".repeat(10_000))).contains(" 414 ");
    }

    // each scrape counts itself, as the one before did
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(activeRequests()).isEqualTo(before));
  }

  private static double activeRequests() {
    String text = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString();
    return Pattern.compile("(?m)^vertx_http_server_active_requests\\{[^}]*} (\\S+)$").matcher(text).results()
      .mapToDouble(m -> Double.parseDouble(m.group(1))).sum();
  }

  /** Sends {@code head}, then 64 KiB more of it, and reads the answer's status line; then closes. */
  private static String refused(String head) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(new byte[64 << 10]);
      byte[] start = socket.getInputStream().readNBytes(16);
      return new String(start, StandardCharsets.US_ASCII);
    }
  }

  @Test
  void shouldFoldMethodsHttpDoesNotNameIntoOneLabelValue() throws IOException {
    for (int i = 0; i < 20; i++) {
      try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("MADEUP" + i + " /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 4");
      }
    }

    String text = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString();

    assertThat(text).doesNotContain("MADEUP").contains("method=\"other\"").contains("method=\"GET\"");
  }

  /**
   * The HTTP client keeps a connection pool per upstream host and port, which the library meters under the
   * endpoint's name and never removes: with a placeholder in the URL's host or port, a bot's variables chose it.
   */
  @Test
  void shouldFoldTheHttpClientsPoolsOfEveryUpstreamIntoOneLabelValue() {
    for (int port = 19000; port < 19020; port++) {
      ((VertxInternal) vertx).metrics().createPoolMetrics("http", "10.9.8.7:" + port, 5);
    }

    String text = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString();

    assertThat(text).doesNotContain("10.9.8.7")
      .containsPattern("(?m)^vertx_pool_in_use\\{pool_name=\"upstreams\",pool_type=\"http\"} ")
      .doesNotContainPattern("(?m)^vertx_pool_ratio\\{pool_name=\"upstreams\"");
    assertThat(text).as("the worker pools keep their names")
      .containsPattern("(?m)^vertx_pool_in_use\\{pool_name=\"vert.x-worker-thread\",pool_type=\"worker\"} ");
  }
}
