package io.botgate.cb;

import io.botgate.JsonText;
import io.botgate.cluster.ReplicatedDefinitions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CB imports as a kind of {@link ReplicatedDefinitions} ({@code imports.file}): each is kept as the import
 * request (export, baseUrls, replace) under the bot's name, and installed on a node by importing it there. A
 * saved import is installed again at start, after {@code imports.cb}; re-importing a bot replaces it.
 */
public final class SavedImports {

  private static final Logger LOG = LoggerFactory.getLogger(SavedImports.class);

  private SavedImports() {
  }

  /**
   * The kind: checked as a {@code POST /api/import/cb} is, installed by importing, removed with the bot (and its
   * integrations); kept in the order the imports were last made, the order they are made again at start.
   */
  public static ReplicatedDefinitions.Kind<CbImporter.Checked> kind(CbImporter importer) {
    // In the order they were last made: a later import may have taken an integration over from an earlier one.
    return new ReplicatedDefinitions.Kind<>("imports", (name, saved) -> importer.check(request(saved)),
      (name, checked) -> {
        if (checked == null) {
          importer.remove(name);
        } else {
          importer.install(checked);
        }
      }, true);
  }

  /** What is kept of an import request: the request itself with the bot's name. */
  public static JsonObject saved(String bot, JsonObject request) {
    return new JsonObject().put("name", bot).mergeIn(request);
  }

  /**
   * Imports every saved import of the file's text (blocking: their scripts are compiled). One this node
   * refuses (say, its integrations changed under it) is reported and stays in the file, not installed.
   *
   * @return the saved imports, as read
   */
  public static JsonArray installAll(CbImporter importer, String text, String file) {
    JsonArray saved = text == null ? new JsonArray() : read(text, file);
    for (Object entry : saved) {
      JsonObject json = (JsonObject) entry;
      try {
        JsonObject answer = importer.importExport(request(json)).answer();
        LOG.info("imported CB bot '{}' saved in {}", answer.getString("bot"), file);
        logWarnings(answer, file);
      } catch (RuntimeException e) {
        LOG.error("imports.file: {}: the saved import of bot '{}' is refused on this node, not installed: {}", file,
          json.getString("name"), e.getMessage());
      }
    }
    return saved;
  }

  /** Logs each warning of an import made at start, whose answer no one reads. */
  public static void logWarnings(JsonObject answer, String file) {
    for (Object entry : answer.getJsonArray("warnings", new JsonArray())) {
      JsonObject warning = (JsonObject) entry;
      LOG.warn("CB bot '{}' from {}: {}: {}", answer.getString("bot"), file, warning.getString("where"),
        warning.getString("message"));
    }
  }

  /**
   * The saved imports, a JSON array of objects each naming its bot; otherwise the start stops saying where the file
   * is wrong (it said "Failed to decode", or a ClassCastException's text).
   */
  private static JsonArray read(String text, String file) {
    Object value;
    try {
      value = JsonText.decode(Buffer.buffer(text));
    } catch (DecodeException e) {
      throw new IllegalArgumentException("imports.file: " + file + " is not JSON: "
        + JsonText.withoutQuotedText(e.getMessage()));
    }
    if (!(value instanceof JsonArray saved)) {
      throw new IllegalArgumentException("imports.file: " + file + " must be a JSON array of saved imports ([] for "
        + "none), not " + (value instanceof JsonObject ? "an object" : "a single value"));
    }
    for (int i = 0; i < saved.size(); i++) {
      if (!(saved.getValue(i) instanceof JsonObject entry) || !(entry.getValue("name") instanceof String)) {
        throw new IllegalArgumentException("imports.file: " + file + ": entry [" + i + "] must be an object with "
          + "the bot's \"name\" and its import request (\"export\", \"baseUrls\"), as botgate writes it");
      }
    }
    return saved;
  }

  /**
   * The import request a saved import is made again with: as with {@code "replace"}, since the node that took it
   * judged its conflicts against what it had. Two imports taken at once on two nodes (each checked before it saw
   * the other) both stand, and whichever the cluster made last owns what both declare, on every node and after
   * a restart alike.
   */
  private static JsonObject request(JsonObject saved) {
    JsonObject request = saved.copy();
    request.remove("name");
    return request.put("replace", true);
  }
}
