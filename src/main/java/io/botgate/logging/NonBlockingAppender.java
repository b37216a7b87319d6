package io.botgate.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands each line to a thread of its own that writes it, so that no event loop waits on standard error: written
 * by the logging thread itself, one WARN of a failed execution blocked that loop for as long as the pipe's reader
 * stalled (a paused terminal, a log shipper behind), and every other loop then waited on the appender's lock —
 * an upstream outage with a slow log reader left the gateway answering nothing, /health included. Past
 * {@link #QUEUE} lines waiting, a line is dropped rather than waited for (Logback's {@code neverBlock}), whatever
 * its level; once the writer has caught up, a WARN line says how many were.
 */
final class NonBlockingAppender extends AsyncAppender {

  /** Lines waiting to be written at the most. */
  static final int QUEUE = 8192;

  private final AtomicLong dropped = new AtomicLong();

  NonBlockingAppender() {
    setQueueSize(QUEUE);
    setDiscardingThreshold(0); // none dropped by level before the queue is full
    setNeverBlock(true);
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (getRemainingCapacity() == 0) {
      dropped.incrementAndGet(); // offered to a full queue, which drops it (about: the writer may take one meanwhile)
    } else {
      long lost = dropped.get();
      if (lost > 0 && getRemainingCapacity() > QUEUE / 2 && dropped.compareAndSet(lost, 0)) {
        super.append(droppedLine(lost));
      }
    }
    super.append(event);
  }

  /**
   * Says the count of lines dropped since the last note before the writer's last lines are flushed: otherwise it
   * waits for a next line, and a burst that ends the log (warnings, then SIGTERM) took it with the process.
   */
  @Override
  public void stop() {
    long lost = dropped.getAndSet(0);
    if (lost > 0 && isStarted() && getRemainingCapacity() > 0) {
      super.append(droppedLine(lost));
    }
    super.stop();
  }

  private ILoggingEvent droppedLine(long lost) {
    Logger logger = ((ch.qos.logback.classic.LoggerContext) getContext()).getLogger(NonBlockingAppender.class);
    LoggingEvent line = new LoggingEvent(Logger.FQCN, logger, Level.WARN, "about " + lost + " log lines were "
      + "dropped: standard error was not read as fast as they came (the gateway never waits on its log)", null, null);
    line.prepareForDeferredProcessing();
    return line;
  }
}
