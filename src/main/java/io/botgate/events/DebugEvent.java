package io.botgate.events;

import io.botgate.JsonText;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One entry of a session's debug stream, {@code {"seq", "session", "ts", "kind", "level", "text", "data"}}.
 * {@code seq} increases strictly within a session, so a client resumes with {@code after=<seq>} without
 * gaps or duplicates. It is kept as its JSON text in UTF-8, encoded once when emitted: small to keep in
 * history and spliced into answers as is.
 */
public final class DebugEvent {

  public static final String DEBUG = "debug";
  public static final String MESSAGE = "message";
  public static final String INTEGRATION = "integration";
  public static final String SCRIPT = "script";
  public static final String VARIABLE = "variable";
  public static final String WARNING = "warning";
  public static final String ERROR = "error";
  public static final String DROPPED = "dropped";
  /** A console notice: events of a session that no node of the cluster holds any more, skipped. */
  public static final String GAP = "gap";

  private final long seq;
  private final String session;
  private final byte[] utf8;

  DebugEvent(long seq, String session, byte[] utf8) {
    this.seq = seq;
    this.session = session;
    this.utf8 = utf8;
  }

  public long seq() {
    return seq;
  }

  public String session() {
    return session;
  }

  public JsonObject toJson() {
    return new JsonObject(json());
  }

  /** The event as JSON text. */
  public String json() {
    return new String(utf8, StandardCharsets.UTF_8);
  }

  /** The event as JSON text in UTF-8; not a copy, do not change it. */
  public byte[] utf8() {
    return utf8;
  }

  /** Events as one JSON array, their text spliced as it was encoded. */
  public static JsonText.RawArray array(Collection<DebugEvent> events) {
    List<byte[]> texts = new ArrayList<>(events.size()); // once per answer: no stream pipeline for two events
    for (DebugEvent event : events) {
      texts.add(event.utf8());
    }
    return new JsonText.RawArray(texts);
  }
}
