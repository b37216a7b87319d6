package io.botgate.integration;

import io.botgate.events.SecretMask;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * One answer given without the network in mock mode: {@code {"match": {"method", "path", "query"}, "status",
 * "headers", "body", "delayMs"}}. Every part of {@code match} is optional; a query lists the parameters that
 * must be present with these values (others may be too). {@code "****"} (a value masked when it was recorded)
 * matches any value. A string body is sent as it is, any other JSON value encoded; {@code "bodyBase64"} gives the
 * bytes of one that is not UTF-8 text (a picture, a Latin-1 page), held here as a {@link Buffer}.
 */
public final class MockAnswer {

  public static final long MAX_DELAY_MS = IntegrationDefinition.MAX_TIMEOUT_MS;
  private static final Set<String> KEYS = Set.of("match", "status", "headers", "body", "bodyBase64", "delayMs");
  private static final Set<String> MATCH_KEYS = Set.of("method", "path", "query");
  private static final Pattern WHITE_SPACE = Pattern.compile("\\s+");

  private final String method;
  private final String path;
  private final Map<String, String> query;
  private final int status;
  private final Map<String, String> headers;
  private final Object body;
  private final long delayMs;
  /**
   * A JSON body as sent, encoded at its first answer and kept: encoding a 5 MB body on every answer held the event
   * loop each time. A changed mock is a new one (a PUT, a recording, a file read again), with its own.
   */
  private volatile byte[] encoded;

  public MockAnswer(String method, String path, Map<String, String> query, int status, Map<String, String> headers,
                    Object body, long delayMs) {
    this.method = method;
    this.path = path;
    this.query = query;
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.delayMs = delayMs;
  }

  /** The method it answers (upper case), or null for any. */
  public String method() {
    return method;
  }

  /** The path it answers, or null for any. */
  public String path() {
    return path;
  }

