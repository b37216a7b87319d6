package io.botgate.demo;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The demo upstream: a small FAQ searched by {@code q}, served by botgate itself so that the demo
 * integration works offline. An entry matches when every word of the query appears in its title,
 * answer or tags; no query lists everything.
 */
public final class DemoFaq {

  /** On, so a newcomer's first commands run offline against it ({@code demo.enabled}). */
  public static final boolean DEFAULT_ENABLED = true;

  /** Where the demo is served: the one part of the gateway its integrations may call. */
  public static final String PREFIX = "/demo";
  public static final String PATH = PREFIX + "/faq";

  private final List<JsonObject> entries;

  private DemoFaq(List<JsonObject> entries) {
    this.entries = entries;
  }

  public static DemoFaq load() {
    try (InputStream in = DemoFaq.class.getResourceAsStream("/demo/faq.json")) {
      JsonArray array = new JsonArray(Buffer.buffer(in.readAllBytes()));
      return new DemoFaq(array.stream().map(JsonObject.class::cast).toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonObject search(String query) {
    String q = query == null ? "" : query.toLowerCase(Locale.ROOT).trim();
    List<String> words = q.isEmpty() ? List.of() : Arrays.stream(q.split("[^\\p{L}\\p{N}]+"))
      .filter(w -> w.length() > 2).toList();
    JsonArray results = new JsonArray();
    for (JsonObject entry : entries) {
      String text = (entry.getString("title") + " " + entry.getString("answer") + " "
        + entry.getJsonArray("tags").encode()).toLowerCase(Locale.ROOT);
      if (words.stream().allMatch(text::contains)) {
        results.add(new JsonObject().put("id", entry.getString("id")).put("title", entry.getString("title"))
          .put("answer", entry.getString("answer")));
      }
    }
    return new JsonObject().put("query", query == null ? "" : query).put("total", results.size())
      .put("results", results);
  }

  public void handle(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json")
      .end(search(ctx.request().getParam("q")).toBuffer());
  }
}
