package io.botgate.cluster;

import io.botgate.HostPort;

import java.util.List;

/**
 * How a node joins the cluster ({@code cluster.*}): Hazelcast's TCP-IP join, never multicast.
 *
 * @param enabled whether this node joins a cluster at all ({@code cluster.enabled})
 * @param name    the cluster's name: nodes with another name never join it ({@code cluster.name})
 * @param host    the address Hazelcast binds and announces ({@code cluster.host})
 * @param port    its first port; the next ones are tried when taken, so several nodes share a machine
 *                ({@code cluster.port})
 * @param members where the other nodes are, {@code host} or {@code host:port} ({@code cluster.members});
 *                empty means {@code cluster.host}, the nodes of one machine
 * @param backups copies of each session on other nodes ({@code cluster.backups}, at least 1)
 * @param turnWaitSeconds how long a turn waits while another node holds its session before its request answers
 *                503 {@code session_busy} ({@code cluster.turnWaitSeconds}), from the request's arrival, its wait
 *                behind the session's earlier requests on this node included; and for the cluster to answer the
 *                operation taking the turn, before 503 {@code session_store_timeout}
 */
public record ClusterOptions(boolean enabled, String name, String host, int port, List<String> members, int backups,
                             int turnWaitSeconds) {

  public static final String DEFAULT_NAME = "botgate";
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  public static final int DEFAULT_BACKUPS = 1;
  public static final int DEFAULT_TURN_WAIT_SECONDS = 120;
  /** Ports tried after {@code cluster.port} when it is taken. */
  public static final int PORT_COUNT = 20;

  public ClusterOptions {
    if (backups < 1 || backups > 6) {
      throw new IllegalArgumentException("cluster.backups must be 1 to 6 (Hazelcast's limit), not " + backups);
    }
    if (port < 1 || port > 65535 - PORT_COUNT) {
      throw new IllegalArgumentException("cluster.port must be a port number, not " + port);
    }
    if (turnWaitSeconds < 1) {
      throw new IllegalArgumentException("cluster.turnWaitSeconds must be at least 1, not " + turnWaitSeconds);
    }
    members = List.copyOf(members);
    members.forEach(ClusterOptions::checkMember);
  }

  /**
   * Hazelcast refused such a member only once joining, in stack traces that named neither it nor the setting. The
   * configuration is checked by the same rule as it is read, where the message also says where the value came from.
   */
  private static void checkMember(String member) {
    HostPort.hostAndPortProblem(member).ifPresent(problem -> {
      throw new IllegalArgumentException("cluster.members: '" + member + "' " + problem);
    });
  }

  /** The members to join: those configured, or this machine's ports from {@code cluster.port} on. */
  public List<String> joinMembers() {
    return members.isEmpty() ? List.of(host) : members;
  }
}
