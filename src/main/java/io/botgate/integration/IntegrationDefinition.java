package io.botgate.integration;

import io.botgate.Typos;
import io.botgate.script.ScriptSyntax;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A named, declared HTTP call. Built only through {@link #fromJson}, which validates every field and
 * reports all problems at once; the templates and field paths are compiled here, once.
 */
public final class IntegrationDefinition {

  public static final List<Integer> DEFAULT_SUCCESS_CODES = List.of(200, 201);
  public static final long DEFAULT_TIMEOUT_MS = 20_000;
  public static final int DEFAULT_RETRIES = 3;
  public static final long MAX_TIMEOUT_MS = 300_000;
  public static final int MAX_RETRIES = 10;
  /**
   * How many objects and arrays a field's value may nest ({@code body}, {@code mocks}...): far more than a
   * request needs, and well within what the recursive walks over a definition (rendering, masking, saving)
   * can take on any thread's stack.
   */
  public static final int MAX_NESTING = 64;

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_\\-]{0,99}");
  private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_\\-]{0,99}");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
  private static final Set<String> KNOWN_KEYS = Set.of("name", "responseDataVariable", "method", "url", "headers",
    "query", "body", "transformScript", "customDataFields", "successCodes", "timeoutMs", "retries",
    "retryNonIdempotent", "defaultHeaders", "description", "capture", "credential", "mode", "mocks");

  private final JsonObject source;
  private final String name;
  private final String responseDataVariable;
  private final HttpMethod method;
  private final RequestTemplate request;
  private final String transformScript;
  private final List<CustomField> customDataFields;
  /** The most custom data fields an integration declares (2,000 deep scans of a large answer took 10 s). */
  static final int MAX_FIELDS = 100;
  private final Set<Integer> successCodes;
  /** {@link #successCodes} by code (100-599): asked on every call, without boxing the status. */
  private final boolean[] successTable = new boolean[600];
  private final long timeoutMs;
  private final int retries;
  private final boolean retryNonIdempotent;
  private final boolean capture;
  private final String credential;
  private final UpstreamMode mode;
  private final List<MockAnswer> mocks;
  /** Made once: every execution sets these variables, and a new string would be hashed anew each time. */
  private final String apiVariable;
  private final String statusVariable;
  private final String nullJsonData;
  private final String fieldPrefix;
  private final int answerWalkingFields;

  private IntegrationDefinition(JsonObject source, Builder b) {
    this.source = source;
    this.name = b.name;
    this.responseDataVariable = b.rdv;
    this.method = HttpMethod.valueOf(b.method);
    this.request = b.request;
    this.transformScript = b.transformScript;
    this.fieldPrefix = name + ".";
    this.customDataFields = b.fields.entrySet().stream()
      .map(e -> new CustomField(fieldPrefix + e.getKey(), fieldPrefix + e.getKey() + ".count", e.getValue())).toList();
    this.answerWalkingFields = (int) customDataFields.stream().filter(f -> f.path().walksAnswer()).count();
    this.successCodes = Set.copyOf(b.successCodes);
    successCodes.forEach(code -> successTable[code] = true);
    this.timeoutMs = b.timeoutMs;
    this.retries = b.retries;
    this.retryNonIdempotent = b.retryNonIdempotent;
    this.capture = b.capture;
    this.credential = b.credential;
    this.mode = b.mode;
    this.mocks = b.mocks;
    this.apiVariable = "api_" + responseDataVariable;
    this.statusVariable = apiVariable + "Status";
    this.nullJsonData = "{\"" + apiVariable + "\":null}";
  }

  public String name() {
    return name;
  }

  public String responseDataVariable() {
    return responseDataVariable;
  }

  /** The bot variable holding the raw response, {@code api_<rdv>}. */
  public String apiVariable() {
    return apiVariable;
  }

  /**
   * {@code api_<rdv>}'s {@code jsonData} when a call left no data (CB's text, {@code {"api_<rdv>":null}}): made
   * once. The name needs no escaping: a responseDataVariable is letters, digits, '_' and '-'.
   */
  public String nullJsonData() {
    return nullJsonData;
  }

  /** The bot variable holding the status code as text, {@code api_<rdv>Status}. */
  public String statusVariable() {
    return statusVariable;
  }

  public HttpMethod method() {
    return method;
  }

  RequestTemplate request() {
    return request;
  }

  public String transformScript() {
    return transformScript;
  }

  /** The custom data fields, with the names of the bot variables they set, made once. */
  List<CustomField> customDataFields() {
    return customDataFields;
  }

  /** What the names of this integration's mapped fields start with, {@code <integration>.}. */
  String fieldPrefix() {
    return fieldPrefix;
  }

  /**
   * How many custom data fields cost as much as the answer is large ({@link FieldPath#walksAnswer}): those evaluated
   * by Jayway (a filter, a deep scan...), and those with {@code [i]}, which list every element.
   */
  int answerWalkingFields() {
    return answerWalkingFields;
  }

  /** A custom data field: {@code <integration>.<field>} and its {@code .count}, and the path giving them. */
  record CustomField(String variable, String countVariable, FieldPath path) {
  }

  public boolean isSuccess(int status) {
    return status >= 0 && status < successTable.length && successTable[status];
  }

  public long timeoutMs() {
    return timeoutMs;
  }

  public int retries() {
    return retries;
  }

  /**
   * Whether a pass-through call also keeps a JSON answer (up to the upstream body limit) as
   * {@code api_<rdv>} and maps it into the custom data fields; otherwise nothing of the body is held.
   */
  public boolean capture() {
    return capture;
  }

  /** The name of the credential the call is made with, or null. */
  public String credential() {
    return credential;
  }

  /** The upstream mode this integration asks for, or null to follow {@code upstream.mode}. */
  public UpstreamMode mode() {
    return mode;
  }

  /** The declared mocks, answered in order before recorded ones in mock mode. */
  public List<MockAnswer> mocks() {
    return mocks;
  }

  /** Retries may repeat a side effect; POST and PATCH retry only when the definition opts in. */
  public boolean mayRetry() {
    boolean idempotent = method != HttpMethod.POST && method != HttpMethod.PATCH;
    return retries > 0 && (idempotent || retryNonIdempotent);
  }

  /** The definition as given, with defaults filled in. */
  public JsonObject toJson() {
    JsonObject out = source.copy();
    out.put("name", name);
    out.put("responseDataVariable", responseDataVariable);
    out.put("method", method.name());
    out.put("successCodes", new JsonArray(successCodes.stream().sorted().toList()));
    out.put("timeoutMs", timeoutMs);
    out.put("retries", retries);
    out.put("retryNonIdempotent", retryNonIdempotent);
    out.put("defaultHeaders", source.getBoolean("defaultHeaders", true));
    out.put("capture", capture);
    if (!out.containsKey("customDataFields")) {
      out.put("customDataFields", new JsonObject());
    }
    return out;
  }

  /** Whether the gateway sets the header {@code name} itself, so that a definition may not declare it. */
  public static boolean setByGateway(String name) {
    return HeaderSyntax.SET_BY_GATEWAY.contains(name.toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * Validates a definition and compiles it.
   *
   * @param fallbackName the name to use when the JSON has none (the name in a PUT path), may be null
   * @throws DefinitionException listing every problem found
   */
  public static IntegrationDefinition fromJson(JsonObject json, String fallbackName) {
    return fromJson(json, fallbackName, credential -> true);
  }

  /**
   * As {@link #fromJson(JsonObject, String)}, a {@code credential} that {@code credentialDeclared} does not
   * know being one more problem.
   */
  public static IntegrationDefinition fromJson(JsonObject json, String fallbackName,
                                               java.util.function.Predicate<String> credentialDeclared) {
    List<DefinitionException.Problem> problems = new ArrayList<>();
    Set<String> tooDeep = new TreeSet<>();
    json.forEach(e -> {
      if (JsonNesting.deeperThan(e.getValue(), MAX_NESTING)) {
        tooDeep.add(e.getKey());
      }
    });
    JsonObject readable = json;
    if (!tooDeep.isEmpty()) { // read on without those fields: every walk over them would go as deep
      readable = new JsonObject(new LinkedHashMap<>(json.getMap()));
      tooDeep.forEach(readable::remove);
    }
    Builder b = new Builder(readable, fallbackName, problems, tooDeep);
    b.read();
    if (b.credential != null && !credentialDeclared.test(b.credential)) {
      b.problem("credential", "no credential named '" + b.credential + "'; GET /api/credentials lists them");
    }
    if (!problems.isEmpty()) {
      throw new DefinitionException("integration '" + b.displayName() + "' is invalid", problems);
    }
    return new IntegrationDefinition(json.copy(), b);
  }

  /** Reads and checks fields one by one, collecting problems instead of stopping at the first. */
  private static final class Builder {
    private final JsonObject json;
    private final String fallbackName;
    private final List<DefinitionException.Problem> problems;
    /** Fields left out for nesting too deeply: reported once, not again as missing. */
    private final Set<String> tooDeep;
    String name;
    String rdv;
    String method;
    RequestTemplate request;
    String transformScript;
    final Map<String, FieldPath> fields = new LinkedHashMap<>();
    final List<Integer> successCodes = new ArrayList<>();
    long timeoutMs = DEFAULT_TIMEOUT_MS;
    int retries = DEFAULT_RETRIES;
    boolean retryNonIdempotent;
    boolean capture;
    String credential;
    UpstreamMode mode;
    List<MockAnswer> mocks = List.of();

    Builder(JsonObject json, String fallbackName, List<DefinitionException.Problem> problems, Set<String> tooDeep) {
      this.json = json;
      this.fallbackName = fallbackName;
      this.problems = problems;
      this.tooDeep = tooDeep;
    }

    String displayName() {
      return name != null ? name : json.getValue("name") instanceof String s ? s : "?";
    }

    void problem(String field, String message) {
      if (!tooDeep.contains(field.split("[.\\[]", 2)[0])) {
        problems.add(new DefinitionException.Problem(displayName(), field, message));
      }
    }

    void read() {
      readName();
      for (String field : tooDeep) {
        problems.add(new DefinitionException.Problem(displayName(), field, "nests objects and arrays more than "
          + MAX_NESTING + " levels deep"));
      }
      for (String key : json.fieldNames()) {
        if (!KNOWN_KEYS.contains(key)) {
          problem(key, "unknown field" + Typos.closest(key, KNOWN_KEYS).map(near -> " (did you mean '" + near + "'?)")
            .orElse("") + "; known fields are " + new TreeSet<>(KNOWN_KEYS));
        }
      }
      rdv = optionalString("responseDataVariable", name);
      // Defaulted to the name, it is as valid as the name, whose problem is listed already: one per mistake.
      boolean fromName = !json.containsKey("responseDataVariable");
      if (rdv != null && !fromName && !NAME.matcher(rdv).matches()) {
        problem("responseDataVariable", "must be letters, digits, '_' or '-', starting with a letter or '_'");
      }
      readMethod();
      boolean defaultHeaders = optionalBoolean("defaultHeaders", true);
      request = RequestTemplate.read(json, defaultHeaders, this::problem);
      optionalString("description", null); // free text for people, kept as sent: a string, if anything
      transformScript = optionalString("transformScript", null);
      if (transformScript != null) {
        ScriptSyntax.check(transformScript, "transformScript")
          .ifPresent(syntax -> problem("transformScript", syntax.toString()));
      }
      readFields();
      readSuccessCodes();
      timeoutMs = optionalLong("timeoutMs", DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
      retries = (int) optionalLong("retries", DEFAULT_RETRIES, 0, MAX_RETRIES);
      retryNonIdempotent = optionalBoolean("retryNonIdempotent", false);
      capture = optionalBoolean("capture", false);
      credential = optionalString("credential", null);
      if (credential != null && !NAME.matcher(credential).matches()) {
        problem("credential", "must name a credential: letters, digits, '_' or '-', starting with a letter or '_'");
      }
      String modeText = optionalString("mode", null);
      mode = UpstreamMode.parse(modeText);
      if (modeText != null && mode == null) {
        problem("mode", "'" + modeText + "' is not one of live, mock, record");
      }
      mocks = MockAnswer.readAll(json.getValue("mocks"), "mocks", this::problem);
    }

    private void readName() {
      Object value = json.getValue("name");
      if (value == null && fallbackName != null) {
        value = fallbackName;
      }
      if (!(value instanceof String s) || s.isBlank()) {
        name = null;
        problem("name", "is required (a string)");
        return;
      }
      name = s;
      if (!NAME.matcher(s).matches()) {
        problem("name", "must be 1-100 letters, digits, '_' or '-', starting with a letter or '_': " + whyNotAName(s));
      }
      if (fallbackName != null && !fallbackName.equals(s)) {
        problem("name", "'" + s + "' does not match the name in the path, '" + fallbackName + "'");
      }
    }

    /** What breaks the name rule in {@code name}, as its author would look for it. */
    private static String whyNotAName(String name) {
      if (name.length() > 100) {
        return "it has " + name.length() + " characters";
      }
      int at = 0;
      while (at < name.length() && (Character.isLetter(name.charAt(at)) && name.charAt(at) < 128 || name.charAt(at) == '_'
        || at > 0 && (name.charAt(at) == '-' || Character.isDigit(name.charAt(at)) && name.charAt(at) < 128))) {
        at++;
      }
      int c = name.codePointAt(at);
      String what = c == ' ' ? "a space" : c == '.' ? "a dot" : Character.isISOControl(c) || Character.isWhitespace(c)
        ? String.format("U+%04X", c) : "'" + new String(Character.toChars(c)) + "'";
      return what + " at position " + (at + 1) + (c == '.' ? " (a field is written {name.field}: a dot in the name "
        + "would split it)" : at == 0 ? " (the first character)" : "");
    }

    private void readMethod() {
      Object value = json.getValue("method");
      if (!(value instanceof String s)) {
        problem("method", "is required, one of " + new TreeSet<>(METHODS));
        method = "GET";
        return;
      }
      method = s.toUpperCase(java.util.Locale.ROOT);
      if (!METHODS.contains(method)) {
        problem("method", "'" + s + "' is not one of " + new TreeSet<>(METHODS));
        method = "GET";
      }
    }

    private void readFields() {
      Object value = json.getValue("customDataFields");
      if (value == null) {
        return;
      }
      if (!(value instanceof JsonObject obj)) {
        problem("customDataFields", "must be an object of field name to {$.api_" + rdv + ".path}");
        return;
      }
      if (obj.size() > MAX_FIELDS) {
        problem("customDataFields", "at most " + MAX_FIELDS + " fields, not " + obj.size() + ": each is evaluated "
          + "over the whole answer, on the event loop, after every call");
        return;
      }
      for (String field : obj.fieldNames()) {
        String where = "customDataFields." + field;
        if (!FIELD_NAME.matcher(field).matches()) {
          problem(where, "a field name must be letters, digits, '_' or '-'");
        }
        if (!(obj.getValue(field) instanceof String expr)) {
          problem(where, "must be a string such as {$.api_" + rdv + ".results[i].title}");
          continue;
        }
        try {
          fields.put(field, FieldPath.parse(expr, "api_" + rdv));
        } catch (IllegalArgumentException e) {
          problem(where, e.getMessage());
        }
      }
    }

    private void readSuccessCodes() {
      Object value = json.getValue("successCodes");
      if (value == null) {
        successCodes.addAll(DEFAULT_SUCCESS_CODES);
        return;
      }
      if (!(value instanceof JsonArray arr) || arr.isEmpty()) {
        problem("successCodes", "must be a non-empty array of HTTP status codes");
        return;
      }
      for (Object code : arr) {
        if (code instanceof Integer i && i >= 100 && i <= 599) {
          successCodes.add(i);
        } else {
          problem("successCodes", "'" + code + "' is not an HTTP status code (100-599)");
        }
      }
    }

    private String optionalString(String key, String dflt) {
      Object value = json.getValue(key);
      if (value == null) {
        return dflt;
      }
      if (value instanceof String s) {
        return s;
      }
      problem(key, "must be a string");
      return dflt;
    }

    private boolean optionalBoolean(String key, boolean dflt) {
      Object value = json.getValue(key);
      if (value == null) {
        return dflt;
      }
      if (value instanceof Boolean b) {
        return b;
      }
      problem(key, "must be true or false");
      return dflt;
    }

    private long optionalLong(String key, long dflt, long min, long max) {
      Object value = json.getValue(key);
      if (value == null) {
        return dflt;
      }
      if (value instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= min
        && n.longValue() <= max) {
        return n.longValue();
      }
      problem(key, "must be a whole number from " + min + " to " + max + ", not " + value);
      return dflt;
    }
  }
}
