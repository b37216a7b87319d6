package io.botgate.cluster;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes with the same definitions starting one after another: the first's log says the cluster's set is its
 * definitions since the cluster had none, and each other node's says the cluster's are its own already, rather than
 * one node alone logging that it "starts the cluster's set" as if it had overruled the others.
 */
@Timeout(180)
class ClusterStartLogTest {

  @Test
  void shouldLogThatTheFirstNodeSeededTheSetAndTheOthersHadItAlready() {
    LoggerContext logs = (LoggerContext) LoggerFactory.getILoggerFactory();
    List<String> lines = new CopyOnWriteArrayList<>();
    AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        if (event.getLoggerName().equals(ReplicatedDefinitions.class.getName())
          && event.getFormattedMessage().startsWith("integrations:")) {
          lines.add(event.getFormattedMessage());
        }
      }
    };
    capture.setContext(logs);
    capture.start();
    logs.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
    try (ClusterNodes cluster = ClusterNodes.start(3, new JsonObject())) {
      assertThat(cluster.nodes).hasSize(3);
    } finally {
      logs.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(capture);
    }
    assertThat(lines).as(String.join("\n", lines)).hasSize(3);
    assertThat(lines.stream().filter(line -> line.contains("the cluster had none yet: its set is this node's")))
      .as(String.join("\n", lines)).hasSize(1);
    assertThat(lines.stream().filter(line -> line.contains("definitions are this node's already")))
      .as(String.join("\n", lines)).hasSize(2);
  }
}
