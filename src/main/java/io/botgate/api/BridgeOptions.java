package io.botgate.api;

/**
 * TCP event-bus bridge settings: where it listens ({@code port} {@link #OFF} = not at all, 0 = any free
 * port), the auth token every frame must carry (null = none), the largest frame a client may send, and how
 * many addresses one connection may register.
 */
public record BridgeOptions(String host, int port, String token, int maxFrameBytes, int maxRegistrations) {

  public static final int OFF = -1;
  /** Matches {@code body.limit.bytes}: a request through the bridge is as large as one over HTTP may be. */
  public static final int DEFAULT_FRAME_BYTES = 1_048_576;
  public static final int DEFAULT_REGISTRATIONS = 100;

  public boolean enabled() {
    return port != OFF;
  }
}
