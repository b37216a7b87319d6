package io.botgate;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;

/**
 * An error a caller can act on: a stable code, a message saying what was wrong and where, and the HTTP
 * status the API answers with. Optional details (e.g. every problem of a definition) travel along.
 */
public final class GatewayError extends RuntimeException {

  /** Encoded once, not on every answer. */
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");

  private final int httpStatus;
  private final String code;
  private final JsonObject details;

  public GatewayError(int httpStatus, String code, String message) {
    this(httpStatus, code, message, null);
  }

  public GatewayError(int httpStatus, String code, String message, JsonObject details) {
    super(message, null, false, false);
    this.httpStatus = httpStatus;
    this.code = code;
    this.details = details;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String code() {
    return code;
  }

  /** {@code {"error": {"code": ..., "message": ..., ...details}}} */
  public JsonObject toJson() {
    JsonObject error = new JsonObject().put("code", code).put("message", getMessage());
    if (details != null) {
      error.mergeIn(details);
    }
    return new JsonObject().put("error", error);
  }

  public static GatewayError notFound(String code, String message) {
    return new GatewayError(404, code, message);
  }

  public static GatewayError badRequest(String code, String message) {
    return new GatewayError(400, code, message);
  }

  /**
   * The head of every JSON answer of the gateway's own, errors included (the API's, and the pass-through's
   * refusals): JSON, which no cache keeps (a session's variables and results, or a definition, are a conversation's
   * data) and no browser reads as anything else (an error quotes what the client sent).
   */
  public static MultiMap jsonHead(MultiMap headers) {
    return headers.set(HttpHeaders.CONTENT_TYPE, JSON).set(HttpHeaders.CACHE_CONTROL, NO_STORE)
      .set(CONTENT_TYPE_OPTIONS, NOSNIFF);
  }
}
