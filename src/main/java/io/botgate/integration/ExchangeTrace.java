package io.botgate.integration;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.botgate.JsonText;
import io.botgate.events.SecretMask;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * What the console shows of one execution beyond its result: the exchange with upstream as sent and as
 * received (secrets masked, the body capped) and when each step ran, for a waterfall. Steps of one
 * execution run one after another, but attempts end on an event loop while the executor may read from a
 * worker, hence the synchronized methods.
 */
final class ExchangeTrace {

  /** Bytes of a body the console shows; the full size is noted beside it. */
  static final int BODY_BYTES_SHOWN = 16 * 1024;
  /**
   * Levels a body or a field may nest and still be shown as a tree. An event is read back with Jackson's bound of
   * 1,000 levels (its data scrubbed of known secrets, events from another node) and wraps what it shows in levels
   * of its own: an answer nested as deeply as the parser accepts made its finish event unreadable, and the
   * execution answered 500. Past this a body is shown as text, a field as {@link #TOO_DEEP}. Forty levels under that
   * bound leave room for the event's own; and a text is measured only when long enough to nest so deep (twice as
   * many bytes), which keeps the usual answer of a kilobyte or so from being read once more for it.
   */
  static final int TREE_LEVELS_SHOWN = 960;
  static final String TOO_DEEP = "(nested too deep to show as a tree: more than " + TREE_LEVELS_SHOWN + " levels)";

  private static final JsonText.Key NAME = JsonText.key("name");
  private static final JsonText.Key START_MS = JsonText.key("startMs");
  private static final JsonText.Key DURATION_MS = JsonText.key("durationMs");
  private static final JsonText.Key OUTCOME = JsonText.key("outcome");
  private static final JsonText.Key PHASES = JsonText.key("phases");
  private static final JsonText.Key MODE = JsonText.key("mode");
  private static final JsonText.Key REQUEST_HEADERS = JsonText.key("requestHeaders");
  private static final JsonText.Key REQUEST_BODY = JsonText.key("requestBody");
  private static final JsonText.Key RESPONSE = JsonText.key("response");
  private static final JsonText.Key STATUS = JsonText.key("status");
  private static final JsonText.Key HEADERS = JsonText.key("headers");
  private static final JsonText.Key BODY = JsonText.key("body");
  private static final JsonText.Key BYTES = JsonText.key("bytes");
  private static final JsonText.Key JSON = JsonText.key("json");
  private static final JsonText.Key TEXT = JsonText.key("text");
  private static final JsonText.Key TRUNCATED = JsonText.key("truncated");

  private final long origin = System.nanoTime();
  private final List<Phase> phases = new ArrayList<>();
  private int responseStatus;
  private MultiMap responseHeaders;
  private String mode;

  long now() {
    return System.nanoTime();
  }

  /** A step that began at {@code startNanos} (from {@link #now()}) and ended now. */
  synchronized void phase(String name, long startNanos, String outcome) {
    long end = System.nanoTime();
    phases.add(new Phase(name, millis(startNanos - origin), millis(end - startNanos), outcome));
  }

  /** A step as the waterfall shows it; {@code outcome} may be null (not written then). */
  private record Phase(String name, double startMs, double durationMs, String outcome) implements JsonText.Members {
    @Override
    public void writeTo(JsonText.Fields fields) {
      fields.string(NAME, name).value(START_MS, startMs).value(DURATION_MS, durationMs);
      if (outcome != null) {
        fields.string(OUTCOME, outcome);
      }
    }
  }

  /** Whether a step was noted. */
  synchronized boolean hasPhases() {
    return !phases.isEmpty();
  }

  /** The answer of the last attempt that got one (redirects followed). */
  synchronized void response(int status, MultiMap headers) {
    responseStatus = status;
    responseHeaders = headers;
  }

  /** Which upstream mode answered: live, mock or record. */
  synchronized void mode(UpstreamMode mode) {
    this.mode = mode.label();
  }

  /** The headers of the answer noted last, or null. */
  synchronized MultiMap responseHeaders() {
    return responseHeaders;
  }

  /**
   * The details added to the integration's finish event: request headers and body, the response's status,
   * headers and body, and the phases. {@code parsed} is the response body as JSON when it parsed, else null.
   * The request part comes from the request's shown form (env values masked where they landed), never
   * from what was sent; the response may quote the request (an echo), so env values are scrubbed from it.
   */
  JsonObject toJson(SecretMask mask, RenderedRequest request, Buffer body, Object parsed) {
    return new JsonObject(Buffer.buffer(JsonText.utf8(details(mask, request, body, parsed))));
  }

