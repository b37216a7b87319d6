package io.botgate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Settings of a part that is off (the TCP bridge without bridge.port, the cluster without cluster.enabled) take no
 * effect: the gateway starts, and says so in a WARN naming each setting and the switch, with where each came from.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SettingsWithoutEffectTest {

  private final Logger log = (Logger) org.slf4j.LoggerFactory.getLogger(BotgateVerticle.class);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  @BeforeEach
  void capture() {
    lines.start();
    log.addAppender(lines);
  }

  @AfterEach
  void release() {
    log.detachAppender(lines);
  }

  /** Starts a real gateway with the test's files, {@code file} as the configuration file's keys, and overrides. */
  private List<String> warningsOfAStart(Vertx vertx, JsonObject file, Map<String, String> env, Properties sys) {
    JsonObject config = new JsonObject()
      .put("http.port", 0)
      .put("integrations.file", TestGateway.copyOf(Path.of("src/test/resources/test-integrations.json")).toString())
      .put("credentials.file", TestGateway.emptyFile("credentials.json").toString())
      .put("imports.file", TestGateway.emptyFile("imports.json").toString())
      .mergeIn(file);
    result(vertx.deployVerticle(new BotgateVerticle(GatewayConfig.from(config, env, sys))));
    return lines.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void shouldWarnAtStartOfBridgeSettingsGivenWhileTheBridgeIsOffNamingEachSource(Vertx vertx) {
    List<String> warnings = warningsOfAStart(vertx, new JsonObject().put("bridge.host", "0.0.0.0"),
      Map.of("BOTGATE_BRIDGE_CONNECTIONS", "8"), null);
    assertThat(warnings).contains("bridge.host=0.0.0.0 (the configuration), bridge.connections=8 (environment variable "
      + "BOTGATE_BRIDGE_CONNECTIONS) take no effect: the TCP event-bus bridge is off (bridge.port=-1, the default); "
      + "set bridge.port to start it");
  }

  @Test
  void shouldWarnAtStartOfClusterSettingsGivenWithoutClusterEnabledButNotOfOnesAtTheirDefault(Vertx vertx) {
    Properties sys = new Properties();
    sys.setProperty("cluster.members", "10.0.0.1, 10.0.0.2");
    sys.setProperty("cluster.port", "5701"); // its default: nothing to say of it
    List<String> warnings = warningsOfAStart(vertx, new JsonObject().put("cluster.enabled", false)
      .put("cluster.name", "botgate").put("cluster.turnWaitSeconds", 30), Map.of(), sys);
    assertThat(warnings).contains("cluster.members=10.0.0.1,10.0.0.2 (system property cluster.members), "
      + "cluster.turnWaitSeconds=30 (the configuration) take no effect: this node joins no cluster "
      + "(cluster.enabled=false, the configuration); start with --cluster or cluster.enabled=true to join one");
  }

  @Test
  void shouldSayNothingWhenThePartIsOnOrItsSettingsHoldTheirDefaults(Vertx vertx) {
    Properties sys = new Properties();
    sys.setProperty("cluster.backups", "1");
    List<String> warnings = warningsOfAStart(vertx, new JsonObject().put("bridge.port", 0).put("bridge.host", "127.0.0.1")
      .put("bridge.reply.seconds", 45).put("cluster.members", new io.vertx.core.json.JsonArray())
      .put("cluster.host", "127.0.0.1"), Map.of(), sys);
    assertThat(warnings).noneMatch(line -> line.contains("no effect"));
  }
}
