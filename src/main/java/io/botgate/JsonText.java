package io.botgate;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Writes JSON text for the values botgate builds: JSON objects and arrays, maps, lists, strings, numbers,
 * booleans and null, plus a {@link RawArray} of texts that are JSON already (debug events, encoded when
 * they were emitted), spliced in as is. Every execution encodes several small documents; Jackson's per-document set-up
 * made that a large share of the gateway's CPU, and splicing saves encoding an event twice. Other types
 * go through {@link Json#encode}, so the output is what Vert.x would write.
 */
public final class JsonText {

  /** A JSON array of elements that are JSON text already; written as is. */
  public record RawArray(List<String> elements) {
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final int SCRATCH_KEPT = 64 * 1024;
  /** One builder per thread, reused: a document is written without growing a new builder each time. */
  private static final ThreadLocal<StringBuilder> SCRATCH = ThreadLocal.withInitial(() -> new StringBuilder(4096));

  private JsonText() {
  }

  public static String encode(Object value) {
    StringBuilder out = scratch();
    write(out, value);
    return done(out, out.toString());
  }

  /** The value's JSON text as UTF-8 bytes, wrapped without another copy. */
  public static Buffer toBuffer(Object value) {
    byte[] bytes = encode(value).getBytes(StandardCharsets.UTF_8);
    return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
  }

  private static StringBuilder scratch() {
    StringBuilder out = SCRATCH.get();
    out.setLength(0);
    return out;
  }

  /** Lets a builder that grew for a large document go, so a thread does not hold on to it. */
  private static <T> T done(StringBuilder out, T result) {
    if (out.capacity() > SCRATCH_KEPT) {
      SCRATCH.remove();
    }
    return result;
  }

  public static void write(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      string(out, s);
    } else if (value instanceof JsonObject o) {
      object(out, o.getMap());
    } else if (value instanceof Map<?, ?> m) {
      object(out, m);
    } else if (value instanceof JsonArray a) {
      array(out, a.getList());
    } else if (value instanceof Collection<?> c) {
      array(out, c);
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
      || value instanceof Short || value instanceof Byte) {
      out.append(value);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isFinite(d)) {
        out.append(value);
      } else {
        out.append('"').append(value).append('"'); // as Jackson writes them
      }
    } else if (value instanceof RawArray raw) {
      out.append('[');
      for (int i = 0; i < raw.elements().size(); i++) {
        out.append(i == 0 ? "" : ",").append(raw.elements().get(i));
      }
      out.append(']');
    } else if (value instanceof Instant instant) {
      string(out, instant.toString());
    } else {
      out.append(Json.encode(value));
    }
  }

  private static void object(StringBuilder out, Map<?, ?> map) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(out, String.valueOf(e.getKey()));
      out.append(':');
      write(out, e.getValue());
    }
    out.append('}');
  }

  private static void array(StringBuilder out, Collection<?> items) {
    out.append('[');
    boolean first = true;
    for (Object item : items) {
      if (!first) {
        out.append(',');
      }
      first = false;
      write(out, item);
    }
    out.append(']');
  }

  /** A JSON string: quotes, backslashes and control characters escaped, everything else as is. */
  static void string(StringBuilder out, String s) {
    out.append('"');
    int start = 0;
    int length = s.length();
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, start, i);
      start = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    out.append(s, start, length).append('"');
  }
}
