package io.botgate;

import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.TreeSet;

/** Checks on the fields of a request body; each failure is a 400 that names the field. */
public final class JsonFields {

  private JsonFields() {
  }

  public static void onlyKnown(JsonObject json, Set<String> known) {
    for (String key : json.fieldNames()) {
      if (!known.contains(key)) {
        throw GatewayError.badRequest("invalid_request", "unknown field '" + key + "'" + Typos.closest(key, known)
          .map(near -> " (did you mean '" + near + "'?)").orElse("") + "; known fields are " + new TreeSet<>(known));
      }
    }
  }

  /** The field as a JSON object, or null when absent. */
  public static JsonObject object(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v == null || v instanceof JsonObject) {
      return (JsonObject) v;
    }
    throw GatewayError.badRequest("invalid_request", "'" + key + "' must be a JSON object");
  }

  /** The field as a string, or null when absent. */
  public static String string(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw GatewayError.badRequest("invalid_request", "'" + key + "' must be a string");
  }
}
