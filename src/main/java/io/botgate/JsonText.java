package io.botgate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.botgate.session.SessionId;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads JSON text from buffers and writes it, as UTF-8 bytes, for the values botgate builds: JSON objects and arrays, maps, lists,
 * strings, numbers, booleans and null, plus a {@link RawArray} of texts that are JSON already (debug events,
 * encoded when they were emitted), spliced in as is. Every execution encodes several small documents;
 * Jackson's per-document set-up made that a large share of the gateway's CPU, splicing saves encoding an
 * event twice, and writing bytes directly saves the copies through a string. Other types go through
 * {@link Json#encode}, so the output is what Vert.x would write.
 */
public final class JsonText {

  /** A JSON array of elements that are JSON text, as UTF-8, already; written as is. */
  public record RawArray(List<byte[]> elements) {
  }

  /**
   * A map that is a JSON object's text first and its decoded form only when something reads it (an upstream
   * answer shown in a debug event as it came): written as that text while nobody has decoded it.
   */
  public interface Spliced {
    /** The object's text, strict JSON in UTF-8, to be written as is; null once it is read as a map. */
    Buffer jsonText();
  }

  /**
   * A JSON object whose members are written straight into the document that holds it, when that document is
   * written (a debug event's data): neither built as a map first nor written into an array of its own and
   * copied. It is written on the thread, and in the scratch buffer, of the document around it; a document it
   * starts meanwhile ({@link #fields()}, {@link #utf8}) gets a buffer of its own.
   */
  @FunctionalInterface
  public interface Members {
    void writeTo(Fields fields);
  }

  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final int SCRATCH_KEPT = 64 * 1024;
  /** One buffer per thread, reused: a document is written without growing a new one each time. */
  private static final ThreadLocal<Out> SCRATCH = ThreadLocal.withInitial(() -> new Out(4096, 256));

  /**
   * Parses as Vert.x does (comments allowed), from a byte array rather than through an InputStream; member names are
   * not interned, as Jackson would by default: the names of a request's variables or of an upstream's answer are the caller's
   * choice, and 20,000 distinct ones (a 1 MB execute body) spent a third of its 200 ms on the event loop in
   * {@code String.intern}.
   */
  private static final JsonFactory PARSERS = JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
    .disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();

  private JsonText() {
  }

  /**
   * The value of the JSON text in the buffer, as {@link Json#decodeValue(Buffer)} gives it (objects as
   * {@link JsonObject}, arrays as {@link JsonArray}), reading the buffer's bytes where they are: Vert.x reads
   * them through an InputStream, whose set-up costs more than parsing a small document.
   */
  public static Object decode(Buffer buffer) throws DecodeException {
    try {
      return decode(parser(PARSERS, buffer));
    } catch (IOException e) {
      throw new DecodeException(describe(e), e);
    }
  }

  /** A parser of {@code factory}'s over the buffer's bytes where they are, copied only when not in an array. */
  public static JsonParser parser(JsonFactory factory, Buffer buffer) throws IOException {
    ByteBuf bytes = ((BufferInternal) buffer).getByteBuf();
    return bytes.hasArray()
      ? factory.createParser(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes())
      : factory.createParser(buffer.getBytes());
  }

  /** {@link #decode(Buffer)} of bytes not in a buffer (the configuration file, read before Netty's buffers are set up). */
  public static Object decode(byte[] bytes) throws DecodeException {
    try {
      return decode(PARSERS.createParser(bytes));
    } catch (IOException e) {
      throw new DecodeException(describe(e), e);
    }
  }

  private static Object decode(JsonParser parser) throws DecodeException {
    try {
      return JacksonCodec.fromParser(parser, Object.class);
    } catch (DecodeException e) {
      if (e.getCause() == null && parser.currentToken() == null) {
        // Vert.x says only "Unexpected token" of text that ends before any value: an empty file, a blank body
        JsonLocation at = parser.currentLocation();
        throw new DecodeException("line " + at.getLineNr() + ", column " + at.getColumnNr()
          + ": no JSON value: the text is empty (or only white space)");
      }
      throw e.getCause() instanceof IOException cause ? new DecodeException(describe(cause), cause) : e;
    }
  }

  /** Where the text went wrong and how, without the parser's own internals ("Source: REDACTED ..."). */
  static String describe(IOException e) {
    if (!(e instanceof JsonProcessingException p)) {
      return e.getMessage();
    }
    String what = p.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]\\)",
      " (opened at line $1, column $2)").replaceAll("\\s*\\[Source: [^\\]]*\\]", "")
      .replaceAll(", from `[^`]*`", ""); // a limit's setting in Jackson ("1000, from `StreamReadConstraints...`")
    JsonLocation at = p.getLocation();
    return at == null ? what : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + what;
  }

  /**
   * A reason {@link #describe} gave, without the text of the document it quotes: the run of letters and digits
   * Jackson quotes for an unrecognized token, which in an upstream's answer may be part of a secret the call
   * sent and the upstream echoed (cut at a '.' or '-', so masking the whole value does not find it). Other
   * reasons quote one character at most.
   */
  public static String withoutQuotedText(String reason) {
    return reason == null ? null : UNRECOGNIZED.matcher(reason).replaceAll(m -> "Unrecognized token of "
      + m.group(1).length() + (m.group(1).length() == 1 ? " character" : " characters"));
  }

  private static final Pattern UNRECOGNIZED = Pattern.compile("Unrecognized token '([^']*)'");

  /**
   * Where {@code value} holds a number beyond a double's range, or null: Jackson reads {@code 1e400} as infinity,
   * which would be kept and written back as the string {@code "Infinity"}, another value than sent. The path names
   * members and items ({@code variables.list[2].x}); it is built only when one is found.
   */
  public static String outOfRange(Object value) {
    Found found = first(value, v -> v instanceof Double d && d.isInfinite(), name -> false);
    return found == null ? null : found.path();
  }

  /**
   * Where {@code value} holds a lone surrogate (half of a UTF-16 pair), in a string or a member's name, or null: such
   * text has no UTF-8 form and is written as '?', another value than sent. A string's path is given in
   * {@link #outOfRange}'s form ({@code headers.X-Key}, {@code ""} for the value itself); a member's name, which cannot
   * be shown, as "a member's name" or "a member's name under {@code headers}".
   */
  public static String loneSurrogate(Object value) {
    Found found = first(value, v -> v instanceof String text && SessionId.loneSurrogate(text) >= 0,
      name -> SessionId.loneSurrogate(name) >= 0);
    return found == null ? null : !found.name() ? found.path()
      : found.path().isEmpty() ? "a member's name" : "a member's name under " + found.path();
  }

  /** What {@link #first} found: where ({@link #pathOf}'s form), and whether it is a member's name or a value there. */
  private record Found(String path, boolean name) {
    Found inside(String at) {
      return new Found(pathOf(at, path), name);
    }
  }

  /**
   * The first value {@code bad} says so of in {@code value}, or the first member name {@code badName} says so of
   * (before that member's value), walking objects and arrays in order; null when none.
   */
  private static Found first(Object value, Predicate<Object> bad, Predicate<String> badName) {
    if (bad.test(value)) {
      return new Found("", false);
    }
    if (value instanceof JsonObject object) {
      return first(object.getMap(), bad, badName);
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> member : map.entrySet()) {
        String name = String.valueOf(member.getKey());
        if (badName.test(name)) {
          return new Found("", true); // the name cannot be shown: where it is, is said by the levels above
        }
        Found below = first(member.getValue(), bad, badName);
        if (below != null) {
          return below.inside(name);
        }
      }
      return null;
    }
    List<?> items = value instanceof JsonArray array ? array.getList() : value instanceof List<?> list ? list : null;
    for (int i = 0; items != null && i < items.size(); i++) {
      Found below = first(items.get(i), bad, badName);
      if (below != null) {
        return below.inside("[" + i + "]");
      }
    }
    return null;
  }

  /** The path of what is at {@code below} ({@link #outOfRange}'s form) inside {@code at}: {@code a.b}, {@code a[2]}. */
  public static String pathOf(String at, String below) {
    return below.isEmpty() || below.startsWith("[") ? at + below : at + "." + below;
  }

  /** The value's JSON text as UTF-8. */
  public static byte[] utf8(Object value) {
    Out out = write(value);
    return done(out, Arrays.copyOf(out.bytes, out.length));
  }

  /**
   * As {@link #utf8}, but a lone surrogate is written as its escape ({@code \\uD800}), which {@link #decode} reads
   * back as that same character: for what is kept to be read back by botgate (a session's state in a cluster), which
   * must be what a node alone would have kept. Not for what is shown: such an escape is JSON some readers refuse.
   */
  public static byte[] utf8Exact(Object value) {
    Out out = scratch();
    out.length = 0;
    out.exact = true;
    try {
      out.value(value);
    } finally {
      out.exact = false;
    }
    return done(out, Arrays.copyOf(out.bytes, out.length));
  }

  /**
   * Starts one JSON object written field by field into this thread's scratch buffer, for a small document
   * on a hot path (a debug event) that need not be built as a {@link JsonObject} first: the fields come out
   * in the order written, encoded as {@link #utf8} encodes them. Write every field, then call
   * {@link Fields#done()} once, before starting another document on the same thread.
   */
  public static Fields fields() {
    Out out = scratch();
    out.length = 0;
    out.depth = out.deepest = 1;
    out.put('{');
    return new Fields(out);
  }

  /** A field's name, encoded once ({@code "name":}), for {@link Fields}. */
  public static final class Key {
    private final byte[] utf8;

    private Key(byte[] utf8) {
      this.utf8 = utf8;
    }
  }

  /** The name of a field written often, encoded once. */
  public static Key key(String name) {
    Out out = new Out(64, 16);
    out.string(name);
    out.put(':');
    return new Key(Arrays.copyOf(out.bytes, out.length));
  }

  /**
   * Fields to be encoded once ({@code "a":"x","b":"y"}) and written by {@link Fields#encoded} into documents
   * that repeat them (every debug event of a session names it); {@link Fields#inner} gives them. In a buffer
   * of its own, not the thread's scratch one: they are made while a {@link #fields()} document is written.
   */
  public static Fields detachedFields() {
    Out out = new Out(64, 16); // a few fields: a session's name, a kind and a level (one per new session)
    out.depth = out.deepest = 1;
    out.put('{');
    return new Fields(out);
  }

  /** One JSON object being written; see {@link #fields()}. */
  public static final class Fields {
    private final Out out;
    private boolean first = true;

    private Fields(Out out) {
      this.out = out;
    }

    private void key(Key key) {
      raw(key.utf8);
    }

    /** Encoded text after a comma unless it is the first. */
    private void raw(byte[] text) {
      if (!first) {
        out.put(',');
      }
      first = false;
      out.put(text);
    }

    public Fields number(Key key, long value) {
      key(key);
      if (value < 0 || value >= 1_000_000_000_000_000L) {
        out.ascii(Long.toString(value));
        return this;
      }
      int digits = 1;
      for (long rest = value / 10; rest > 0; rest /= 10) {
        digits++;
      }
      out.room(digits);
      for (int i = out.length + digits - 1; i >= out.length; i--, value /= 10) {
        out.bytes[i] = (byte) ('0' + value % 10);
      }
      out.length += digits;
      return this;
    }

    public Fields string(Key key, String value) {
      key(key);
      if (value == null) {
        out.ascii("null");
      } else {
        out.string(value);
      }
      return this;
    }

    /** The time as {@link Timestamps#iso(long)} writes it, without making the string. */
    public Fields timestamp(Key key, long epochMillis) {
      key(key);
      out.put('"');
      out.ascii(Timestamps.secondOf(epochMillis));
      int millis = (int) Math.floorMod(epochMillis, 1000);
      out.room(6);
      out.bytes[out.length++] = '.';
      out.bytes[out.length++] = (byte) ('0' + millis / 100);
      out.bytes[out.length++] = (byte) ('0' + millis / 10 % 10);
      out.bytes[out.length++] = (byte) ('0' + millis % 10);
      out.bytes[out.length++] = 'Z';
      out.bytes[out.length++] = '"';
      return this;
    }

    /** Fields encoded once ({@link #inner}), written as they are. */
    public Fields encoded(byte[] fields) {
      raw(fields);
      return this;
    }

    /** Any value {@link #utf8} writes. */
    public Fields value(Key key, Object value) {
      key(key);
      out.value(value);
      return this;
    }

    /**
     * How many objects and arrays deep the object has nested so far, itself counted: text spliced as it is (an
     * answer kept undecoded, {@link Spliced}) counts as one level, its writer bounds it.
     */
    public int deepest() {
      return out.deepest;
    }

    /** The fields written so far without the object's braces, to be written by {@link #encoded}. */
    public byte[] inner() {
      return Arrays.copyOfRange(out.bytes, 1, out.length);
    }

    /** The object's JSON text as UTF-8, in an array of its own. */
    public byte[] done() {
      out.put('}');
      return JsonText.done(out, Arrays.copyOf(out.bytes, out.length));
    }

    /**
     * Ends the object and hands its UTF-8 text to {@code sink} where it was written, in this thread's scratch
     * buffer (its first {@code length} bytes): for a caller that only copies it somewhere, no array of its own.
     * The sink must not keep the array.
     */
    public void doneInto(Sink sink) {
      out.put('}');
      sink.accept(out.bytes, out.length);
      JsonText.done(out, null);
    }
  }

  /** Takes a document's UTF-8 text, the first {@code length} bytes of an array it must not keep. */
  @FunctionalInterface
  public interface Sink {
    void accept(byte[] bytes, int length);
  }

  /**
   * {@code before}, the text of the UTF-8 bytes in {@code middle}, then {@code after}, as one string made in one
   * go (the buffer's text is not made a string of its own first). {@code before} and {@code after} are ASCII.
   */
  public static String text(String before, Buffer middle, String after) {
    Out out = scratch();
    out.length = 0;
    out.ascii(before);
    out.put(middle);
    out.ascii(after);
    return done(out, new String(out.bytes, 0, out.length, StandardCharsets.UTF_8));
  }

  /** The value's JSON text as UTF-8 bytes, in a buffer of its own. */
  public static Buffer toBuffer(Object value) {
    return buffer(utf8(value));
  }

  /** A buffer over the UTF-8 text, not a copy of it. */
  public static Buffer buffer(byte[] utf8) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(utf8));
  }

  private static Out write(Object value) {
    Out out = scratch();
    out.length = 0;
    out.value(value);
    return out;
  }

  /**
   * This thread's scratch buffer, or a buffer of its own for a document started while members are being
   * written into the scratch one (a {@link Members} that encodes something on the side): never two documents
   * in one buffer.
   */
  private static Out scratch() {
    Out out = SCRATCH.get();
    return out.inMembers == 0 ? out : new Out(256, 64);
  }

  /** Lets a buffer that grew for a large document go, so a thread does not hold on to it. */
  private static <T> T done(Out out, T result) {
    if (out.bytes.length > SCRATCH_KEPT) {
      SCRATCH.remove();
    }
    return result;
  }

  /** A growing UTF-8 buffer and the writers of each kind of value. */
  private static final class Out {
    /** The longest string whose characters {@link #chars} grows to hold; a longer one gets an array of its own. */
    static final int CHARS_KEPT = 16 * 1024;
    byte[] bytes;
    char[] chars;
    int length;
    /** How deep in {@link Members} being written the document in this buffer is. */
    int inMembers;
    /** Objects and arrays open where the writing is, and the most open at once so far ({@link Fields#deepest}). */
    int depth;
    int deepest;
    /** Whether a lone surrogate is written as its escape rather than as '?' ({@link #utf8Exact}). */
    boolean exact;

    Out(int bytes, int chars) {
      this.bytes = new byte[bytes];
      this.chars = new char[chars];
    }

    private void room(int more) {
      if (length + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
      }
    }

    private void put(char c) {
      room(1);
      bytes[length++] = (byte) c;
    }

    /** Bytes that are JSON text (or part of one) already, as they are. */
    private void put(byte[] text) {
      room(text.length);
      System.arraycopy(text, 0, bytes, length, text.length);
      length += text.length;
    }

    /** The buffer's bytes, as they are. */
    private void put(Buffer text) {
      ByteBuf source = ((BufferInternal) text).getByteBuf();
      int n = source.readableBytes();
      room(n);
      source.getBytes(source.readerIndex(), bytes, length, n);
      length += n;
    }

    /** Text known to be ASCII: numbers, booleans, null. */
    private void ascii(String s) {
      int n = s.length();
      room(n);
      s.getBytes(0, n, bytes, length); // the deprecated method is the one that copies ASCII as is
      length += n;
    }

    void value(Object value) {
      if (value == null) {
        ascii("null");
      } else if (value instanceof String s) {
        string(s);
      } else if (value instanceof JsonObject o) {
        map(o.getMap());
      } else if (value instanceof Map<?, ?> m) {
        map(m);
      } else if (value instanceof JsonArray a) {
        array(a.getList());
      } else if (value instanceof Collection<?> c) {
        array(c);
      } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte) {
        ascii(value.toString());
      } else if (value instanceof Double || value instanceof Float) {
        double d = ((Number) value).doubleValue();
        ascii(Double.isFinite(d) ? value.toString() : "\"" + value + "\""); // as Jackson writes them
      } else if (value instanceof RawArray raw) {
        put('[');
        for (int i = 0; i < raw.elements().size(); i++) {
          if (i > 0) {
            put(',');
          }
          put(raw.elements().get(i));
        }
        put(']');
      } else if (value instanceof Members members) {
        put('{');
        inMembers++;
        enter();
        try {
          members.writeTo(new Fields(this));
        } finally {
          inMembers--;
          depth--;
        }
        put('}');
      } else if (value instanceof Instant instant) {
        string(instant.toString());
      } else {
        put(Json.encode(value).getBytes(StandardCharsets.UTF_8));
      }
    }

    private void map(Map<?, ?> map) {
      Buffer text = map instanceof Spliced spliced ? spliced.jsonText() : null;
      if (text == null) {
        object(map);
      } else {
        put(text);
      }
    }

    private void enter() {
      if (++depth > deepest) {
        deepest = depth;
      }
    }

    private void object(Map<?, ?> map) {
      put('{');
      enter();
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          put(',');
        }
        first = false;
        string(String.valueOf(e.getKey()));
        put(':');
        value(e.getValue());
      }
      depth--;
      put('}');
    }

    private void array(Collection<?> items) {
      put('[');
      enter();
      boolean first = true;
      for (Object item : items) {
        if (!first) {
          put(',');
        }
        first = false;
        value(item);
      }
      depth--;
      put(']');
    }

    /**
     * A JSON string in UTF-8: quotes, backslashes and control characters escaped, everything else as is; a
     * lone surrogate becomes '?', as {@link String#getBytes} writes it.
     */
    private void string(String s) {
      int n = s.length();
      room(n * 6 + 2); // the worst case: every character escaped in six bytes
      // The characters copied out in one go, then read from the array: String.charAt per character was a
      // call with its own checks, a fifth of writing a debug event.
      char[] cs = n <= chars.length ? chars
        : n <= CHARS_KEPT ? (chars = new char[Math.min(CHARS_KEPT, Math.max(n, chars.length * 2))]) : new char[n];
      s.getChars(0, n, cs, 0);
      byte[] b = bytes;
      int at = length;
      b[at++] = '"';
      for (int i = 0; i < n; i++) {
        char c = cs[i];
        if (c < 0x80) {
          if (c >= 0x20 && c != '"' && c != '\\') {
            b[at++] = (byte) c;
            continue;
          }
          b[at++] = '\\';
          switch (c) {
            case '"' -> b[at++] = '"';
            case '\\' -> b[at++] = '\\';
            case '\n' -> b[at++] = 'n';
            case '\r' -> b[at++] = 'r';
            case '\t' -> b[at++] = 't';
            case '\b' -> b[at++] = 'b';
            case '\f' -> b[at++] = 'f';
            default -> {
              b[at++] = 'u';
              b[at++] = '0';
              b[at++] = '0';
              b[at++] = HEX[c >> 4];
              b[at++] = HEX[c & 0xF];
            }
          }
        } else if (c < 0x800) {
          b[at++] = (byte) (0xC0 | c >> 6);
          b[at++] = (byte) (0x80 | c & 0x3F);
        } else if (Character.isSurrogate(c)) {
          char low = i + 1 < n ? cs[i + 1] : 0;
          if (Character.isHighSurrogate(c) && Character.isLowSurrogate(low)) {
            int cp = Character.toCodePoint(c, low);
            i++;
            b[at++] = (byte) (0xF0 | cp >> 18);
            b[at++] = (byte) (0x80 | cp >> 12 & 0x3F);
            b[at++] = (byte) (0x80 | cp >> 6 & 0x3F);
            b[at++] = (byte) (0x80 | cp & 0x3F);
          } else if (exact) {
            b[at++] = '\\';
            b[at++] = 'u';
            b[at++] = HEX[c >> 12];
            b[at++] = HEX[c >> 8 & 0xF];
            b[at++] = HEX[c >> 4 & 0xF];
            b[at++] = HEX[c & 0xF];
          } else {
            b[at++] = '?';
          }
        } else {
          b[at++] = (byte) (0xE0 | c >> 12);
          b[at++] = (byte) (0x80 | c >> 6 & 0x3F);
          b[at++] = (byte) (0x80 | c & 0x3F);
        }
      }
      b[at++] = '"';
      length = at;
    }
  }
}
