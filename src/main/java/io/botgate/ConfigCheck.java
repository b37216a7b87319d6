package io.botgate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a configuration file's keys and value types against the known settings: an unknown key is named
 * with the closest known one, a value of the wrong type with what the key takes.
 */
final class ConfigCheck {

  /** The bot's own {@code {$env.NAME}} values: an object, not a setting with a default. */
  static final String ENV = "env";

  private ConfigCheck() {
  }

  static List<String> problems(JsonObject file, Map<String, Object> defaults) {
    List<String> problems = new ArrayList<>();
    for (String key : file.fieldNames()) {
      Object value = file.getValue(key);
      if (key.equals(ENV)) {
        if (!(value instanceof JsonObject)) {
          problems.add("'env' must be an object of NAME: value pairs");
        }
      } else if (!defaults.containsKey(key)) {
        problems.add("unknown key '" + key + "'" + closest(key, defaults.keySet())
          .map(k -> " (did you mean '" + k + "'?)").orElse(" (the README's Configuration section lists every key)"));
      } else {
        wrongType(key, value, defaults.get(key)).ifPresent(problems::add);
      }
    }
    return problems;
  }

  private static Optional<String> wrongType(String key, Object value, Object dflt) {
    if (dflt instanceof Integer) {
      boolean whole = value instanceof Integer || value instanceof Long && (Long) value == ((Long) value).intValue();
      return whole ? Optional.empty() : Optional.of("'" + key + "' must be a whole number, not " + shown(value));
    }
    if (dflt instanceof Boolean) {
      return value instanceof Boolean ? Optional.empty()
        : Optional.of("'" + key + "' must be true or false, not " + shown(value));
    }
    if (dflt instanceof JsonArray) {
      return value instanceof JsonArray || value instanceof String ? Optional.empty()
        : Optional.of("'" + key + "' must be a list (a JSON array, or a comma-separated string), not " + shown(value));
    }
    if (dflt instanceof JsonObject) {
      return value instanceof JsonObject ? Optional.empty()
        : Optional.of("'" + key + "' must be a JSON object, not " + shown(value));
    }
    return value == null || value instanceof String ? Optional.empty()
      : Optional.of("'" + key + "' must be a string, not " + shown(value));
  }

  private static String shown(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }

  /** The known key nearest in edit distance, if it is near enough to be a typo. */
  static Optional<String> closest(String key, Iterable<String> known) {
    List<String> candidates = new ArrayList<>();
    known.forEach(candidates::add);
    return candidates.stream().min(Comparator.comparingInt(k -> distance(key, k)))
      .filter(k -> distance(key, k) <= Math.max(2, k.length() / 4));
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
