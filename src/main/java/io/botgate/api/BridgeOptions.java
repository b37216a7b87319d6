package io.botgate.api;

/**
 * TCP event-bus bridge settings: where it listens ({@code port} {@link #OFF} = not at all, 0 = any free
 * port), the auth token every frame must carry (null = none), the largest frame a client may send, how
 * many addresses one connection may register, and how many bytes a client may leave unread before it is
 * disconnected.
 */
public record BridgeOptions(String host, int port, String token, int maxFrameBytes, int maxRegistrations,
                            int maxQueueBytes) {

  public static final int OFF = -1;
  /** Matches {@code body.limit.bytes}: a request through the bridge is as large as one over HTTP may be. */
  public static final int DEFAULT_FRAME_BYTES = 1_048_576;
  public static final int DEFAULT_REGISTRATIONS = 100;
  /** Above the largest reply: an execution's can carry its upstream body (upstream.limit.bytes) twice. */
  public static final int DEFAULT_QUEUE_BYTES = 16 * 1_048_576;

  public boolean enabled() {
    return port != OFF;
  }
}
