package io.botgate.integration;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.botgate.JsonText;
import io.botgate.events.SecretMask;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An upstream answer that is a JSON object, kept as the text it came in and decoded only when something reads
 * it as a map. An execution reads its answer twice at most: its custom data fields, which plain paths find by
 * scanning the text ({@link FieldPath}), and the finish event, which shows the text as it is when nothing in it
 * is masked ({@link JsonText.Spliced}). Decoding it into maps and lists, and encoding those again for the event,
 * was a tenth of the gateway's CPU and a quarter of its allocation per execution.
 * <p>
 * Only a strict JSON object in UTF-8 is kept so (no comments, no byte-order mark, whitespace before it at most);
 * anything else is decoded at once as {@link JsonText#decode} does. The text is checked in full when it arrives,
 * as decoding would check it (every string decoded), so an answer that would not decode never gets here.
 * Writes go to the decoded map; nothing changes an answer once received.
 */
final class JsonBody extends LinkedHashMap<String, Object> implements JsonText.Spliced {

  private static final long serialVersionUID = 1L;
  /** The largest text {@link #scannable} scans: 20 fields scan 1.3 MB at most. */
  static final int SCAN_LIMIT = 64 * 1024;

  /**
   * Jackson's defaults but for interning names, as {@link JsonText}'s: no comments, unlike the gateway's decoding (a
   * commented answer is decoded instead).
   */
  private static final JsonFactory STRICT = JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();

  /**
   * A LinkedHashMap, so that a copy of it ({@link JsonObject#copy()}: a local event-bus publish, a session's
   * variables) keeps the members' order, which Vert.x keeps only for a LinkedHashMap. Null once decoded.
   */
  private transient volatile Buffer text;
  /** The mask {@link #secretMembers} was judged by. */
  private final transient SecretMask mask;
  /** Whether a member whose name {@link #mask} calls secret has a value other than null. */
  private final boolean secretMembers;
  /** Set once, when first read as a map. */
  private volatile Map<String, Object> decoded;

  private JsonBody(Buffer text, SecretMask mask, boolean secretMembers) {
    this.text = text;
    this.mask = mask;
    this.secretMembers = secretMembers;
  }

  /**
   * The body as {@link JsonText#decode} gives it: a JSON object (over a {@code JsonBody} when the body is a
   * strict JSON object), a JSON array, a string, number, boolean or null. While reading it, notes whether it
   * has a member that {@code mask} (may be null) calls secret, not null: what would mask it in an event.
   */
  static Object decode(Buffer body, SecretMask mask) throws DecodeException {
    if (startsObject(body) && wellFormedUtf8(body)) {
      Boolean secretMembers = strict(body, mask);
      if (secretMembers != null) {
        return new JsonObject(new JsonBody(body, mask, secretMembers));
      }
    }
    return JsonText.decode(body);
  }

  /** Whether the first character after any whitespace is '{', read as UTF-8 (not UTF-16 or UTF-32, no BOM). */
  private static boolean startsObject(Buffer body) {
    int n = body.length();
    for (int i = 0; i < Math.min(n, 4); i++) {
      if (body.getByte(i) == 0) {
        return false; // Jackson would read it as UTF-16 or UTF-32
      }
    }
    for (int i = 0; i < n; i++) {
      byte b = body.getByte(i);
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return b == '{';
      }
    }
    return false;
  }

  /**
   * Whether the bytes are well-formed UTF-8 (RFC 3629): no overlong form, no encoded surrogate (CESU-8), nothing
   * above U+10FFFF, no truncated sequence. Jackson accepts some of those, and the text is sent as it is to the
   * console in WebSocket text frames, which a browser refuses unless they are strictly UTF-8; decoding and
   * encoding again makes valid UTF-8 of them.
   */
  static boolean wellFormedUtf8(Buffer body) {
    ByteBuf buf = ((BufferInternal) body).getByteBuf();
    byte[] bytes;
    int i;
    int end;
    if (buf.hasArray()) {
      bytes = buf.array();
      i = buf.arrayOffset() + buf.readerIndex();
      end = i + buf.readableBytes();
    } else {
      bytes = body.getBytes();
      i = 0;
      end = bytes.length;
    }
    while (i < end) {
      int b = bytes[i];
      if (b >= 0) {
        i++;
        continue;
      }
      b &= 0xFF;
      if (b < 0xC2 || b > 0xF4) {
        return false; // a continuation byte first, an overlong two-byte form, or above U+10FFFF
      }
      int need = b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
      if (i + need >= end) {
        return false; // truncated
      }
      int c1 = bytes[i + 1] & 0xFF;
      // The second byte's range excludes overlong forms (E0, F0), surrogates (ED) and above U+10FFFF (F4).
      int lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
      int hi = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
      if (c1 < lo || c1 > hi) {
        return false;
      }
      for (int k = 2; k <= need; k++) {
        if ((bytes[i + k] & 0xC0) != 0x80) {
          return false;
        }
      }
      i += need + 1;
    }
    return true;
  }

  /**
   * Reads the whole text as decoding would (each string decoded), without building anything: null when it is
   * not a strict JSON object, else whether a member {@code mask} calls secret has a value other than null.
   */
  private static Boolean strict(Buffer body, SecretMask mask) {
    try (JsonParser parser = parser(body)) {
      JsonToken token = parser.nextToken();
      int depth = 0;
      boolean secretMembers = false;
      do {
        switch (token) {
          case FIELD_NAME -> {
            if (mask != null && !secretMembers && mask.isSecret(parser.currentName())) {
              token = parser.nextToken();
              secretMembers = token != JsonToken.VALUE_NULL;
              continue; // the value's token, read next time round
            }
          }
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> depth--;
          // A string is decoded into the parser's own buffer, checking its UTF-8; a number's syntax and length
          // are checked as it is read (no value of it fails to decode after that).
          case VALUE_STRING -> parser.getTextLength();
          default -> {
          }
        }
        token = depth > 0 ? parser.nextToken() : null;
      } while (token != null);
      return depth == 0 && parser.nextToken() == null ? secretMembers : null; // nothing after the object
    } catch (IOException | RuntimeException e) {
      return null; // decoded the usual way, which says what is wrong with it
    }
  }

  private static JsonParser parser(Buffer body) throws IOException {
    return JsonText.parser(STRICT, body);
  }

  /**
   * A parser over the text, standing before its first token; the caller closes it. Throws when the body has
   * been decoded meanwhile (its text let go): read the map then.
   */
  JsonParser parser() throws IOException {
    Buffer kept = text;
    if (kept == null) {
      throw new IOException("decoded meanwhile: read the map");
    }
    return parser(kept);
  }

  /**
   * Whether a member that {@code mask} calls secret has a value other than null; null when the body was read
   * with another mask (or none).
   */
  Boolean secretMembers(SecretMask mask) {
    return mask == this.mask ? secretMembers : null;
  }

  /** Whether it has been read as a map; until then it is only its text. */
  boolean isDecoded() {
    return decoded != null;
  }

  /**
   * Whether {@link FieldPath} should scan the text for a plain path rather than read the map: while it is not
   * decoded and its text is at most {@link #SCAN_LIMIT} bytes. Each field scans the text from its start, so a
   * large answer is decoded once and every field walks the tree.
   */
  boolean scannable() {
    Buffer kept = text;
    return decoded == null && kept != null && kept.length() <= SCAN_LIMIT;
  }

  /** Whether it still holds its text: until it is decoded, after which only the map is kept. */
  boolean holdsText() {
    return text != null;
  }

  @Override
  public Buffer jsonText() {
    // decoded first: once it is set the text may be gone, and a null text means decoded meanwhile.
    return decoded == null ? text : null;
  }

  /**
   * The decoded map, decoded once (two threads reading at once share one map); the text is let go then, so a
   * body mapped whole into a session holds no more than the tree its size is charged by.
   */
  private Map<String, Object> map() {
    Map<String, Object> map = decoded;
    if (map == null) {
      synchronized (this) {
        map = decoded;
        if (map == null) {
          map = ((JsonObject) JsonText.decode(text)).getMap(); // a LinkedHashMap: members in the text's order
          decoded = map;
          text = null;
        }
      }
    }
    return map;
  }

  // Every method of LinkedHashMap reads the decoded map; this map's own table stays empty.

  @Override
  public Set<Map.Entry<String, Object>> entrySet() {
    return map().entrySet();
  }

  @Override
  public int size() {
    return map().size();
  }

  @Override
  public boolean isEmpty() {
    return map().isEmpty();
  }

  @Override
  public boolean containsKey(Object key) {
    return map().containsKey(key);
  }

  @Override
  public boolean containsValue(Object value) {
    return map().containsValue(value);
  }

  @Override
  public Object get(Object key) {
    return map().get(key);
  }

  @Override
  public Object getOrDefault(Object key, Object defaultValue) {
    return map().getOrDefault(key, defaultValue);
  }

  @Override
  public Object put(String key, Object value) {
    return map().put(key, value);
  }

  @Override
  public Object remove(Object key) {
    return map().remove(key);
  }

  @Override
  public boolean remove(Object key, Object value) {
    return map().remove(key, value);
  }

  @Override
  public void putAll(Map<? extends String, ?> m) {
    map().putAll(m);
  }

  @Override
  public Object putIfAbsent(String key, Object value) {
    return map().putIfAbsent(key, value);
  }

  @Override
  public boolean replace(String key, Object oldValue, Object newValue) {
    return map().replace(key, oldValue, newValue);
  }

  @Override
  public Object replace(String key, Object value) {
    return map().replace(key, value);
  }

  @Override
  public Object computeIfAbsent(String key, Function<? super String, ?> mappingFunction) {
    return map().computeIfAbsent(key, mappingFunction);
  }

  @Override
  public Object computeIfPresent(String key, BiFunction<? super String, ? super Object, ?> remappingFunction) {
    return map().computeIfPresent(key, remappingFunction);
  }

  @Override
  public Object compute(String key, BiFunction<? super String, ? super Object, ?> remappingFunction) {
    return map().compute(key, remappingFunction);
  }

  @Override
  public Object merge(String key, Object value, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
    return map().merge(key, value, remappingFunction);
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super Object> action) {
    map().forEach(action);
  }

  @Override
  public void replaceAll(BiFunction<? super String, ? super Object, ?> function) {
    map().replaceAll(function);
  }

  @Override
  public void clear() {
    map().clear();
  }

  @Override
  public Set<String> keySet() {
    return map().keySet();
  }

  @Override
  public Collection<Object> values() {
    return map().values();
  }

  /** A LinkedHashMap copy of the decoded map (this map's own table is empty). */
  @Override
  public Object clone() {
    return new LinkedHashMap<>(map());
  }

  @Override
  public boolean equals(Object o) {
    return o == this || map().equals(o);
  }

  @Override
  public int hashCode() {
    return map().hashCode();
  }

  @Override
  public String toString() {
    return map().toString();
  }
}
