package io.botgate.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.botgate.BotgateVerticle;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gateways embedded in one JVM share its one log: the first one's {@code log.*} settings hold while it runs, and a
 * second one with others says so rather than overwriting them under the first.
 */
@ExtendWith(VertxExtension.class)
class EmbeddedGatewaysLogTest {

  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

  @BeforeEach
  void listen() {
    warnings.setContext(context());
    warnings.start();
    context().getLogger(BotgateVerticle.class).addAppender(warnings);
  }

  @AfterEach
  void restore() {
    context().getLogger(BotgateVerticle.class).detachAppender(warnings);
    Object restorer = new Object(); // the JVM's other tests expect the default log back
    LogSetup.claim(restorer, LogOptions.DEFAULTS, why -> Optional.empty());
    LogSetup.release(restorer);
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  private static Level rootLevel() {
    return context().getLogger(Logger.ROOT_LOGGER_NAME).getLevel();
  }

  private List<String> warned() {
    return warnings.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  @Timeout(120)
  void shouldKeepTheFirstGatewaysLogSettingsAndWarnFromTheSecond(Vertx vertx) {
    Vertx firstsOwn = Vertx.vertx(); // closed below: the first gateway stops
    TestGateway first = result(TestGateway.start(firstsOwn, new JsonObject().put("log.level", "info")));
    TestGateway second = result(TestGateway.start(vertx, new JsonObject().put("log.level", "error")
      .put("log.format", "json")));

    assertThat(rootLevel()).as("the first gateway's log.level, still").isEqualTo(Level.INFO);
    assertThat(warned()).anySatisfy(line -> assertThat(line).startsWith("log settings log.format=json, "
      + "log.level=error").contains("take no effect: another gateway in this JVM holds the log with log.format=text, "
      + "log.level=info"));

    assertThat(first.gateway.port()).isPositive();
    result(firstsOwn.close());
    TestGateway third = result(TestGateway.start(vertx, new JsonObject().put("log.level", "warn")));
    assertThat(rootLevel()).as("once the first stopped, the next gateway to start applies its own")
      .isEqualTo(Level.WARN);
    assertThat(second.gateway.port()).isPositive();
    assertThat(third.gateway.port()).isPositive();
  }

  /** The thread routing java.util.logging held LogSetup's monitor while it set up the LogManager. */
  @Test
  @Timeout(120)
  void shouldApplyTheSettingsWithoutWaitingForTheRoutingOfJavaUtilLogging() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread routing = new Thread(() -> {
      synchronized (LogSetup.class) {
        holding.countDown();
        try {
          done.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    routing.start();
    try {
      assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
      Object gateway = new Object();
      CompletableFuture<Optional<String>> applied = CompletableFuture.supplyAsync(() ->
        LogSetup.claim(gateway, new LogOptions("text", "debug", false), why -> Optional.of(why)));
      assertThat(applied.get(30, TimeUnit.SECONDS)).isEmpty();
      assertThat(rootLevel()).isEqualTo(Level.DEBUG);
      LogSetup.release(gateway);
    } finally {
      done.countDown();
      routing.join();
    }
  }
}
