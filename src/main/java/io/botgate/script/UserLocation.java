package io.botgate.script;

import io.vertx.core.json.JsonObject;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.LambdaFunction;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;

import java.util.List;
import java.util.Map;

/**
 * {@code botContext.getUserLocation()}: in CB an object read through getter methods
 * ({@code location.getCityName()}, {@code location.getLatitude()} in CB's samples). Made per call from the
 * request context's {@code userLocation}: its fields as properties, a {@code get<Field>()} for each, and
 * CB's getter names mapped to the usual field names. Nothing of it is shared between runs.
 */
final class UserLocation {

  /** CB's getter names and the context fields each reads, first present wins. */
  private static final Map<String, List<String>> GETTERS = Map.of(
    "getCityName", List.of("cityName", "city"),
    "getLatitude", List.of("latitude", "lat"),
    "getLongitude", List.of("longitude", "lng", "lon"),
    "getCountryName", List.of("countryName", "country"),
    "getCountryCode", List.of("countryCode"),
    "getStateName", List.of("stateName", "state", "region"),
    "getPostalCode", List.of("postalCode", "zip"),
    "getAddress", List.of("address"));

  private UserLocation() {
  }

  /** The location object, or null when the context has no userLocation. */
  static Object toJs(JsonObject location, Context cx, Scriptable scope) {
    if (location == null) {
      return null;
    }
    Scriptable out = (Scriptable) JsValues.toJs(location, cx, scope);
    for (String field : location.fieldNames()) {
      if (!field.isEmpty()) {
        getter(out, scope, "get" + Character.toUpperCase(field.charAt(0)) + field.substring(1), List.of(field), location, cx);
      }
    }
    GETTERS.forEach((name, fields) -> {
      if (!ScriptableObject.hasProperty(out, name)) {
        getter(out, scope, name, fields, location, cx);
      }
    });
    return out;
  }

  private static void getter(Scriptable out, Scriptable scope, String name, List<String> fields, JsonObject location,
                             Context cx) {
    Object value = fields.stream().filter(location::containsKey).findFirst().map(location::getValue).orElse(null);
    Object js = JsValues.toJs(value, cx, scope);
    ScriptableObject.putProperty(out, name, new LambdaFunction(scope, name, 0, (c, s, t, a) -> js, false));
  }
}
