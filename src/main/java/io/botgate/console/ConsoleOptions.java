package io.botgate.console;

/**
 * Console settings: subscriptions per connection, the bytes a connection may have queued before its
 * events are dropped, the heartbeat period, and how many kept events one subscription replays.
 */
public record ConsoleOptions(int maxSubscriptions, int queueBytes, long heartbeatMillis, int maxReplay) {
}
