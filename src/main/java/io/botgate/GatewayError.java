package io.botgate;

import io.vertx.core.json.JsonObject;

/**
 * An error a caller can act on: a stable code, a message saying what was wrong and where, and the HTTP
 * status the API answers with. Optional details (e.g. every problem of a definition) travel along.
 */
public final class GatewayError extends RuntimeException {

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
}
