package io.botgate.integration;

import io.vertx.core.buffer.Buffer;

/**
 * What one execution got from upstream after all attempts: an HTTP status with its body, or a
 * botgate status ("440", "502", "504") with the reason.
 *
 * @param httpStatus the upstream status, or 0 when none was received
 * @param reason     why there is no usable upstream answer; null when there is one
 * @param worthRetrying whether another attempt might fare better
 * @param retryAfterMs  how long the upstream asked to be left alone before another attempt ({@link RetryAfter}), or
 *                      {@link RetryAfter#NONE}
 */
record UpstreamResponse(String statusCode, int httpStatus, Buffer body, int attempts, String reason,
                        boolean worthRetrying, long retryAfterMs) {

  /** A credential could not be obtained. */
  static final String CREDENTIAL_UNAVAILABLE = "460";

  /**
   * The status codes as text, made once: every session keeps its last results, and a string per result
   * was hundreds of thousands of copies of "200" for the young collections to move.
   */
  private static final String[] CODES = new String[600];

  static {
    for (int code = 100; code < CODES.length; code++) {
      CODES[code] = Integer.toString(code);
    }
  }

  static UpstreamResponse of(int httpStatus, Buffer body, int attempts) {
    return of(httpStatus, body, attempts, RetryAfter.NONE);
  }

  /** An HTTP answer whose {@code Retry-After} asked for a wait of {@code retryAfterMs} before another attempt. */
  static UpstreamResponse of(int httpStatus, Buffer body, int attempts, long retryAfterMs) {
    boolean again = httpStatus == 429 || httpStatus >= 500 && httpStatus < 600 && httpStatus != 501; // 5xx only: not 600, 999
    String code = httpStatus >= 100 && httpStatus < CODES.length ? CODES[httpStatus] : Integer.toString(httpStatus);
    return new UpstreamResponse(code, httpStatus, body, attempts, null, again, retryAfterMs);
  }

  static UpstreamResponse failure(String statusCode, String reason, int attempts) {
    return new UpstreamResponse(statusCode, 0, null, attempts, reason, false, RetryAfter.NONE);
  }

  /** A transport failure such as a refused or reset connection: worth another attempt. */
  static UpstreamResponse transportFailure(String reason, int attempts) {
    return new UpstreamResponse("502", 0, null, attempts, reason, true, RetryAfter.NONE);
  }
}
