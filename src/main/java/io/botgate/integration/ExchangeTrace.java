package io.botgate.integration;

import io.botgate.console.SecretMask;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the console shows of one execution beyond its result: the exchange with upstream as sent and as
 * received (secrets masked, the body capped) and when each step ran, for a waterfall. Steps of one
 * execution run one after another, but attempts end on an event loop while the executor may read from a
 * worker, hence the synchronized methods.
 */
final class ExchangeTrace {

  /** Bytes of a body the console shows; the full size is noted beside it. */
  static final int BODY_BYTES_SHOWN = 16 * 1024;

  private final long origin = System.nanoTime();
  private final JsonArray phases = new JsonArray();
  private int responseStatus;
  private MultiMap responseHeaders;

  long now() {
    return System.nanoTime();
  }

  /** A step that began at {@code startNanos} (from {@link #now()}) and ended now. */
  synchronized void phase(String name, long startNanos, String outcome) {
    long end = System.nanoTime();
    JsonObject phase = new JsonObject().put("name", name).put("startMs", millis(startNanos - origin))
      .put("durationMs", millis(end - startNanos));
    if (outcome != null) {
      phase.put("outcome", outcome);
    }
    phases.add(phase);
  }

  /** The answer of the last attempt that got one (redirects followed). */
  synchronized void response(int status, MultiMap headers) {
    responseStatus = status;
    responseHeaders = headers;
  }

  /**
   * The details added to the integration's finish event: request headers and body, the response's status,
   * headers and body, and the phases. {@code parsed} is the body as JSON when it parsed, else null.
   */
  synchronized JsonObject toJson(SecretMask mask, RenderedRequest request, Buffer body, Object parsed) {
    JsonObject json = new JsonObject().put("phases", phases.copy());
    if (request != null) {
      json.put("requestHeaders", new JsonObject(new LinkedHashMap<>(mask.headers(request.headers()))));
      if (request.body() != null) {
        json.put("requestBody", shown(mask, request.body(), decodeOrNull(request.body())));
      }
    }
    if (responseStatus > 0) {
      List<Map.Entry<String, String>> headers = new ArrayList<>(responseHeaders.entries());
      json.put("response", new JsonObject().put("status", responseStatus)
        .put("headers", new JsonObject(new LinkedHashMap<>(mask.headers(headers))))
        .put("body", body == null ? null : shown(mask, body, parsed)));
    }
    return json;
  }

  /** A body as shown: its JSON (secret-named members masked) when small enough, else the first bytes as text. */
  private static JsonObject shown(SecretMask mask, Buffer body, Object parsed) {
    JsonObject out = new JsonObject().put("bytes", body.length());
    if (parsed != null && body.length() <= BODY_BYTES_SHOWN) {
      return out.put("json", masked(mask, parsed));
    }
    int shown = Math.min(body.length(), BODY_BYTES_SHOWN);
    String text = new String(body.getBytes(0, shown), StandardCharsets.UTF_8);
    return out.put("text", parsed != null ? "(JSON too large to show as a tree)\n" + text : text)
      .put("truncated", shown < body.length());
  }

  /** A copy of a JSON value with the values of secret-looking member names replaced, as headers are. */
  @SuppressWarnings("unchecked")
  private static Object masked(SecretMask mask, Object value) {
    if (value instanceof Map<?, ?> map) {
      return masked(mask, new JsonObject((Map<String, Object>) map));
    }
    if (value instanceof List<?> list) {
      return masked(mask, new JsonArray((List<Object>) list));
    }
    if (value instanceof JsonObject object) {
      JsonObject out = new JsonObject();
      object.forEach(e -> out.put(e.getKey(), mask.isSecret(e.getKey()) && e.getValue() != null
        ? SecretMask.MASK : masked(mask, e.getValue())));
      return out;
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(v -> out.add(masked(mask, v)));
      return out;
    }
    return value;
  }

  private static Object decodeOrNull(Buffer body) {
    try {
      return Json.decodeValue(body);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }
}
