package io.botgate.logging;

import java.util.List;
import java.util.Locale;

/**
 * How the gateway logs: the line format, the level, and whether every HTTP request gets an access line.
 *
 * @param format {@code text} (readable lines) or {@code json} (one JSON object a line) ({@code log.format})
 * @param level  the least severe level written: trace, debug, info, warn, error or off ({@code log.level})
 * @param access one line for every HTTP request ({@code log.access})
 * @param repeatsPerSecond lines of one kind written a second at most, 0 for all ({@code log.repeats.perSecond};
 *                         see {@link RepeatedLines})
 * @param linesPerSecond   lines written a second in all at most, 0 for all ({@code log.lines.perSecond}): what a
 *                         flood of lines that differ writes at most
 */
public record LogOptions(String format, String level, boolean access, int repeatsPerSecond, int linesPerSecond) {

  public static final String DEFAULT_FORMAT = "text";
  public static final String DEFAULT_LEVEL = "info";
  public static final boolean DEFAULT_ACCESS = false;
  public static final int DEFAULT_REPEATS_PER_SECOND = 10;
  /**
   * Ten kinds at their limit each: a node writes a few dozen lines in its busiest second of a normal run (a
   * cluster's start), and a flood of any lines writes at most about 2 GB a day at 250 bytes a line.
   */
  public static final int DEFAULT_LINES_PER_SECOND = 100;
  public static final List<String> FORMATS = List.of("text", "json");
  public static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");

  public static final LogOptions DEFAULTS = new LogOptions(DEFAULT_FORMAT, DEFAULT_LEVEL, DEFAULT_ACCESS);

  public LogOptions(String format, String level, boolean access) {
    this(format, level, access, DEFAULT_REPEATS_PER_SECOND, DEFAULT_LINES_PER_SECOND);
  }

  public LogOptions {
    format = format == null ? DEFAULT_FORMAT : format.trim().toLowerCase(Locale.ROOT);
    level = level == null ? DEFAULT_LEVEL : level.trim().toLowerCase(Locale.ROOT);
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException("log.format: '" + format + "' is not one of " + String.join(", ", FORMATS));
    }
    if (!LEVELS.contains(level)) {
      throw new IllegalArgumentException("log.level: '" + level + "' is not one of " + String.join(", ", LEVELS));
    }
    if (repeatsPerSecond < 0) {
      throw new IllegalArgumentException("log.repeats.perSecond must be at least 0, not " + repeatsPerSecond);
    }
    if (linesPerSecond < 0) {
      throw new IllegalArgumentException("log.lines.perSecond must be at least 0, not " + linesPerSecond);
    }
  }

  public boolean json() {
    return format.equals("json");
  }
}
