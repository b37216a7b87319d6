package io.botgate.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands each line to a thread of its own that writes it, so that no event loop waits on standard error: written
 * by the logging thread itself, one WARN of a failed execution blocked that loop for as long as the pipe's reader
 * stalled (a paused terminal, a log shipper behind), and every other loop then waited on the appender's lock —
 * an upstream outage with a slow log reader left the gateway answering nothing, /health included. Past
 * {@link #QUEUE} lines waiting, a line is dropped rather than waited for (Logback's {@code neverBlock}), whatever
 * its level; once the writer has caught up, a WARN line says how many were. Lines repeated past
 * {@code log.repeats.perSecond} a second, and any past {@code log.lines.perSecond} a second in all, are counted rather
 * than written ({@link RepeatedLines}), and a line a second later says how many.
 */
final class NonBlockingAppender extends AsyncAppender {

  /** Lines waiting to be written at the most. */
  static final int QUEUE = 8192;

  private final AtomicLong dropped = new AtomicLong();
  private final int repeatsPerSecond;
  private final int linesPerSecond;
  private RepeatedLines repeats;
  /** Says, each second, how many lines of each kind were not written in the second before. */
  private ScheduledExecutorService summaries;
  /**
   * Held while summaries are made and enqueued, by the summaries thread each second and by {@link #stop} last, so
   * that a stop never makes again a summary the thread is making (the count said twice), nor lets the writer end
   * before the thread has enqueued it (never written).
   */
  private final Object summarizing = new Object();
  private boolean stopping;

  /**
   * @param repeatsPerSecond lines of one kind written a second at most ({@code log.repeats.perSecond}; 0: all)
   * @param linesPerSecond   lines written a second in all at most ({@code log.lines.perSecond}; 0: all)
   */
  NonBlockingAppender(int repeatsPerSecond, int linesPerSecond) {
    this.repeatsPerSecond = repeatsPerSecond;
    this.linesPerSecond = linesPerSecond;
    setQueueSize(QUEUE);
    setDiscardingThreshold(0); // none dropped by level before the queue is full
    setNeverBlock(true);
  }

  @Override
  public void start() {
    repeats = new RepeatedLines(repeatsPerSecond, linesPerSecond, (LoggerContext) getContext());
    super.start();
    if (repeats.limits()) {
      summaries = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "botgate-log-repeats");
        thread.setDaemon(true);
        return thread;
      });
      summaries.scheduleAtFixedRate(this::summarize, 1, 1, TimeUnit.SECONDS);
    }
  }

  private void summarize() {
    synchronized (summarizing) {
      if (stopping) {
        return;
      }
      try {
        repeats.ended(System.currentTimeMillis()).forEach(this::enqueue);
      } catch (RuntimeException e) {
        addError("could not say how many log lines were not written", e); // the next second tries again
      }
    }
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (repeats == null || repeats.admit(event)) {
      enqueue(event);
    }
  }

  private void enqueue(ILoggingEvent event) {
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
    if (summaries != null) {
      summaries.shutdown();
      synchronized (summarizing) { // after a summary being made now is enqueued; none made after the last ones
        stopping = true;
        if (isStarted()) {
          repeats.ended(Long.MAX_VALUE).forEach(this::enqueue);
        }
      }
    }
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
