package io.botgate.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.slf4j.event.KeyValuePair;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code log.repeats.perSecond} lines a second of each kind (a logger, a level and a message pattern, such
 * as ApiRoutes' WARN {@code "limit hit: {}"} or the executor's WARN {@code "execution failed: {}"}), and at most
 * {@code log.lines.perSecond} lines a second in all; past either, lines are counted, and once their second is over
 * one line says how many were not written: of the kind's logger and level for a kind, of this class at WARN for all.
 * A flood of refused requests (bodies over the limit, calls the egress guard refuses, failing upstreams) wrote a
 * line per request, thousands a second, drowning every other line and filling the disk; lines that differ (a
 * message built per call, or many kinds at once) went past the limit of a kind, a thousand a second, hence the
 * bound on all. The access log ({@code log.access}) is meant to have a line per request and is never limited, nor
 * counted.
 * <p>
 * A second is the second of a line's own time stamp, so no second of the log holds more than the limit of a kind;
 * a line that reaches the count after a later line of its kind opened the next second is counted as not written.
 * For the bound on all, a line stamped before the latest second seen counts in that second (lines of many threads
 * meet out of order at each second's turn; none is refused for it). A line its kind refuses does not count in the
 * bound on all, so the summaries of kinds in a second are at most that bound over the limit of a kind. The kinds
 * followed at once are bounded ({@link #MAX_KINDS}): past that, a kind is its logger and level alone (a message
 * built by concatenation, a path in it, is a kind of its own each time).
 */
final class RepeatedLines {

  /** Kinds followed at once, each with its logger, level and message pattern; more share one per logger and level. */
  static final int MAX_KINDS = 1024;
  /** The longest message pattern a summary quotes. */
  static final int QUOTED_CHARS = 200;

  private final int perSecond;
  private final int allPerSecond;
  private final LoggerContext context;
  private final Map<String, Second> seconds = new ConcurrentHashMap<>();
  /** The lines of every kind in the latest second seen. */
  private final Second all = new Second(RepeatedLines.class.getName(), Level.WARN, null, Long.MIN_VALUE);

  /**
   * @param perSecond    lines of a kind written a second at most; 0: no limit per kind
   * @param allPerSecond lines written a second in all at most; 0: no limit in all
   */
  RepeatedLines(int perSecond, int allPerSecond, LoggerContext context) {
    this.perSecond = perSecond;
    this.allPerSecond = allPerSecond;
    this.context = context;
  }

  /** Whether any line may be left out: else {@link #admit} takes every one and there is nothing to summarize. */
  boolean limits() {
    return perSecond > 0 || allPerSecond > 0;
  }

  /** The lines of one kind in one second: how many were written and how many were not. */
  private static final class Second {
    final String logger;
    final Level level;
    final String pattern;
    long second;
    int written;
    long suppressed;
    /** Forgotten by {@link #ended}: a line that still finds it looks its kind up again. */
    boolean gone;

    Second(String logger, Level level, String pattern, long second) {
      this.logger = logger;
      this.level = level;
      this.pattern = pattern;
      this.second = second;
    }
  }

  /** Whether the line is written; if not, it is counted for its second's summary. */
  boolean admit(ILoggingEvent event) {
    if (!limits() || AccessLog.LOGGER.equals(event.getLoggerName())) {
      return true;
    }
    long second = Math.floorDiv(event.getTimeStamp(), 1000L);
    if (perSecond <= 0) {
      return counted(second);
    }
    List<ILoggingEvent> summaries = null;
    for (;;) {
      Second kind = kindOf(event, second);
      synchronized (kind) {
        if (kind.gone) {
          continue;
        }
        if (second > kind.second) { // the kind's earlier second is over: said now, the next one's line first
          if (kind.suppressed > 0) {
            summaries = List.of(summary(kind));
          }
          kind.second = second;
          kind.written = 0;
          kind.suppressed = 0;
        }
        boolean written = second == kind.second && kind.written < perSecond;
        if (!written) {
          kind.suppressed++;
        } else if (counted(second)) {
          kind.written++;
        } else {
          written = false; // counted in the summary of all, not the kind's
        }
        pending(summaries);
        return written;
      }
    }
  }

  /** Whether the bound on all lines lets one more of this second through; if not, it is counted for the summary. */
  private boolean counted(long second) {
    if (allPerSecond <= 0) {
      return true;
    }
    synchronized (all) {
      if (second > all.second) { // the earlier second is over: said now
        if (all.suppressed > 0) {
          pending(List.of(summary(all)));
        }
        all.second = second;
        all.written = 0;
        all.suppressed = 0;
      }
      if (all.written < allPerSecond) {
        all.written++;
        return true;
      }
      all.suppressed++;
      return false;
    }
  }

  private Second kindOf(ILoggingEvent event, long second) {
    String pattern = event.getMessage() == null ? "" : event.getMessage();
    String key = event.getLoggerName() + '\n' + event.getLevel() + '\n' + pattern;
    Second kind = seconds.get(key);
    if (kind != null) {
      return kind;
    }
    if (seconds.size() >= MAX_KINDS) {
      key = event.getLoggerName() + '\n' + event.getLevel();
      pattern = null;
    }
    String quoted = pattern;
    return seconds.computeIfAbsent(key, k -> new Second(event.getLoggerName(), event.getLevel(), quoted, second));
  }

  /** Summaries the next {@link #ended} hands out first (those of a kind whose next line came before it ran). */
  private final List<ILoggingEvent> waiting = new ArrayList<>();

  private void pending(List<ILoggingEvent> summaries) {
    if (summaries != null) {
      synchronized (waiting) {
        waiting.addAll(summaries);
      }
    }
  }

  /**
   * The summaries of every second over before {@code nowMillis} in which lines were not written, and of those
   * said since the last call; the kinds with nothing left to say are forgotten (what holds the memory bounded).
   */
  List<ILoggingEvent> ended(long nowMillis) {
    List<ILoggingEvent> out;
    synchronized (waiting) {
      out = new ArrayList<>(waiting);
      waiting.clear();
    }
    long now = Math.floorDiv(nowMillis, 1000L);
    synchronized (all) {
      if (all.second < now && all.suppressed > 0) {
        out.add(summary(all));
        all.suppressed = 0;
      }
    }
    seconds.forEach((key, kind) -> {
      synchronized (kind) {
        if (kind.gone) { // said by another call meanwhile (the stop's, beside the summaries thread's)
          return;
        }
        if (kind.second < now) {
          if (kind.suppressed > 0) {
            out.add(summary(kind));
          }
          kind.gone = true;
          seconds.remove(key, kind);
        }
      }
    });
    return out;
  }

  /** Kinds followed now (for tests). */
  int kinds() {
    return seconds.size();
  }

  private ILoggingEvent summary(Second kind) {
    Logger logger = context.getLogger(kind.logger);
    String text;
    if (kind == all) {
      text = kind.suppressed + " more lines in the second from " + Instant.ofEpochSecond(kind.second)
        + " were not written (at most " + allPerSecond + " a second in all: log.lines.perSecond)";
    } else {
      String like = kind.pattern == null ? "of this logger and level" : "like \"" + quoted(kind.pattern) + "\"";
      text = kind.suppressed + " more lines " + like + " in the second from " + Instant.ofEpochSecond(kind.second)
        + " were not written (at most " + perSecond + " a second of each kind: log.repeats.perSecond)";
    }
    LoggingEvent line = new LoggingEvent(Logger.FQCN, logger, kind.level, text, null, null);
    line.addKeyValuePair(new KeyValuePair("suppressed", kind.suppressed));
    line.prepareForDeferredProcessing();
    return line;
  }

  private static String quoted(String pattern) {
    String oneLine = pattern.replace('\n', ' ').replace('\r', ' ');
    return oneLine.length() <= QUOTED_CHARS ? oneLine : oneLine.substring(0, QUOTED_CHARS) + "…";
  }
}