  public Map<String, String> query() {
    return query;
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** A string, a JSON value, a {@link Buffer} of bytes, or null. */
  public Object body() {
    return body;
  }

  public long delayMs() {
    return delayMs;
  }

  /** Reads a list of mocks, reporting each problem as {@code mocks[i].field}. */
  static List<MockAnswer> readAll(Object value, String field, BiConsumer<String, String> problem) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      problem.accept(field, "must be a list of {\"match\": {...}, \"status\", \"headers\", \"body\" (or \"bodyBase64\"), \"delayMs\"}");
      return List.of();
    }
    List<MockAnswer> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String where = field + "[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject json)) {
        problem.accept(where, "must be a JSON object");
        continue;
      }
      MockAnswer mock = read(json, where, problem);
      if (mock != null) {
        out.add(mock);
      }
    }
    return List.copyOf(out);
  }

  private static MockAnswer read(JsonObject json, String where, BiConsumer<String, String> problem) {
    int[] count = {0};
    BiConsumer<String, String> p = (f, m) -> {
      count[0]++;
      problem.accept(f, m);
    };
    for (String key : json.fieldNames()) {
      if (!KEYS.contains(key)) {
        p.accept(where + "." + key, "unknown field; known fields are " + new TreeSet<>(KEYS));
      }
    }
    String method = null;
    String path = null;
    Map<String, String> query = Map.of();
    Object match = json.getValue("match");
    if (match != null && !(match instanceof JsonObject)) {
      p.accept(where + ".match", "must be an object with optional method, path and query");
    } else if (match instanceof JsonObject m) {
      for (String key : m.fieldNames()) {
        if (!MATCH_KEYS.contains(key)) {
          p.accept(where + ".match." + key, "unknown field; known fields are " + new TreeSet<>(MATCH_KEYS));
        }
      }
      if (m.getValue("method") != null) {
        if (m.getValue("method") instanceof String s) {
          method = s.toUpperCase(java.util.Locale.ROOT);
        } else {
          p.accept(where + ".match.method", "must be a string such as \"GET\"");
        }
      }
      if (m.getValue("path") != null) {
        if (m.getValue("path") instanceof String s && s.startsWith("/")) {
          path = s;
        } else {
          p.accept(where + ".match.path", "must be a path starting with '/'");
        }
      }
      query = strings(m.getValue("query"), where + ".match.query", p);
    }
    Object status = json.getValue("status", 200);
    if (!(status instanceof Integer s) || s < 200 || s > 599) {
      // a 1xx is never a final answer: through /proxy/ a client would wait for the real one until it gave up
      p.accept(where + ".status", "must be a final HTTP status code (200-599)");
    }
    Map<String, String> headers = strings(json.getValue("headers"), where + ".headers", p);
    if (headers != null) {
      // as an integration's own headers: a name that is not a token, a framing or connection header, or a control
      // character in a value makes an answer no client can read (through /proxy/ it was never answered)
      headers.forEach((name, value) -> HeaderSyntax.problems(name, value, (field, message) ->
        p.accept(where + "." + field, message)));
    }
    Object delay = json.getValue("delayMs", 0);
    if (!(delay instanceof Number n) || n.longValue() < 0 || n.longValue() > MAX_DELAY_MS
      || n.doubleValue() != n.longValue()) {
      p.accept(where + ".delayMs", "must be a whole number from 0 to " + MAX_DELAY_MS);
    }
    Object body = json.getValue("body");
    Object base64 = json.getValue("bodyBase64");
    if (base64 != null) {
      if (body != null) {
        p.accept(where + ".bodyBase64", "give either body (text or JSON) or bodyBase64 (bytes), not both");
      } else if (!(base64 instanceof String text)) {
        p.accept(where + ".bodyBase64", "must be a string of Base64");
      } else {
        try {
          // white space (line breaks) aside, strictly: a MIME decoder skips every other character that is not of the
          // alphabet, so a body written in this field, or a typo, became a few garbage bytes without a word
          body = Buffer.buffer(Base64.getDecoder().decode(WHITE_SPACE.matcher(text).replaceAll("")));
        } catch (IllegalArgumentException e) {
          p.accept(where + ".bodyBase64", "is not Base64: " + e.getMessage());
        }
      }
    }
    if (count[0] > 0) {
      return null;
    }
    return new MockAnswer(method, path, query, (Integer) status, headers, body, ((Number) delay).longValue());
  }

  private static Map<String, String> strings(Object value, String field, BiConsumer<String, String> problem) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject obj)) {
      problem.accept(field, "must be an object of name to string");
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    obj.forEach(e -> {
      if (e.getValue() instanceof String s) {
        out.put(e.getKey(), s);
      } else {
        problem.accept(field + "." + e.getKey(), "must be a string");
      }
    });
    return out;
  }

  /** Whether this mock answers {@code method} on {@code url} (an absolute URL). */
  boolean matches(HttpMethod requestMethod, String url) {
    if (method != null && !method.equals(requestMethod.name())) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      return false;
    }
    String requestPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (path != null && !path.equals(requestPath) && !path.equals(decode(requestPath))) {
      return false;
    }
    if (query.isEmpty()) {
      return true;
    }
    Map<String, String> given = queryOf(uri.getRawQuery());
    for (Map.Entry<String, String> e : query.entrySet()) {
      String value = given.get(e.getKey());
      if (value == null || !(e.getValue().equals(SecretMask.MASK) || e.getValue().equals(value))) {
        return false;
      }
    }
    return true;
  }

  /** The parameters of a raw query, decoded; the first of a repeated name. */
  static Map<String, String> queryOf(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      out.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
    }
    return out;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  /** The body as sent: bytes as they are, a string as it is, any other JSON value encoded, nothing for null. */
  public Buffer bodyBuffer() {
    if (body == null) {
      return Buffer.buffer();
    }
    if (body instanceof Buffer bytes) {
      return bytes.copy();
    }
    if (body instanceof String s) {
      return Buffer.buffer(s);
    }
    byte[] text = encoded;
    if (text == null) { // two first answers at once may both encode it: the same bytes
      text = Json.encode(body).getBytes(StandardCharsets.UTF_8);
      encoded = text;
    }
    return Buffer.buffer(text);
  }

  /** Whether another mock answers exactly the same requests (a recording replaces it). */
  boolean sameMatch(MockAnswer other) {
    return Objects.equals(method, other.method) && Objects.equals(path, other.path) && query.equals(other.query);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MockAnswer other && status == other.status && delayMs == other.delayMs
      && sameMatch(other) && Objects.equals(headers, other.headers) && Objects.equals(body, other.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, path, query, status, headers, body, delayMs);
  }

  @Override
  public String toString() {
    return "MockAnswer[" + toJson().encode() + "]";
  }

  public JsonObject toJson() {
    JsonObject match = new JsonObject();
    if (method != null) {
      match.put("method", method);
    }
    if (path != null) {
      match.put("path", path);
    }
    if (!query.isEmpty()) {
      match.put("query", new JsonObject(new LinkedHashMap<>(query)));
    }
    JsonObject out = new JsonObject().put("match", match).put("status", status)
      .put("headers", new JsonObject(new LinkedHashMap<>(headers)));
    if (body instanceof Buffer bytes) {
      out.put("bodyBase64", Base64.getEncoder().encodeToString(bytes.getBytes()));
    } else {
      out.put("body", body);
    }
    if (delayMs > 0) {
      out.put("delayMs", delayMs);
    }
    return out;
  }
}