  /**
   * As {@link #toJson}, as members the finish event writes into its data as that is encoded (no object built
   * for them). Everything shown is worked out now (masking, decoding, the phases so far: a late attempt may add
   * one afterwards), so writing them only writes, under the event's locks, the same each time.
   */
  synchronized JsonText.Members details(SecretMask mask, RenderedRequest request, Buffer body, Object parsed) {
    List<Phase> steps = List.copyOf(phases);
    String shownMode = mode;
    ShownRequest shown = request == null ? null : request.shown();
    JsonText.Members sent = shown == null ? null : requestBody(mask, request, shown);
    JsonText.Members received = responseStatus > 0 ? response(mask, shown, body, parsed) : null;
    return data -> {
      data.value(PHASES, steps);
      if (shownMode != null) {
        data.string(MODE, shownMode);
      }
      if (shown != null) {
        data.value(REQUEST_HEADERS, shown.headers());
        if (sent != null) {
          data.value(REQUEST_BODY, sent);
        }
      }
      if (received != null) {
        data.value(RESPONSE, received);
      }
    };
  }

  /** The request's body as shown, or null when it had none. */
  private static JsonText.Members requestBody(SecretMask mask, RenderedRequest request, ShownRequest shown) {
    String text = request.body() == null ? null : shown.body();
    if (text == null) {
      return null;
    }
    int bytes = request.body().length();
    Object tree = bytes <= BODY_BYTES_SHOWN ? decodeOrNull(text) : null;
    // measured in the text shown, not the bytes sent: a character past ASCII is several bytes, a masked secret shorter
    return shown(mask, shown, false, bytes, () -> text, tree,
      () -> nestsDeeperThan(text.length(), text::charAt, TREE_LEVELS_SHOWN));
  }

  /** The answer noted last as shown: its status, its headers masked and scrubbed, its body. */
  private JsonText.Members response(SecretMask mask, ShownRequest shown, Buffer body, Object parsed) {
    int status = responseStatus;
    Map<String, Object> headers = new LinkedHashMap<>();
    // As mask.headers then scrubbed, in one map (a name sent twice shown once) and without the list of entries.
    responseHeaders.forEach((k, v) -> headers.put(k, mask.isSecret(k) ? SecretMask.MASK : scrub(shown, v)));
    JsonText.Members shownBody = body == null ? null : shown(mask, shown, true, body, parsed);
    return fields -> fields.number(STATUS, status).value(HEADERS, headers).value(BODY, shownBody);
  }

  /**
   * A body as shown: its JSON (secret-named members masked) when small enough, else its text masked as a
   * JSON or form text (secret-named values, then env values scrubbed) before the first bytes are cut from it,
   * so no secret is cut in two and half shown. {@code scrubTree}: whether env values are searched for in
   * the JSON too (a response; a request's shown body has them masked where they landed already).
   */
  private static JsonText.Members shown(SecretMask mask, ShownRequest request, boolean scrubTree, Buffer body,
                                        Object parsed) {
    return shown(mask, request, scrubTree, body.length(), () -> body.toString(StandardCharsets.UTF_8), parsed,
      () -> nestsDeeperThan(body.length(), body::getByte, TREE_LEVELS_SHOWN));
  }

  /**
   * As above; {@code text} is only decoded when the body is shown as text (a JSON tree is not), and {@code tooDeep}
   * measures how deeply it nests, asked only of a JSON body small enough to show as a tree.
   */
  private static JsonText.Members shown(SecretMask mask, ShownRequest request, boolean scrubTree, int bytes,
                                        Supplier<String> text, Object parsed, BooleanSupplier nestsTooDeep) {
    boolean tooDeep = parsed != null && bytes <= BODY_BYTES_SHOWN && nestsTooDeep.getAsBoolean();
    if (parsed != null && bytes <= BODY_BYTES_SHOWN && !tooDeep) {
      Object tree = masked(mask, scrubTree ? request : null, parsed);
      return fields -> fields.number(BYTES, bytes).value(JSON, tree);
    }
    String masked = scrub(request, mask.text(text.get()));
    int cut = Math.min(masked.length(), BODY_BYTES_SHOWN);
    if (cut > 0 && cut < masked.length() && Character.isHighSurrogate(masked.charAt(cut - 1))) {
      cut--;
    }
    String head = masked.substring(0, cut);
    String shownText = tooDeep ? "(JSON nested too deep to show as a tree)\n" + head
      : parsed != null ? "(JSON too large to show as a tree)\n" + head : head;
    boolean truncated = cut < masked.length();
    return fields -> fields.number(BYTES, bytes).string(TEXT, shownText).value(TRUNCATED, truncated);
  }

