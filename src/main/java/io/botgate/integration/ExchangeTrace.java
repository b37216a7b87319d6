package io.botgate.integration;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.botgate.JsonText;
import io.botgate.events.KnownSecrets;
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
   * Characters past the shown ones that are masked and scrubbed with them ({@link #shownHead}): a secret that begins
   * before the cut and is at most this long is masked whole, never shown half. Secrets botgate knows (env values,
   * credentials, in every form an upstream may echo them) are far shorter.
   */
  static final int WINDOW_MARGIN = 16 * 1024;
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
    return new JsonObject(Buffer.buffer(JsonText.utf8(details(mask, KnownSecrets.NONE, request, body, parsed, null))));
  }

  /**
   * As {@link #toJson}, as members the finish event writes into its data as that is encoded (no object built
   * for them). Everything shown is worked out now (masking, decoding, the phases so far: a late attempt may add
   * one afterwards), so writing them only writes, under the event's locks, the same each time. {@code shownBody}: the
   * response's body as {@link #shownBody} gave it already (off the event loop, for a large answer), or null.
   */
  synchronized JsonText.Members details(SecretMask mask, KnownSecrets known, RenderedRequest request, Buffer body,
                                        Object parsed, JsonText.Members shownBody) {
    List<Phase> steps = List.copyOf(phases);
    String shownMode = mode;
    ShownRequest shown = request == null ? null : request.shown();
    JsonText.Members sent = shown == null ? null : requestBody(mask, known, request, shown);
    JsonText.Members received = responseStatus > 0 ? response(mask, known, shown, body, parsed, shownBody) : null;
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
  private static JsonText.Members requestBody(SecretMask mask, KnownSecrets known, RenderedRequest request,
                                              ShownRequest shown) {
    String text = request.body() == null ? null : shown.body();
    if (text == null) {
      return null;
    }
    int bytes = request.body().length();
    Object tree = bytes <= BODY_BYTES_SHOWN ? decodeOrNull(text) : null;
    // measured in the text shown, not the bytes sent: a character past ASCII is several bytes, a masked secret shorter
    return shown(mask, known, shown, false, bytes, Units.of(text), tree,
      () -> nestsDeeperThan(text.length(), text::charAt, TREE_LEVELS_SHOWN));
  }

  /** The answer noted last as shown: its status, its headers masked and scrubbed, its body. */
  private JsonText.Members response(SecretMask mask, KnownSecrets known, ShownRequest shown, Buffer body,
                                    Object parsed, JsonText.Members given) {
    int status = responseStatus;
    Map<String, Object> headers = new LinkedHashMap<>();
    // As mask.headers then scrubbed, in one map (a name sent twice shown once) and without the list of entries.
    responseHeaders.forEach((k, v) -> headers.put(k, mask.isSecret(k) ? SecretMask.MASK : scrub(shown, v)));
    JsonText.Members shownBody = given != null ? given : body == null ? null
      : shownBody(mask, known, shown, body, parsed);
    return fields -> fields.number(STATUS, status).value(HEADERS, headers).value(BODY, shownBody);
  }

  /**
   * A body as shown: its JSON (secret-named members masked) when small enough, else its text masked as a
   * JSON or form text (secret-named values, then env values scrubbed) before the first bytes are cut from it,
   * so no secret is cut in two and half shown. {@code scrubTree}: whether env values are searched for in
   * the JSON too (a response; a request's shown body has them masked where they landed already).
   */
  static JsonText.Members shownBody(SecretMask mask, KnownSecrets known, ShownRequest request, Buffer body,
                                    Object parsed) {
    return shown(mask, known, request, true, body.length(), Units.of(body), parsed,
      () -> nestsDeeperThan(body.length(), body::getByte, TREE_LEVELS_SHOWN));
  }

  /**
   * As above; {@code text} is only decoded when the body is shown as text (a JSON tree is not), and then only the
   * window of it that is shown ({@link #shownHead}); {@code tooDeep} measures how deeply it nests, asked only of a
   * JSON body small enough to show as a tree.
   */
  private static JsonText.Members shown(SecretMask mask, KnownSecrets known, ShownRequest request, boolean scrubTree,
                                        int bytes, Units text, Object parsed, BooleanSupplier nestsTooDeep) {
    boolean tooDeep = parsed != null && bytes <= BODY_BYTES_SHOWN && nestsTooDeep.getAsBoolean();
    if (parsed != null && bytes <= BODY_BYTES_SHOWN && !tooDeep) {
      Object tree = masked(mask, scrubTree ? request : null, parsed);
      return fields -> fields.number(BYTES, bytes).value(JSON, tree);
    }
    String[] head = new String[1];
    boolean truncated = shownHead(mask, known, request, text, head);
    String shownText = tooDeep ? "(JSON nested too deep to show as a tree)\n" + head[0]
      : parsed != null ? "(JSON too large to show as a tree)\n" + head[0] : head[0];
    return fields -> fields.number(BYTES, bytes).string(TEXT, shownText).value(TRUNCATED, truncated);
  }

  /**
   * Puts into {@code head[0]} the first {@link #BODY_BYTES_SHOWN} characters of the text as shown, and says whether
   * it was cut. Masked (secret-named JSON or form values), then scrubbed (the request's env values, then every
   * secret botgate knows), then cut: so no secret that begins before the cut is shown half, as it was when the cut
   * text was scrubbed of known secrets afterwards. Only a window is decoded and scrubbed, not the whole text (a 5 MB
   * answer was decoded, matched and scrubbed whole for the 16 KiB shown): {@link #WINDOW_MARGIN} more characters, and
   * further to where no value is cut (outside a JSON string or number, at a form's {@code &}), so that each value
   * masked by its name is masked as it would be in the whole text. Should masking and scrubbing leave fewer than the
   * margin past the shown characters (many secrets replaced), the window grows.
   */
  static boolean shownHead(SecretMask mask, KnownSecrets known, ShownRequest request, Units text, String[] head) {
    boolean json = text.looksJson();
    long wanted = BODY_BYTES_SHOWN + WINDOW_MARGIN;
    while (true) {
      int end = text.safeEnd((int) Math.min(wanted, text.length()), json);
      String masked = known.scrub(scrub(request, mask.text(text.head(end))));
      if (end >= text.length() || masked.length() >= BODY_BYTES_SHOWN + WINDOW_MARGIN) {
        int cut = Math.min(masked.length(), BODY_BYTES_SHOWN);
        if (cut > 0 && cut < masked.length() && Character.isHighSurrogate(masked.charAt(cut - 1))) {
          cut--;
        }
        head[0] = masked.substring(0, cut);
        return cut < masked.length() || end < text.length();
      }
      wanted = 2L * end;
    }
  }

  /** A body's text as bytes of UTF-8 or as characters: what {@link #shownHead} reads of it. */
  abstract static class Units {
    abstract int length();

    /** The byte or character at {@code i}. */
    abstract int at(int i);

    /** The text of the units before {@code end}, which is at a character's start. */
    abstract String head(int end);

    /** Whether {@code i} is inside a character (a UTF-8 continuation byte, a low surrogate). */
    abstract boolean inside(int i);

    static Units of(Buffer body) {
      return new Units() {
        int length() {
          return body.length();
        }

        int at(int i) {
          return body.getByte(i) & 0xFF;
        }

        String head(int end) {
          return end == body.length() ? body.toString(StandardCharsets.UTF_8) : body.getString(0, end, "UTF-8");
        }

        boolean inside(int i) {
          return (body.getByte(i) & 0xC0) == 0x80;
        }
      };
    }

    static Units of(String text) {
      return new Units() {
        int length() {
          return text.length();
        }

        int at(int i) {
          return text.charAt(i);
        }

        String head(int end) {
          return text.substring(0, end);
        }

        boolean inside(int i) {
          return Character.isLowSurrogate(text.charAt(i));
        }
      };
    }

    /** As {@link SecretMask#text} judges it: '{' or '[' first, after any whitespace. */
    boolean looksJson() {
      for (int i = 0; i < length(); i++) {
        int c = at(i);
        if (!Character.isWhitespace(c)) {
          return c == '{' || c == '[';
        }
      }
      return false;
    }

    /**
     * The first end at or past {@code end} that cuts no value {@link SecretMask#text} may mask: in JSON, not inside a
     * string or a number; in a form, at an {@code &}; never inside a character. Reads the text up to it.
     */
    int safeEnd(int end, boolean json) {
      int n = length();
      if (end >= n) {
        return n;
      }
      if (json) {
        IntUnaryOperator chars = this::at;
        int i = 0;
        for (; i < end; i++) {
          if (at(i) == '"') {
            i = closingQuote(i, n, chars); // a string the cut falls in is kept whole
          }
        }
        end = Math.min(i, n);
        while (end > 0 && end < n && numberPart(at(end - 1)) && numberPart(at(end))) {
          end++;
        }
      } else {
        while (end < n && at(end) != '&') {
          end++;
        }
      }
      while (end < n && inside(end)) {
        end++;
      }
      return end;
    }

    private static boolean numberPart(int c) {
      return c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    }
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
    for (int i = 0; i < length; i++) {
      int c = at.applyAsInt(i);
      if (c == '"') {
        i = closingQuote(i, length, at);
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
   * Where the JSON string whose opening quote is at {@code open} ends: its closing quote (escapes skipped), or
   * {@code length} when the text ends first.
   */
  static int closingQuote(int open, int length, IntUnaryOperator at) {
    for (int i = open + 1; i < length; i++) {
      int c = at.applyAsInt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        return i;
      }
    }
    return length;
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
