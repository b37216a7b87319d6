package io.botgate.proxy;

/**
 * Pass-through settings. The bodies stream, so their limits are separate from the buffered ones of the
 * API ({@code body.limit.bytes}) and of executions ({@code upstream.limit.bytes}); the latter still bounds
 * what {@code "capture": true} keeps of an answer.
 *
 * @param requestLimitBytes  the most a caller may send upstream ({@code proxy.request.limit.bytes})
 * @param responseLimitBytes the most an upstream may send back ({@code proxy.response.limit.bytes})
 * @param captureLimitBytes  the most of a JSON answer kept for {@code api_<rdv>} ({@code upstream.limit.bytes})
 */
public record PassThroughOptions(long requestLimitBytes, long responseLimitBytes, long captureLimitBytes) {

  public static final int DEFAULT_REQUEST_LIMIT_BYTES = 104_857_600;
  public static final int DEFAULT_RESPONSE_LIMIT_BYTES = 104_857_600;
  /** Connections each event loop keeps per upstream host; more callers on that loop wait for one. */
  public static final int DEFAULT_POOL_SIZE = 64;
}
