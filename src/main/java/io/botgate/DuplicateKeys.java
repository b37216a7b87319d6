package io.botgate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a key given twice in one object of a JSON file a user edits (the configuration, saved definitions, CB
 * exports): every JSON reader here keeps the last value without a word, so the first one, which the user may be
 * looking at, was silently not in force.
 */
final class DuplicateKeys {

  /** As {@link JsonText}'s parser reads files: comments allowed. */
  private static final JsonFactory PARSERS = JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();

  private DuplicateKeys() {
  }

  /**
   * The first key given twice, as {@code line 5, column 3: key 'http.port' is given twice in one object (first at
   * line 2, column 3); ...}, with where the object is when it is not the top one; empty when there is none, and
   * for text that is not JSON (its reader then says where it breaks).
   */
  static Optional<String> first(byte[] text) {
    try (JsonParser parser = PARSERS.createParser(text)) {
      Deque<Map<String, JsonLocation>> open = new ArrayDeque<>();
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.START_OBJECT) {
          open.push(new HashMap<>());
        } else if (token == JsonToken.END_OBJECT) {
          open.pop();
        } else if (token == JsonToken.FIELD_NAME) {
          JsonLocation at = parser.currentTokenLocation();
          JsonLocation before = open.element().putIfAbsent(parser.currentName(), at);
          if (before != null) {
            return Optional.of(where(at) + ": key '" + ShownText.bounded(parser.currentName(), 100)
              + "' is given twice in one object" + in(parser.getParsingContext().getParent()) + " (first at "
              + where(before) + "); JSON keeps only the last silently, so remove one");
          }
        }
      }
    } catch (IOException notJson) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static String where(JsonLocation at) {
    return "line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /** Where the object is, as {@code [1].headers}: nothing for the top one. */
  private static String in(JsonStreamContext parent) {
    Deque<String> steps = new ArrayDeque<>();
    for (JsonStreamContext c = parent; c != null && !c.inRoot(); c = c.getParent()) {
      steps.push(c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.getCurrentName());
    }
    String path = String.join("", steps);
    path = path.startsWith(".") ? path.substring(1) : path;
    return path.isEmpty() ? "" : " (at " + ShownText.bounded(path, 200) + ")";
  }
}
