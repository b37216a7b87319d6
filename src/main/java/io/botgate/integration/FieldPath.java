package io.botgate.integration;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.JsonPathException;
import com.jayway.jsonpath.Option;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A custom data field in CB syntax, {@code {$.api_<rdv>.results[i].title}}, evaluated with Jayway
 * JsonPath: CB's {@code [i]} ("every element") is JSONPath's {@code [*]}.
 * <p>
 * Most fields are plain chains of names and {@code [i]}. Those are first walked directly over the maps and
 * lists, which costs a fraction of Jayway's evaluation on every execution; whenever the walk meets anything
 * but the plain case (a missing name, a value of another type), Jayway decides, so the answer is always
 * Jayway's. An answer still in its text ({@link JsonBody}) is walked by scanning the text, with the same
 * rules, and decoded only where the scan meets anything but the plain case, or when the text is large
 * ({@link JsonBody#scannable}: each field scans from the start, so a large answer is decoded once instead).
 */
final class FieldPath {

  private static final Configuration CONFIG = Configuration.defaultConfiguration()
    .addOptions(Option.SUPPRESS_EXCEPTIONS);
  private static final Pattern PLAIN = Pattern.compile("\\$(\\.[A-Za-z_][A-Za-z0-9_]*|\\[\\*])*");
  /** A function call: its name, then its parameters in parentheses (a filter's are after {@code ?}). */
  private static final Pattern FUNCTION = Pattern.compile("[A-Za-z0-9_]\\s*\\(");
  private static final Pattern STEP = Pattern.compile("\\.([A-Za-z_][A-Za-z0-9_]*)|\\[\\*]");
  /** A step of a plain path meaning "every element". */
  private static final String EVERY = "[*]";
  /** What the direct walk answers when Jayway must decide. */
  private static final Object UNSURE = new Object();

  /**
   * How often a field may name the answer ({@code $}): the path itself and its functions' and filters' paths. Each
   * function parameter that is a path holds its value whole (600 of {@code concat($.api_x.s, ...)} over a 1 MiB
   * answer took the heap), so the text a field builds stays within a few times the answer.
   */
  static final int MAX_ROOTS = 5;

  private final String source;
  /** The path as compiled once, or null when it has a function: see {@link #jayway}. */
  private final JsonPath path;
  private final String jsonPath;
  /** The names and {@link #EVERY} of a plain path, or null. */
  private final List<String> steps;
  /** Whether the plain path has {@code [i]}, so that its value is a list of what every element gives. */
  private final boolean collects;

  /** @param path the compiled path, or null when it has a function: compiled for each evaluation */
  private FieldPath(String source, String jsonPath, JsonPath path, List<String> steps) {
    this.source = source;
    this.jsonPath = jsonPath;
    this.path = path;
    this.steps = steps;
    this.collects = steps != null && steps.contains(EVERY);
  }

  static FieldPath parse(String expression, String apiVariable) {
    String expr = expression.trim();
    String root = "{$." + apiVariable;
    if (!expr.startsWith(root) || !expr.endsWith("}")
      || !(expr.length() == root.length() + 1 || ".[".indexOf(expr.charAt(root.length())) >= 0)) {
      throw new IllegalArgumentException("'" + expression + "' must read {$." + apiVariable
        + ".<path>}, e.g. {$." + apiVariable + ".results[i].title}");
    }
    String jsonPath = expr.substring(1, expr.length() - 1).replace("[i]", "[*]");
    if (jsonPath.contains("=~")) {
      // Java's regular expressions backtrack without a bound, on the event loop, over text the upstream chose:
      // (.*a){10}b over 38 characters took 8 s there, past any deadline.
      throw new IllegalArgumentException("'" + expression + "' filters with a regular expression (=~), which botgate "
        + "does not evaluate: an answer could make it backtrack for minutes; filter in the transformScript instead, "
        + "where regular expressions are checked while they backtrack");
    }
    String unquoted = unquoted(jsonPath);
    String unbalanced = unbalancedBracket(unquoted, expr);
    if (unbalanced != null) {
      throw new IllegalArgumentException("'" + expression + "' is not a valid path: " + unbalanced);
    }
    int roots = roots(unquoted);
    if (roots > MAX_ROOTS) {
      throw new IllegalArgumentException("'" + expression + "' names the answer ($) " + roots + " times; at most "
        + MAX_ROOTS + " (each path a function takes holds its value whole): combine values in the transformScript");
    }
    Matcher function = FUNCTION.matcher(unquoted);
    boolean calls = function.find();
    if (calls && unquoted.indexOf("..", function.end()) >= 0) {
      throw new IllegalArgumentException("'" + expression + "' scans the answer (..) inside a function's parameters, "
        + "which botgate does not evaluate: the function writes out every match whole, each holding the ones "
        + "below it (a deep answer of 1 MB took the heap); scan outside the function, or combine in the transformScript");
    }
    try {
      JsonPath compiled = JsonPath.compile(jsonPath); // also when it is compiled per evaluation: refused here if wrong
      return new FieldPath(expression, jsonPath, calls ? null : compiled, plainSteps(jsonPath));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("'" + expression + "' is not a valid path: " + e.getMessage());
    }
  }

  /**
   * Where a bracket of the path ({@link #unquoted}: outside quoted names and strings) is left open or closed once too
   * often; null when they pair. Jayway reads {@code $.api_x.results[} as {@code $.api_x.results}: a typo mapped the
   * whole list where the author meant an element. The bracket is named by the text of {@code expr} (the path as
   * written, of the same length as the unquoted path after its brace) up to it.
   */
  private static String unbalancedBracket(String unquoted, String expr) {
    int open = -1;
    int depth = 0;
    for (int i = 0; i < unquoted.length(); i++) {
      char c = unquoted.charAt(i);
      if (c == '[') {
        open = depth++ == 0 ? i : open;
      } else if (c == ']' && --depth < 0) {
        return "the ']' after '" + expr.substring(1, i + 1) + "' closes no '['";
      }
    }
    return depth == 0 ? null : "the '[' after '" + expr.substring(1, open + 1) + "' is not closed";
  }

  /**
   * How often an unquoted path names the answer: each {@code $}, and each {@code @} that begins a function's
   * parameter, which Jayway evaluates from the answer's root as it does {@code $} ({@code concat(@.api_x.s, ...)}
   * holds the value whole as well). An {@code @} in a filter ({@code [?(@.id > 1)]}) is the element filtered.
   */
  static int roots(String unquoted) {
    int roots = 0;
    java.util.ArrayDeque<Boolean> parentheses = new java.util.ArrayDeque<>(); // whether each open one is a function's
    char before = 0; // the last character that is not white space
    for (int i = 0; i < unquoted.length(); i++) {
      char c = unquoted.charAt(i);
      if (c == '$') {
        roots++;
      } else if (c == '@' && (before == '(' || before == ',') && Boolean.TRUE.equals(parentheses.peek())) {
        roots++;
      } else if (c == '(') {
        parentheses.push(Character.isLetterOrDigit(before) || before == '_');
      } else if (c == ')' && !parentheses.isEmpty()) {
        parentheses.pop();
      }
      if (!Character.isWhitespace(c)) {
        before = c;
      }
    }
    return roots;
  }

  /**
   * The path with the text of its quoted names and strings blanked (their quotes kept, each character a space, so
   * that a place in it is the same place in the path): what the checks read, a bracket, a {@code $} or a function's
   * parentheses inside a name or a string being that name's or string's own.
   */
  private static String unquoted(String jsonPath) {
    char[] out = jsonPath.toCharArray();
    char quote = 0;
    for (int i = 0; i < out.length; i++) {
      char c = out[i];
      if (quote == 0) {
        quote = c == '\'' || c == '"' ? c : 0;
      } else if (c == quote) {
        quote = 0;
      } else {
        out[i] = ' ';
        if (c == '\\' && i + 1 < out.length) {
          out[++i] = ' '; // the character it escapes, a quote included
        }
      }
    }
    return new String(out);
  }

  String source() {
    return source;
  }

  /** Whether it is a plain chain of names and {@code [i]}, walked directly rather than by Jayway. */
  boolean plain() {
    return steps != null;
  }

  /**
   * Whether its cost grows with the answer: Jayway's (a filter, a deep scan may walk all of it), or a plain path with
   * {@code [i]}, whose value is a new list of what every element gives (50,000 of them over a 50,000-member answer).
   */
  boolean walksAnswer() {
    return steps == null || collects;
  }

  /**
   * Evaluates against {@code {"api_<rdv>": body}} (plain maps and lists). An array yields a
   * {@link JsonArray}, a scalar its value, a missing path null.
   */
  Object evaluate(Map<String, Object> document) {
    Object value = steps == null ? UNSURE : walk(document);
    return toJsonValue(value == UNSURE ? jayway(document) : value);
  }

  /** Evaluates with Jayway only; the tests compare it with {@link #evaluate}. */
  Object evaluateWithJayway(Map<String, Object> document) {
    return toJsonValue(jayway(document));
  }

  /**
   * Jayway's answer; null where it throws in spite of SUPPRESS_EXCEPTIONS (a filter applied to a null
   * value does), as for any other path the response does not have.
   */
  private Object jayway(Map<String, Object> document) {
    try {
      // Jayway keeps a function's evaluated parameters in the compiled path (json-path/JsonPath#975): shared by the
      // event loops, one session's values went into another's fields, and the last values stayed on the heap.
      // Such a path is compiled for each evaluation (tens of microseconds); the others are compiled once.
      return (path != null ? path : JsonPath.compile(jsonPath)).read(document, CONFIG);
    } catch (JsonPathException e) {
      return null;
    }
  }

  private static List<String> plainSteps(String jsonPath) {
    if (!PLAIN.matcher(jsonPath).matches()) {
      return null;
    }
    List<String> steps = new ArrayList<>();
    Matcher m = STEP.matcher(jsonPath);
    while (m.find()) {
      steps.add(m.group(1) == null ? EVERY : m.group(1));
    }
    return List.copyOf(steps);
  }

  /** The value of a plain path, a list when it has {@code [i]}, or {@link #UNSURE}. */
  private Object walk(Object document) {
    if (!collects) {
      return step(document, 0, null);
    }
    List<Object> out = new ArrayList<>();
    return step(document, 0, out) == UNSURE ? UNSURE : out;
  }

  /** Follows the steps from {@code index}; with {@code out}, adds the values reached to it. */
  private Object step(Object node, int index, List<Object> out) {
    if (index == steps.size()) {
      if (out != null) {
        out.add(node);
      }
      return node;
    }
    if (node instanceof JsonBody body && body.scannable()) {
      int kept = out == null ? 0 : out.size();
      Object value = scan(body, index, out);
      if (value != UNSURE) {
        return value;
      }
      if (out != null) {
        out.subList(kept, out.size()).clear(); // walked again below, over the decoded answer
      }
    }
    String step = steps.get(index);
    if (step == EVERY) {
      if (!(node instanceof List<?> list)) {
        return UNSURE;
      }
      for (Object element : list) {
        if (step(element, index + 1, out) == UNSURE) {
          return UNSURE;
        }
      }
      return out;
    }
    if (!(node instanceof Map<?, ?> map) || !map.containsKey(step)) {
      return UNSURE;
    }
    Object next = map.get(step);
    if (next == null && index + 1 < steps.size()) {
      return UNSURE;
    }
    return step(next, index + 1, out);
  }

  /** {@link #step} over the text of an answer not decoded yet; {@link #UNSURE} where the tree must decide. */
  private Object scan(JsonBody body, int index, List<Object> out) {
    try (JsonParser parser = body.parser()) {
      parser.nextToken();
      return scan(parser, index, out);
    } catch (IOException e) {
      return UNSURE; // not expected: the text was read in full when it arrived
    }
  }

  /**
   * As {@link #step}, the parser standing on the value's first token. A value that is an object or an array
   * at the path's end, and a name given twice in one object (the tree keeps the last), are left to the tree.
   */
  private Object scan(JsonParser parser, int index, List<Object> out) throws IOException {
    JsonToken token = parser.currentToken();
    if (index == steps.size()) {
      if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
        return UNSURE;
      }
      Object value = scalar(parser, token);
      if (out != null) {
        out.add(value);
      }
      return value;
    }
    String step = steps.get(index);
    if (step == EVERY) {
      if (token != JsonToken.START_ARRAY) {
        return UNSURE;
      }
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        if (scan(parser, index + 1, out) == UNSURE) {
          return UNSURE;
        }
      }
      return out;
    }
    if (token != JsonToken.START_OBJECT) {
      return UNSURE;
    }
    Object found = UNSURE;
    boolean seen = false;
    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
      parser.nextToken();
      if (!name.equals(step)) {
        parser.skipChildren();
      } else if (seen) {
        return UNSURE;
      } else {
        seen = true;
        found = scan(parser, index + 1, out);
        if (found == UNSURE) {
          return UNSURE;
        }
      }
    }
    return found;
  }

  /** A scalar as Vert.x's decoding gives it. */
  private static Object scalar(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      default -> null;
    };
  }

  static int count(Object value) {
    if (value == null) {
      return 0;
    }
    return value instanceof JsonArray arr ? arr.size() : 1;
  }

  @SuppressWarnings("unchecked")
  private static Object toJsonValue(Object value) {
    if (value instanceof List<?> list) {
      return new JsonArray((List<Object>) list);
    }
    if (value instanceof Map<?, ?> map) {
      return new JsonObject((Map<String, Object>) map);
    }
    return value;
  }
}
