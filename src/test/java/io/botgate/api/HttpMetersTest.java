package io.botgate.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** botgate's HTTP request and event-bus meters say what vertx-micrometer-metrics' own say, series for series. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpMetersTest {

  @Test
  void shouldServeTheSameHttpSeriesAndCountsAsTheLibrary() {
    Set<String> library = only("vertx_http_", traffic("http-meters-library", factory -> factory));
    Set<String> cached = only("vertx_http_", traffic("http-meters-cached", HttpMeters::cached));

    assertThat(library).as("the library's series").anyMatch(line -> line.startsWith("vertx_http_server_requests_total{"));
    assertThat(cached).isEqualTo(library);
  }

  @Test
  void shouldServeTheSameEventBusSeriesAndCountsAsTheLibrary() {
    Set<String> library = only("vertx_eventbus_", traffic("eb-meters-library", factory -> factory));
    Set<String> cached = only("vertx_eventbus_", traffic("eb-meters-cached", HttpMeters::cached));

    assertThat(library).as("the library's series")
      .anyMatch(line -> line.startsWith("vertx_eventbus_published_total{address=\"news\""))
      .anyMatch(line -> line.startsWith("vertx_eventbus_reply_failures_total{"));
    assertThat(cached).isEqualTo(library);
  }

  private static Set<String> only(String prefix, Set<String> lines) {
    return lines.stream().filter(line -> line.startsWith(prefix)).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The same requests through a server with a router (nested routes, a 404, a POST with a body) and a Web
   * Client, and the same messages on the event bus (sent, published, replied to, failed, to no one), on a
   * Vert.x whose metrics {@code decorate} made; its {@code vertx_*} lines without the durations (which
   * differ) and with the counts; open connections without their number.
   */
  private static Set<String> traffic(String registryName, UnaryOperator<VertxMetricsFactory> decorate) {
    PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
    MicrometerMetricsOptions options = MetricsEndpoint.vertxMetricsOptions();
    options.setRegistryName(registryName);
    Vertx vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(options))
      .withMetrics(decorate.apply(new MicrometerMetricsFactory(registry))).build();
    try {
      Router api = Router.router(vertx);
      api.get("/items/:id").handler(ctx -> ctx.response().end("item " + ctx.pathParam("id")));
      api.post("/items").handler(ctx -> ctx.request().body().onSuccess(b -> ctx.response().setStatusCode(201).end(b)));
      Router root = Router.router(vertx);
      root.route("/api/*").subRouter(api);
      HttpServer server = result(vertx.createHttpServer().requestHandler(root).listen(0, "127.0.0.1"));
      WebClient client = WebClient.create(vertx);
      int port = server.actualPort();
      for (int i = 0; i < 3; i++) {
        result(client.get(port, "127.0.0.1", "/api/items/" + i).send());
      }
      result(client.request(HttpMethod.POST, port, "127.0.0.1", "/api/items").sendBuffer(io.vertx.core.buffer.Buffer.buffer("{}")));
      result(client.get(port, "127.0.0.1", "/nowhere").send());
      // the server's meters of an answer are recorded once it is written, maybe after the client has it
      await().atMost(Duration.ofSeconds(10)).until(() -> registry.scrape().contains("code=\"404\""));

      EventBus bus = vertx.eventBus();
      AtomicInteger handled = new AtomicInteger();
      bus.<String>consumer("news", msg -> handled.incrementAndGet());
      bus.<String>consumer("news", msg -> handled.incrementAndGet());
      bus.<String>consumer("ask", msg -> {
        handled.incrementAndGet();
        if ("fail".equals(msg.body())) {
          msg.fail(7, "no");
        } else {
          msg.reply("yes");
        }
      });
      MessageConsumer<String> gone = bus.consumer("gone", msg -> { });
      result(gone.unregister());
      bus.publish("news", "one");
      bus.send("news", "two");
      result(bus.request("ask", "ok"));
      assertThat(bus.request("ask", "fail").toCompletionStage().toCompletableFuture()).failsWithin(Duration.ofSeconds(10));
      assertThat(bus.request("nobody", "hello").toCompletionStage().toCompletableFuture()).failsWithin(Duration.ofSeconds(10));
      await().atMost(Duration.ofSeconds(10)).until(() -> handled.get() == 5);

      return registry.scrape().lines()
        .filter(line -> line.startsWith("vertx_"))
        .filter(line -> !line.contains("_seconds_sum") && !line.contains("_seconds_max"))
        // how many connections the client opened for sequential requests depends on when each went back
        // to its pool (these meters are the library's in both): the series is compared, not its value
        .map(line -> line.contains("_active_connections") ? line.substring(0, line.lastIndexOf(' ')) : line)
        .collect(Collectors.toCollection(TreeSet::new));
    } finally {
      result(vertx.close());
    }
  }
}