  /**
   * Whether the JSON text of {@code length} bytes or characters ({@code at}) opens more than {@code limit} objects and
   * arrays inside each other, strings skipped: read from the text, so that the usual answer, kept undecoded
   * ({@link JsonBody}), is not decoded to be measured. A text too short to nest so deep is not read.
   */
  static boolean nestsDeeperThan(int length, IntUnaryOperator at, int limit) {
    if (length <= 2L * limit) {
      return false;
    }
    int depth = 0;
    boolean inString = false;
    for (int i = 0; i < length; i++) {
      int c = at.applyAsInt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '[' || c == '{') {
        if (++depth > limit) {
          return true;
        }
      } else if (c == ']' || c == '}') {
        depth--;
      }
    }
    return false;
  }

  /**
   * The custom data fields as an event may show them: each value nesting past {@link #TREE_LEVELS_SHOWN} replaced
   * by {@link #TOO_DEEP} (the session and the answer keep it); the same map when none does, as with most answers,
   * which are too small to nest so deep ({@code answerBytes}) and are not walked.
   */
  static Map<String, Object> shallowFields(Map<String, Object> fields, long answerBytes) {
    if (answerBytes <= 2L * TREE_LEVELS_SHOWN || fields.isEmpty()) {
      return fields;
    }
    Map<String, Object> out = null;
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (JsonNesting.deeperThan(e.getValue(), TREE_LEVELS_SHOWN)) {
        if (out == null) {
          out = new LinkedHashMap<>(fields);
        }
        out.put(e.getKey(), TOO_DEEP);
      }
    }
    return out == null ? fields : out;
  }

  private static String scrub(ShownRequest request, String text) {
    return request == null ? text : request.scrub(text);
  }

  /**
   * A copy of a JSON value with the values of secret-looking member names replaced, as headers are, and
   * env values scrubbed from its strings; with a null {@code mask}, env values scrubbed only (names not judged).
   */
  static Object masked(SecretMask mask, ShownRequest request, Object value) {
    // Most answers hold nothing to mask: shown as they are, without a copy of the tree (nothing changes a
    // parsed answer after it was received; an event is encoded when emitted).
    return needsMasking(mask, request, value) ? copyMasked(mask, request, value)
      : value;
  }

  /** Whether {@link #copyMasked} would change anything: a secret-looking member not null, or a text to scrub. */
  private static boolean needsMasking(SecretMask mask, ShownRequest request, Object value) {
    if (value instanceof JsonObject object) {
      value = object.getMap();
    } else if (value instanceof JsonArray array) {
      value = array.getList();
    }
    if (value instanceof JsonBody body && !body.isDecoded()) {
      return needsMasking(mask, request, body);
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (e.getValue() != null && (mask != null && mask.isSecret(String.valueOf(e.getKey()))
          || needsMasking(mask, request, e.getValue()))) {
          return true;
        }
      }
      return false;
    }
    if (value instanceof List<?> list) {
      for (Object item : list) {
        if (needsMasking(mask, request, item)) {
          return true;
        }
      }
      return false;
    }
    return value instanceof String text && request != null && request.wouldScrub(text);
  }

  /** As above, over an answer's text: a secret-looking name whose value is not null, or a string to scrub. */
  private static boolean needsMasking(SecretMask mask, ShownRequest request, JsonBody body) {
    boolean scrubs = request != null && request.scrubsAny();
    Boolean secretMembers = mask == null ? Boolean.FALSE : body.secretMembers(mask);
    if (secretMembers != null && (secretMembers || !scrubs)) {
      return secretMembers; // judged as it arrived: no second reading of the text
    }
    try (JsonParser parser = body.parser()) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.FIELD_NAME) {
          if (mask != null && mask.isSecret(parser.currentName()) && parser.nextToken() != JsonToken.VALUE_NULL) {
            return true;
          }
          token = parser.currentToken(); // the value, when the name was secret and it is null
        }
        if (token == JsonToken.VALUE_STRING && scrubs && request.wouldScrub(parser.getText())) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return true; // not expected (the text was read in full when it arrived); masked from the tree then
    }
  }

  @SuppressWarnings("unchecked")
  private static Object copyMasked(SecretMask mask, ShownRequest request, Object value) {
    if (value instanceof Map<?, ?> map) {
      return copyMasked(mask, request, new JsonObject((Map<String, Object>) map));
    }
    if (value instanceof List<?> list) {
      return copyMasked(mask, request, new JsonArray((List<Object>) list));
    }
    if (value instanceof JsonObject object) {
      JsonObject out = new JsonObject();
      object.forEach(e -> out.put(e.getKey(), mask != null && mask.isSecret(e.getKey()) && e.getValue() != null
        ? SecretMask.MASK : copyMasked(mask, request, e.getValue())));
      return out;
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(v -> out.add(copyMasked(mask, request, v)));
      return out;
    }
    return value instanceof String text ? scrub(request, text) : value;
  }

  private static Object decodeOrNull(String body) {
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
