package io.botgate.console;

/**
 * Console settings: subscriptions per connection, the bytes a connection may have queued on its socket
 * before its events are dropped, the heartbeat period, how many kept events one subscription replays,
 * and how many events may wait for the connection's event loop.
 */
public record ConsoleOptions(int maxSubscriptions, int queueBytes, long heartbeatMillis, int maxReplay,
                             int maxInbox) {

  public static final int DEFAULT_INBOX = 10_000;
}
