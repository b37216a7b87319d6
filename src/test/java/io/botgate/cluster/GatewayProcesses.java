package io.botgate.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * Botgate nodes as an operator runs them: separate {@code java io.botgate.Main --cluster} processes on
 * loopback, each on HTTP port 0 (read back from its "listening" log line) and a Hazelcast port of its own,
 * all listing the same members. Kill one with {@link Node#kill()} (SIGKILL) or {@link Node#terminate()} (SIGTERM).
 */
public final class GatewayProcesses implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("botgate listening on http://127\\.0\\.0\\.1:(\\d+)");

  /** One botgate process, its log file and (once it listens) its HTTP port. */
  public static final class Node {
    public final String id;
    public final Process process;
    public final Path log;
    private volatile int port;

    Node(String id, Process process, Path log) {
      this.id = id;
      this.process = process;
      this.log = log;
    }

    public int port() {
      return port;
    }

    public String log() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    boolean listening() {
      Matcher m = LISTENING.matcher(log());
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
        return true;
      }
      if (!process.isAlive()) {
        throw new AssertionError(id + " exited with " + process.exitValue() + " before listening:\n" + log());
      }
      return false;
    }

    /** {@code kill -9}: no goodbye to the cluster, which notices by missing heartbeats. */
    public void kill() {
      process.destroyForcibly();
    }

    /** SIGTERM: the graceful leave. */
    public void terminate() {
      process.destroy();
    }
  }

  public final List<Node> nodes = new ArrayList<>();

  /**
   * Starts {@code count} nodes of one new cluster and returns once each listens; {@code settings} are
   * extra {@code -Dkey=value} flags for every node.
   */
  public static GatewayProcesses start(int count, List<String> settings) throws IOException {
    GatewayProcesses cluster = new GatewayProcesses();
    String name = "procs-" + System.nanoTime();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ports.add(ClusterNodes.freePort());
    }
    String members = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    for (int i = 0; i < count; i++) {
      String id = "proc-" + i;
      Path log = Files.createTempFile("botgate-" + id, ".log");
      log.toFile().deleteOnExit();
      List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // Small and quick to warm: three of these share two cores with the test.
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        "-Dnode.id=" + id, "-Dcluster.name=" + name, "-Dcluster.port=" + ports.get(i),
        "-Dcluster.members=" + members, "-Degress.allow=127.0.0.1"));
      command.addAll(settings);
      command.addAll(List.of("io.botgate.Main", "--cluster", "--port", "0"));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      cluster.nodes.add(new Node(id, process, log));
    }
    try {
      await().atMost(300, TimeUnit.SECONDS).until(() -> cluster.nodes.stream().allMatch(Node::listening));
    } catch (RuntimeException | AssertionError e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  public Node node(int i) {
    return nodes.get(i);
  }

  /** The nodes whose process still runs. */
  public List<Node> alive() {
    return nodes.stream().filter(n -> n.process.isAlive()).toList();
  }

  @Override
  public void close() {
    nodes.forEach(Node::kill);
    for (Node node : nodes) {
      try {
        node.process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
