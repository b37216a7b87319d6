package io.botgate.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import io.botgate.session.ClusteredSessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A botgate node in a cluster: Vert.x's clustered event bus and shared data on Hazelcast
 * (vertx-hazelcast), joined over TCP-IP to the configured members, never by multicast.
 */
public final class ClusterNode {

  /** The member attribute naming each node's {@code node.id}, shown by {@code GET /api/cluster}. */
  public static final String NODE_ATTRIBUTE = ClusteredSessionStore.NODE_ATTRIBUTE;
  /** The secrets the nodes have sent (events.ClusterSecrets): at most about as many as a node keeps. */
  public static final String SECRETS_MAP = "botgate.secrets";
  /** The names of botgate's own Hazelcast maps (Vert.x's start with {@code __vertx.}). */
  static final String OWN_MAPS = "botgate.*";
  private static final int SECRETS_KEPT = 4096;

  private ClusterNode() {
  }

  /**
   * Hazelcast's configuration for these options: Vert.x's own maps (its default-cluster.xml), the TCP-IP
   * join, and the sessions' map with {@code cluster.backups} copies that forgets sessions idle for
   * {@code idleMillis}.
   */
  public static Config hazelcastConfig(ClusterOptions options, long idleMillis, String nodeId) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(options.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // A node that vanished (kill -9, a cable) is declared dead after 10 s without heartbeats, not 60.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    // A node cut off that long (a pause, a network fault) is merged back every 10 s, not after 2 to 5 minutes of
    // two clusters serving the same sessions apart.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "10");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
    config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, nodeId)
      .setAttribute(ClusteredSessionStore.FORMAT_ATTRIBUTE, ClusteredSessionStore.FORMAT);
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(options.port()).setPortAutoIncrement(true).setPortCount(ClusterOptions.PORT_COUNT);
    if (isAddress(options.host())) {
      network.getInterfaces().setEnabled(true).addInterface(options.host());
    }
    config.setProperty("hazelcast.local.localAddress", options.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(options.joinMembers());
    // Every map of botgate's (definitions and their stamps, the secrets, the Context Service's data, the console's
    // stream id...) outlives as many nodes dying at once as the sessions do: with Hazelcast's one backup, two
    // nodes killed together took part of the definitions with them, and a node joining afterwards took the
    // partial set as the cluster's, wrote it to its file, and a rolling restart made the loss everyone's.
    // Added whole, by exact name: getMapConfig would hand back the wildcard's own config for these to change.
    config.addMapConfig(new MapConfig(OWN_MAPS).setBackupCount(options.backups()));
    config.addMapConfig(new MapConfig(SECRETS_MAP).setBackupCount(options.backups())
      .setEvictionConfig(new EvictionConfig().setEvictionPolicy(EvictionPolicy.LRU)
      .setMaxSizePolicy(MaxSizePolicy.PER_NODE).setSize(SECRETS_KEPT)));
    config.addMapConfig(new MapConfig(ClusteredSessionStore.MAP)
      .setStatisticsEnabled(false) // counted per operation, two operations per execution; nobody reads them
      .setBackupCount(options.backups())
      .setMaxIdleSeconds((int) Math.min(Integer.MAX_VALUE, Math.max(1, idleMillis / 1000))));
    return config;
  }

  /** Starts Vert.x as a member of the cluster these options describe. */
  public static Future<Vertx> start(VertxOptions vertxOptions, ClusterOptions options, long idleMillis, String nodeId) {
    return start(Vertx.builder(), vertxOptions, options, idleMillis, nodeId);
  }

  /** The same from a builder already given its metrics. */
  public static Future<Vertx> start(VertxBuilder builder, VertxOptions vertxOptions, ClusterOptions options,
                                    long idleMillis, String nodeId) {
    // The event bus between nodes listens on the cluster's address too (any free port), not on every interface.
    vertxOptions.getEventBusOptions().setHost(options.host());
    return builder.with(vertxOptions)
      .withClusterManager(new HazelcastClusterManager(hazelcastConfig(options, idleMillis, nodeId)))
      .buildClustered();
  }

  /** The Hazelcast member under a clustered Vert.x, or null when this Vert.x is not clustered. */
  public static HazelcastInstance hazelcast(Vertx vertx) {
    if (vertx instanceof VertxInternal internal
      && internal.clusterManager() instanceof HazelcastClusterManager manager) {
      return manager.getHazelcastInstance();
    }
    return null;
  }

  /**
   * {@code GET /api/cluster}: the members and which one answered; one node alone lists itself.
   */
  public static JsonObject describe(Vertx vertx, String nodeId) {
    HazelcastInstance hazelcast = hazelcast(vertx);
    JsonArray members = new JsonArray();
    if (hazelcast == null) {
      members.add(new JsonObject().put("node", nodeId).put("self", true));
      return new JsonObject().put("clustered", false).put("answeredBy", nodeId).put("members", members);
    }
    for (Member member : hazelcast.getCluster().getMembers()) {
      members.add(new JsonObject()
        .put("node", member.getAttribute(NODE_ATTRIBUTE))
        .put("address", member.getAddress().getHost() + ":" + member.getAddress().getPort())
        .put("uuid", member.getUuid().toString())
        .put("self", member.localMember()));
    }
    return new JsonObject().put("clustered", true).put("name", hazelcast.getConfig().getClusterName())
      .put("answeredBy", nodeId).put("members", members);
  }

  private static boolean isAddress(String host) {
    if (!host.matches("[0-9.]+|.*:.*")) {
      return false;
    }
    try {
      InetAddress.getByName(host);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
