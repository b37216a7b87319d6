package io.botgate.events;

import io.botgate.api.MetricsEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BusReceiversTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldKnowWhichSessionsHaveAConsumerSoOnlyTheirEventsArePublished() throws Exception {
    Vertx vertx = MetricsEndpoint.vertxWithMetrics(new VertxOptions());
    try {
      BusReceivers receivers = BusReceivers.of(vertx);
      assertThat(receivers).isNotNull();
      DebugStream stream = new DebugStream(vertx, 10, 1_000, 60_000, System::currentTimeMillis);
      stream.emit("w", "debug", "debug", "before anyone listens", null);
      assertThat(receivers.has("w")).isFalse();

      List<Long> received = new CopyOnWriteArrayList<>();
      MessageConsumer<JsonObject> first = vertx.eventBus().consumer(DebugStream.ADDRESS_PREFIX + "w",
        m -> received.add(m.body().getLong("seq")));
      MessageConsumer<JsonObject> second = vertx.eventBus().localConsumer(DebugStream.ADDRESS_PREFIX + "w", m -> { });
      assertThat(receivers.has("w")).isTrue();
      assertThat(receivers.has("other")).isFalse();
      stream.emit("w", "debug", "debug", "while two listen", null);
      await().atMost(10, TimeUnit.SECONDS).until(() -> received.contains(2L));

      first.unregister().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(receivers.has("w")).as("one consumer left").isTrue();
      second.unregister().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(receivers.has("w")).isFalse();
      stream.emit("w", "debug", "debug", "after", null);
      assertThat(stream.history("w", 0, 10)).as("kept whether published or not").hasSize(3);
      assertThat(received).containsExactly(2L);
    } finally {
      vertx.close();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldKnowWhetherBotgatesOwnAddressesHaveAConsumerSoResultsGoOnlyWhereConsumed() throws Exception {
    Vertx vertx = MetricsEndpoint.vertxWithMetrics(new VertxOptions());
    try {
      BusReceivers receivers = BusReceivers.of(vertx);
      assertThat(receivers.consumed("botgate.results")).isFalse();
      MessageConsumer<JsonObject> results = vertx.eventBus().consumer("botgate.results", m -> { });
      MessageConsumer<JsonObject> other = vertx.eventBus().consumer("elsewhere", m -> { });
      assertThat(receivers.consumed("botgate.results")).isTrue();
      assertThat(receivers.consumed("elsewhere")).as("only botgate's addresses are counted").isFalse();
      results.unregister().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      other.unregister().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(receivers.consumed("botgate.results")).isFalse();
    } finally {
      vertx.close();
    }
  }

  @Test
  void shouldBeUnknownWithoutVertxMetricsSoEveryEventIsPublished() {
    Vertx vertx = Vertx.vertx();
    try {
      assertThat(BusReceivers.of(vertx)).isNull();
    } finally {
      vertx.close();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldFoldTheUuidOfAClusterMembersOwnAddressesSoEachRestartedNodeAddsNoSeries() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setRegistryName("fold-" + UUID.randomUUID()) // Vert.x keeps registries by name: the default is another test's
        .setLabels(EnumSet.of(Label.EB_ADDRESS))))
      .withMetrics(BusReceivers.observing(new MicrometerMetricsFactory(registry))).build();
    try {
      List<String> members = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
      for (String member : members) { // a node, then the same node restarted: a new member uuid
        String address = "botgate.internal.events.history." + member;
        MessageConsumer<String> answering = vertx.eventBus().consumer(address, m -> m.reply("none"));
        assertThat(vertx.eventBus().request(address, "q").toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS).body()).isEqualTo("none");
        answering.unregister().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      String text = registry.scrape();
      assertThat(text).contains("address=\"botgate.internal.events.history.*\"");
      members.forEach(member -> assertThat(text).doesNotContain(member));
    } finally {
      vertx.close();
    }
    assertThat(BusReceivers.folded("botgate.internal.sessions.release." + UUID.randomUUID()))
      .isEqualTo("botgate.internal.sessions.release.*");
    assertThat(BusReceivers.folded("botgate.internal.definitions")).isEqualTo("botgate.internal.definitions");
    assertThat(BusReceivers.folded("botgate.internal.x.0123456789abcdef0123456789abcdef0123"))
      .as("36 characters but not a uuid").endsWith("0123");
    assertThat(BusReceivers.folded("elsewhere." + UUID.randomUUID())).as("not botgate's").doesNotEndWith("*");
  }
}
