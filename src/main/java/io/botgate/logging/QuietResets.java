package io.botgate.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

import java.io.IOException;

/**
 * Drops the ERROR, with its stack trace, that vertx-tcp-eventbus-bridge logs each time a client's connection
 * fails in the transport (a client that resets or vanishes: "Connection reset by peer"). That is a client going
 * away, not a fault of the gateway's, and any client could fill the log with it. The bridge still cleans up
 * after the connection as before; its other errors are logged as they were. On botgate's own appender, so only
 * events written are looked at.
 */
final class QuietResets extends Filter<ILoggingEvent> {

  static final String BRIDGE = "io.vertx.ext.eventbus.bridge.tcp.impl.TcpEventBusBridgeImpl";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return event.getLevel() == Level.ERROR && BRIDGE.equals(event.getLoggerName())
      && event.getThrowableProxy() instanceof ThrowableProxy thrown && thrown.getThrowable() instanceof IOException
      ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
