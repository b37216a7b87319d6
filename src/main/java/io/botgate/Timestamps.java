package io.botgate;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * ISO-8601 UTC timestamps with milliseconds, always three digits ({@code 2026-11-28T09:15:02.040Z}).
 * Every debug event and result carries one; formatting the date and time of day once per second instead
 * of once per call keeps that cheap.
 */
public final class Timestamps {

  /** The last second formatted, as {@code yyyy-MM-ddTHH:mm:ss}; immutable, so safe to share. */
  private record Second(long epochSecond, String text) {
  }

  private static volatile Second last = new Second(Long.MIN_VALUE, "");

  private Timestamps() {
  }

  public static String iso(long epochMillis) {
    int millis = (int) Math.floorMod(epochMillis, 1000);
    StringBuilder out = new StringBuilder(24).append(secondOf(epochMillis)).append('.');
    if (millis < 100) {
      out.append('0');
    }
    if (millis < 10) {
      out.append('0');
    }
    return out.append(millis).append('Z').toString();
  }

  /** The date and time of day of the time's second, {@code yyyy-MM-ddTHH:mm:ss} (what precedes the milliseconds). */
  public static String secondOf(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Second cached = last;
    if (cached.epochSecond() != second) {
      String whole = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(second));
      cached = new Second(second, whole.substring(0, whole.length() - 1)); // without its "Z"
      last = cached;
    }
    return cached.text();
  }
}
