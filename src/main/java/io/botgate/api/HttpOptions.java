package io.botgate.api;

/**
 * The defaults of the HTTP side's settings ({@code http.*}, {@code body.limit.bytes},
 * {@code shutdown.graceSeconds}): the one place each is written. The verticle reads the values from the
 * configuration, where these fill in what a file leaves out.
 */
public final class HttpOptions {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_BODY_LIMIT_BYTES = 1 << 20;
  /** {@code body.held.bytes}: 0, a sixteenth of the heap ({@link HeldBodies}). */
  public static final int DEFAULT_BODY_HELD_BYTES = 0;
  /**
   * How long a connection may hold its socket without a request for the gateway to answer (an upload, from its
   * last bytes) before the gateway closes it: a client that connects and never finishes its request (or sends
   * nothing) would otherwise hold a socket, and a file descriptor, forever. Above the console's heartbeat period and the default integration deadline, so an
   * open console and a waiting execution are not cut; 0 turns it off.
   */
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
  /** How long requests in flight may take to finish once SIGTERM came. */
  public static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

  private HttpOptions() {
  }

  /** One HTTP server verticle per core: each runs on an event loop of its own. */
  public static int defaultInstances() {
    return Runtime.getRuntime().availableProcessors();
  }
}
