package io.botgate.console;

/**
 * Console settings: subscriptions per connection, the bytes a connection may have queued on its socket
 * before its events are dropped and its replies held, the heartbeat period, how many kept events one
 * subscription replays per session, how many events (and bytes of them) may wait for the connection's
 * event loop, and how many frames a client may send per second before reading pauses for the rest of it.
 */
public record ConsoleOptions(int maxSubscriptions, int queueBytes, long heartbeatMillis, int maxReplay,
                             int maxInbox, long maxInboxBytes, int framesPerSecond) {

  public static final int DEFAULT_SUBSCRIPTIONS = 20;
  public static final int DEFAULT_QUEUE_BYTES = 256 << 10;
  public static final int DEFAULT_HEARTBEAT_SECONDS = 20;
  /** The largest frame, and message, a client may send ({@code console.frame.bytes}). */
  public static final int DEFAULT_FRAME_BYTES = 256 << 10;
  public static final int DEFAULT_FRAMES_PER_SECOND = 100;
  public static final int DEFAULT_INBOX = 10_000;
  public static final long DEFAULT_INBOX_BYTES = 1L << 20;
}
