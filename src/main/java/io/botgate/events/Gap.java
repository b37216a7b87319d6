package io.botgate.events;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Seqs {@code from}-{@code to} of a session that no member keeps any more, told to a client where they would
 * have been (a console's {@code gap} frame, a history page's {@code gaps}) so that it never takes a hole for
 * nothing.
 *
 * @param left       members that left the cluster within the history's keep time: they may have taken them
 * @param unanswered members that did not answer in time: they may still hold them
 */
public record Gap(long from, long to, List<String> left, List<String> unanswered) {

  /** {@code {"from", "to"}}, with {@code "left"} and {@code "unanswered"} when not empty. */
  public JsonObject toJson() {
    JsonObject data = new JsonObject().put("from", from).put("to", to);
    if (!left.isEmpty()) {
      data.put("left", new JsonArray(left));
    }
    if (!unanswered.isEmpty()) {
      data.put("unanswered", new JsonArray(unanswered));
    }
    return data;
  }
}
