package io.botgate.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

import java.io.IOException;

/**
 * Drops the ERROR, with its stack trace, that vertx-tcp-eventbus-bridge logs each time a client's connection
 * fails in the transport (a client that resets or vanishes: "Connection reset by peer"). That is a client going
 * away, not a fault of the gateway's, and any client could fill the log with it. The bridge still cleans up
 * after the connection as before; its other errors are logged as they were.
 */
final class QuietResets extends TurboFilter {

  static final String BRIDGE = "io.vertx.ext.eventbus.bridge.tcp.impl.TcpEventBusBridgeImpl";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return t instanceof IOException && level == Level.ERROR && BRIDGE.equals(logger.getName()) ? FilterReply.DENY
      : FilterReply.NEUTRAL;
  }
}
