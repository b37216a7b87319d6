package io.botgate.api;

import io.botgate.integration.IntegrationDefinition;

/**
 * TCP event-bus bridge settings: where it listens ({@code port} {@link #OFF} = not at all, 0 = any free
 * port), the auth token every frame must carry (null = none), the largest frame a client may send, how
 * many addresses one connection may register, how many bytes a client may leave unread before it is
 * disconnected, how many connections may be open from one remote address (so that one host cannot take every place;
 * on loopback every local client shares one address) and at once (each may hold a frame in the making: together
 * at most {@code maxConnections * maxFrameBytes} bytes, whoever sends them), and how long a new connection has to
 * send its first frame the bridge accepts (with a token, one carrying it) before it is closed, so connections
 * that never say anything cannot hold those places for good; and how long a request waits for its reply unless
 * its frame says (a {@code timeout} header): longer than botgate itself lets a request run, which always replies.
 */
public record BridgeOptions(String host, int port, String token, int maxFrameBytes, int maxRegistrations,
                            int maxQueueBytes, int maxConnections, int maxConnectionsPerAddress, int firstFrameSeconds,
                            long replyTimeoutMs) {

  public static final int OFF = -1;
  /** Matches {@code body.limit.bytes}: a request through the bridge is as large as one over HTTP may be. */
  public static final int DEFAULT_FRAME_BYTES = 1_048_576;
  public static final int DEFAULT_REGISTRATIONS = 100;
  /** Above the largest reply: an execution's can carry its upstream body (upstream.limit.bytes) twice. */
  public static final int DEFAULT_QUEUE_BYTES = 16 * 1_048_576;
  /** With the default frame size, 64 MiB at most held in frames not all come. */
  public static final int DEFAULT_CONNECTIONS = 64;
  /** {@code bridge.connectionsPerAddress}: a quarter of {@link #DEFAULT_CONNECTIONS}. */
  public static final int DEFAULT_CONNECTIONS_PER_ADDRESS = 16;
  /** Twice the ping interval of Vert.x's bridge clients (5 s), which register as soon as they connect. */
  public static final int DEFAULT_FIRST_FRAME_SECONDS = 10;
  /** {@code bridge.reply.seconds}: 0, longer than botgate lets a request run ({@link #replyTimeoutMs}). */
  public static final int DEFAULT_REPLY_SECONDS = 0;

  /**
   * How long a bridge request waits for its reply: {@code seconds}, or with 0 longer than botgate lets a request
   * run, which always replies: the longest deadline an integration may have, the wait for a session's turn another
   * node holds, and a minute.
   */
  public static long replyTimeoutMs(int seconds, int turnWaitSeconds) {
    return seconds != 0 ? seconds * 1000L : IntegrationDefinition.MAX_TIMEOUT_MS + turnWaitSeconds * 1000L + 60_000;
  }

  public boolean enabled() {
    return port != OFF;
  }
}
