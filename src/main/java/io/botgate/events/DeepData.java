package io.botgate.events;

import io.botgate.JsonText;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Event data nested too deep to be read back, made shallow enough. Every event is read back as JSON somewhere: its
 * data scrubbed of known secrets, published on the event bus, sent from another node, in an answer or a page of
 * history that wraps it in levels of their own, in the console. Jackson reads at most 1,000 levels, and a value
 * that a request brought (an upstream's answer, a body of JSON) may nest nearly that deep by itself.
 */
final class DeepData {

  /** Levels an event's data may nest, itself counted: half of what the parser reads, the rest for what wraps it. */
  static final int LEVELS = 512;
  /** What stands for a value that would nest deeper, in its place. */
  static final String TOO_DEEP = "(nested too deep to show: more than " + LEVELS + " levels)";
  private static final byte[] TOO_DEEP_JSON = ("\"" + TOO_DEEP + "\"").getBytes(StandardCharsets.UTF_8);

  private DeepData() {
  }

  /** {@code data} (a JSON object or {@link JsonText.Members}) with each value past {@link #LEVELS} replaced. */
  static JsonObject shallow(Object data) {
    return pruned(JsonText.utf8(data));
  }

  /** The JSON object {@code json} with each object or array that would open past {@link #LEVELS} replaced. */
  static JsonObject pruned(byte[] json) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
    int depth = 0;
    for (int i = 0; i < json.length; i++) {
      byte c = json[i];
      if (c == '"') {
        int end = stringEnd(json, i);
        out.write(json, i, end - i);
        i = end - 1;
        continue;
      }
      if ((c == '[' || c == '{') && depth == LEVELS) {
        i = closing(json, i);
        out.writeBytes(TOO_DEEP_JSON);
        continue;
      }
      if (c == '[' || c == '{') {
        depth++;
      } else if (c == ']' || c == '}') {
        depth--;
      }
      out.write(c);
    }
    return new JsonObject(JsonText.buffer(out.toByteArray()));
  }

  /** Where the string opening at {@code start} ends: just past its closing quote. */
  private static int stringEnd(byte[] json, int start) {
    int i = start + 1;
    while (i < json.length && json[i] != '"') {
      i += json[i] == '\\' ? 2 : 1;
    }
    return i + 1;
  }

  /** Where the object or array opening at {@code start} closes, strings skipped. */
  private static int closing(byte[] json, int start) {
    int open = 0;
    for (int i = start; i < json.length; i++) {
      byte c = json[i];
      if (c == '"') {
        i = stringEnd(json, i) - 1;
      } else if (c == '[' || c == '{') {
        open++;
      } else if ((c == ']' || c == '}') && --open == 0) {
        return i;
      }
    }
    return json.length - 1;
  }
}
