package io.botgate.script;

import io.vertx.core.json.JsonObject;

/**
 * Why a script stopped early: {@code syntax}, {@code runtime} (an exception the script did not catch),
 * or {@code limit} (CPU time, memory or stack). Line and column are 0 when unknown.
 */
public record ScriptError(String type, String message, String script, int line, int column) {

  /** The message is cut at {@link ScriptText#MAX_ERROR} characters: a script may throw a string of millions. */
  public ScriptError {
    message = ScriptText.bounded(message, ScriptText.MAX_ERROR);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type).put("message", message).put("script", script);
    if (line > 0) {
      json.put("line", line);
    }
    if (column > 0) {
      json.put("column", column);
    }
    return json;
  }

  /** "SyntaxError in preProcess at 3:14: missing ; before statement" */
  public String describe() {
    String where = line > 0 ? " at " + line + (column > 0 ? ":" + column : "") : "";
    String kind = switch (type) {
      case "syntax" -> "syntax error";
      case "limit" -> "limit reached";
      default -> "error";
    };
    return script + ": " + kind + where + ": " + message;
  }
}
