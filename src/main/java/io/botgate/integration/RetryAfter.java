package io.botgate.integration;

import io.netty.handler.codec.DateFormatter;
import io.vertx.ext.web.client.HttpResponse;

import java.util.Date;

/**
 * An upstream's {@code Retry-After} on a 429 or a 503 (RFC 9110 10.2.3, RFC 6585 4): how long it asks the caller to
 * wait before the next attempt, as delta-seconds or an HTTP-date.
 */
final class RetryAfter {

  /** None said, or nothing that reads as a delay: the backoff alone decides. */
  static final long NONE = -1;
  /**
   * The longest wait a {@code Retry-After} gives: the longest deadline an integration may have, so a larger value (a
   * day, or digits past any long) is past every call's deadline without overflowing on the way there.
   */
  static final long MAX_MS = IntegrationDefinition.MAX_TIMEOUT_MS;

  private RetryAfter() {
  }

  /** The wait in ms that {@code response} asks for; its header is read only on a 429 or a 503, not on every answer. */
  static long of(HttpResponse<?> response) {
    int status = response.statusCode();
    return readOn(status) ? millis(status, response.getHeader("Retry-After"), System.currentTimeMillis()) : NONE;
  }

  /** The wait in ms that {@code value}, the header of an answer of {@code status}, asks for at {@code nowMillis}. */
  static long millis(int status, String value, long nowMillis) {
    return readOn(status) ? millis(value, nowMillis) : NONE;
  }

  /** Whether an answer of {@code status} is one {@code Retry-After} is read on, as RFC 9110 and RFC 6585 give it. */
  private static boolean readOn(int status) {
    return status == 429 || status == 503;
  }

  /**
   * The wait {@code value} asks for: delta-seconds, or an HTTP-date less {@code nowMillis} (0 once past); at most
   * {@link #MAX_MS}. {@link #NONE} for no value or one that is neither (a negative or fractional number included).
   */
  static long millis(String value, long nowMillis) {
    if (value == null) {
      return NONE;
    }
    String text = value.trim();
    if (text.isEmpty()) {
      return NONE;
    }
    if (text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // a number of more digits than the cap has seconds is past it, however many there are
      return text.length() > 9 ? MAX_MS : Math.min(MAX_MS, Long.parseLong(text) * 1000);
    }
    Date date = DateFormatter.parseHttpDate(text); // the three forms RFC 9110 5.6.7 has recipients accept
    if (date == null) {
      return NONE;
    }
    return Math.min(MAX_MS, Math.max(0, date.getTime() - nowMillis));
  }
}
