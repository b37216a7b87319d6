package io.botgate.integration;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * A custom data field in CB syntax, {@code {$.api_<rdv>.results[i].title}}, evaluated with Jayway
 * JsonPath: CB's {@code [i]} ("every element") is JSONPath's {@code [*]}.
 */
final class FieldPath {

  private static final Configuration CONFIG = Configuration.defaultConfiguration()
    .addOptions(Option.SUPPRESS_EXCEPTIONS);

  private final String source;
  private final JsonPath path;

  private FieldPath(String source, JsonPath path) {
    this.source = source;
    this.path = path;
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
    try {
      return new FieldPath(expression, JsonPath.compile(jsonPath));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("'" + expression + "' is not a valid path: " + e.getMessage());
    }
  }

  String source() {
    return source;
  }

  /**
   * Evaluates against {@code {"api_<rdv>": body}} (plain maps and lists). An array yields a
   * {@link JsonArray}, a scalar its value, a missing path null.
   */
  Object evaluate(Map<String, Object> document) {
    Object value = path.read(document, CONFIG);
    return toJsonValue(value);
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
