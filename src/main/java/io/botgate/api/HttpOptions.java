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
  /** How long requests in flight may take to finish once SIGTERM came. */
  public static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

  private HttpOptions() {
  }

  /** One HTTP server verticle per core: each runs on an event loop of its own. */
  public static int defaultInstances() {
    return Runtime.getRuntime().availableProcessors();
  }
}
