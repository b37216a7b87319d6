package io.botgate.events;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The secret values botgate has put into requests — credential values (a fetched token too) and {@code {$env.*}}
 * values rendered — so that everything botgate shows afterwards is scrubbed of them, as {@code ****}: session
 * reads, the messages and variables of answers, events. An upstream may echo them into what the session keeps;
 * the bot's own scripts still read them as the upstream sent them (as in CB), but botgate never shows them.
 * One per gateway, held by its {@link DebugStream}: every part that shows a session's text already holds the
 * stream. Each node learns the values it sent itself, and in a cluster those the others sent
 * ({@link ClusterSecrets}).
 */
public final class KnownSecrets {

  /** Shorter values are masked where they land in a request, never searched for in free text. */
  static final int MIN_LENGTH = 4;
  /** Shorter values are not searched for re-encoded (upper-cased, Base64): see {@link #recodedForms}. */
  static final int MIN_RECODED_LENGTH = 8;
  /**
   * The most values kept; the one sent longest ago goes first (a token renewed every hour, for months, while a
   * key sent on every call stays).
   */
  static final int MAX_VALUES = 4096;

  private final Object lock = new Object();
  /** The values known, the one stamped longest ago first (their stamps are in {@link #known}). Under the lock. */
  private final Set<String> values = new LinkedHashSet<>();
  /**
   * The same values and ticks, read without the lock: nearly every request sends only values known and stamped
   * lately, and takes no lock. A value is put here only once the index masks it.
   */
  private final Map<String, Long> known = new ConcurrentHashMap<>();
  /**
   * The values each owner (a credential) holds now, kept whatever the number of others learnt: a credential's
   * key or its current token, sent once and then quiet while thousands of other values came, was forgotten and
   * shown in clear where an upstream had echoed it. Few (a few per credential); not in {@link #values}.
   */
  private final Map<String, List<String>> pins = new ConcurrentHashMap<>();
  /** How many owners pin each pinned value. Under the lock. */
  private final Map<String, Integer> pinned = new HashMap<>();
  /** How many values have been learnt: a value's stamp says how many had been when it was last sent. */
  private volatile long tick;
  /** How many known values have each form (two may share one: lower-cased, or escaped alike). Under the lock. */
  private final Map<String, Integer> formCounts = new HashMap<>();
  /**
   * The forms by the hash of their first {@link #MIN_LENGTH} characters ({@link #head}), longest first in each
   * bucket: a text is scanned once, whatever the number of values known (thousands, after months of renewed
   * tokens), rather than once per form. Copied on write, only the buckets a change touches: a value learnt
   * costs its own forms, not the index of every value known again (it did, 55 ms at 4,096 values, on the event
   * loop of each call that sent a new one: URL user info filled from the bot's variables does, per session).
   */
  private volatile String[][] byHead = NO_HEADS;
  private static final int HEADS = 4096;
  private static final String[][] NO_HEADS = new String[0][];
  /** Told of the values this node's own requests taught it ({@link #onLearnt}). */
  private volatile Consumer<List<String>> learnt = added -> { };
  /** Knows nothing (never given a secret): for what has no gateway's secrets at hand. */
  public static final KnownSecrets NONE = new KnownSecrets();

  public KnownSecrets() {
  }

  /**
   * Remembers values sent in a request; those shorter than {@link #MIN_LENGTH} are left out. Values new here are
   * told to {@link #onLearnt}'s listener (the other nodes of a cluster).
   */
  public void remember(Collection<String> secrets) {
    List<String> added = add(secrets);
    if (!added.isEmpty()) {
      learnt.accept(added);
    }
  }

  /** Remembers values another node sent: as {@link #remember}, not told back to the listener. */
  public void adopt(Collection<String> secrets) {
    add(secrets);
  }

  /**
   * Makes {@code secrets} the values {@code owner} holds (none: it holds nothing), remembered however many other
   * values are learnt; the values it held before and holds no more become the most recently sent of the others,
   * forgotten in their turn. The usual call, the same values again, takes no lock.
   */
  public void pin(String owner, Collection<String> secrets) {
    List<String> now = secrets.stream().filter(KnownSecrets::worthSearching).distinct().toList();
    if (now.equals(pins.getOrDefault(owner, List.of()))) {
      return;
    }
    List<String> added = new ArrayList<>();
    synchronized (lock) {
      List<String> before = pins.getOrDefault(owner, List.of());
      if (now.isEmpty()) {
        pins.remove(owner);
      } else {
        pins.put(owner, now);
      }
      for (String v : now) {
        if (!before.contains(v) && pinned.merge(v, 1, Integer::sum) == 1 && !values.remove(v)) {
          added.add(v); // neither pinned nor among the others: new to the index
        }
      }
      for (String v : before) {
        if (!now.contains(v) && pinned.merge(v, -1, Integer::sum) == 0) {
          pinned.remove(v);
          values.add(v); // still indexed, now among the others, at their recent end
        }
      }
      List<String> gone = trimmed();
      if (!added.isEmpty() || !gone.isEmpty()) {
        byHead = reindexed(added, gone);
        tick += added.size();
      }
      long stamp = tick;
      now.forEach(v -> known.put(v, stamp));
    }
    if (!added.isEmpty()) {
      learnt.accept(added);
    }
  }

  /** As {@link #adopt}, of the values not known here yet only: the others keep their place. */
  public void adoptMissing(Collection<String> secrets) {
    add(secrets.stream().filter(v -> !known.containsKey(v)).toList());
  }

  /** Who is told of the values this node learns from its own requests; set once, before any request. */
  public void onLearnt(Consumer<List<String>> listener) {
    learnt = listener;
  }

  /** The values new among {@code secrets}, now remembered; all of them now the most recently sent. */
  private List<String> add(Collection<String> secrets) {
    if (!anyToNote(secrets)) {
      return List.of();
    }
    synchronized (lock) {
      List<String> added = new ArrayList<>();
      for (String v : secrets) {
        if (worthSearching(v) && !pinned.containsKey(v)) {
          if (!values.remove(v)) {
            added.add(v);
          }
          values.add(v); // at the recent end
        }
      }
      List<String> gone = trimmed();
      if (!added.isEmpty()) {
        // The index first: a value another thread finds known (and so does not wait for this lock) is masked.
        byHead = reindexed(added, gone);
        tick += added.size();
      }
      long now = tick;
      for (String v : secrets) {
        if (values.contains(v) || pinned.containsKey(v)) { // not too short to search for, nor pushed out by this call
          known.put(v, now);
        }
      }
      return added;
    }
  }

  /** The values past {@link #MAX_VALUES}, the eldest, forgotten: out of {@link #known} (the index is the caller's). */
  private List<String> trimmed() {
    List<String> gone = new ArrayList<>();
    for (Iterator<String> eldest = values.iterator(); values.size() > MAX_VALUES; ) {
      String v = eldest.next();
      eldest.remove();
      known.remove(v);
      gone.add(v);
    }
    return gone;
  }

  /**
   * Whether a value is new, or was last sent {@link #RESTAMP_AFTER} values learnt ago or more: it then moves to the
   * recent end, so a value sent often is never the one forgotten, while most requests take no lock.
   */
  private boolean anyToNote(Collection<String> secrets) {
    long now = tick;
    for (String secret : secrets) {
      if (worthSearching(secret)) {
        Long sent = known.get(secret);
        if (sent == null || now - sent >= RESTAMP_AFTER) {
          return true;
        }
      }
    }
    return false;
  }

  /** How many values learnt since a value was last sent make its sending again move it to the recent end. */
  static final int RESTAMP_AFTER = MAX_VALUES / 4;

  /** The index with the forms of {@code added} in and those of {@code gone} out; the lock is held. */
  private String[][] reindexed(List<String> added, List<String> gone) {
    String[][] heads = byHead == NO_HEADS ? new String[HEADS][] : byHead.clone();
    for (String v : added) {
      for (String f : forms(v)) {
        if (formCounts.merge(f, 1, Integer::sum) == 1) {
          heads[head(f, 0)] = withForm(heads[head(f, 0)], f);
        }
      }
    }
    for (String v : gone) {
      for (String f : forms(v)) {
        if (formCounts.merge(f, -1, Integer::sum) == 0) {
          formCounts.remove(f);
          heads[head(f, 0)] = withoutForm(heads[head(f, 0)], f);
        }
      }
    }
    return heads;
  }

  /** A bucket with the form added after the longer ones (the bucket stays longest first). */
  private static String[] withForm(String[] bucket, String form) {
    if (bucket == null) {
      return new String[] {form};
    }
    int at = 0;
    while (at < bucket.length && bucket[at].length() >= form.length()) {
      at++;
    }
    String[] grown = new String[bucket.length + 1];
    System.arraycopy(bucket, 0, grown, 0, at);
    grown[at] = form;
    System.arraycopy(bucket, at, grown, at + 1, bucket.length - at);
    return grown;
  }

  private static String[] withoutForm(String[] bucket, String form) {
    int at = Arrays.asList(bucket).indexOf(form);
    if (bucket.length == 1) {
      return null;
    }
    String[] shrunk = new String[bucket.length - 1];
    System.arraycopy(bucket, 0, shrunk, 0, at);
    System.arraycopy(bucket, at + 1, shrunk, at, bucket.length - at - 1);
    return shrunk;
  }

  private static boolean worthSearching(String secret) {
    return secret != null && secret.length() >= MIN_LENGTH;
  }

  /**
   * A value as an upstream may echo it: as is, percent-encoded (a space as {@code +} or {@code %20}), escaped in a
   * JSON string, each of these lower-cased, and re-encoded ({@link #recodedForms}). A request's own scrubbing
   * (ShownRequest) adds its path encoding.
   */
  public static List<String> forms(String value) {
    Set<String> out = new LinkedHashSet<>();
    String form = URLEncoder.encode(value, StandardCharsets.UTF_8);
    List<String> all = new ArrayList<>(List.of(value, form, form.replace("+", "%20")));
    all.addAll(jsonForms(value));
    for (String f : all) {
      out.add(f);
      out.add(f.toLowerCase(Locale.ROOT));
    }
    out.addAll(recodedForms(value));
    return List.copyOf(out);
  }

  /**
   * A value as an upstream may echo it re-encoded rather than escaped: upper-cased, and in Base64 (standard,
   * without its padding, and URL-safe), as an API that returns the credentials it got, encoded, does. (A value
   * echoed inside a longer Base64 text is not found: its encoding there depends on what comes before it.)
   */
  public static List<String> recodedForms(String value) {
    if (value.length() < MIN_RECODED_LENGTH) {
      return List.of(); // "json" or "prod" would mask JSON and PROD everywhere, and a few Base64 characters match by chance
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    String base64 = Base64.getEncoder().encodeToString(utf8);
    Set<String> out = new LinkedHashSet<>(List.of(value.toUpperCase(Locale.ROOT), base64,
      Base64.getEncoder().withoutPadding().encodeToString(utf8), Base64.getUrlEncoder().withoutPadding().encodeToString(utf8)));
    out.remove(value);
    return List.copyOf(out);
  }

  /**
   * A value as JSON writers put it inside a string: escaped as Jackson writes it, with {@code /} as {@code \/}
   * too, every character past ASCII as a backslash-u escape with lower- or upper-case hex digits (Python's
   * {@code json.dumps} by default), and escaped twice (a request body echoed inside a JSON string, as httpbin's {@code data}).
   */
  public static List<String> jsonForms(String value) {
    String escaped = jsonEscape(value);
    String ascii = asciiEscape(escaped, "\\u%04x");
    Set<String> out = new LinkedHashSet<>(List.of(escaped, escaped.replace("/", "\\/"), ascii,
      asciiEscape(escaped, "\\u%04X"), jsonEscape(escaped), jsonEscape(ascii)));
    return List.copyOf(out);
  }

  /** {@code text} with each character past ASCII written as a JSON escape in {@code format}. */
  private static String asciiEscape(String text, String format) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c > 0x7e && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        if (c > 0x7e) {
          out.append(String.format(format, (int) c));
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }

  private static String jsonEscape(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8);
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** Whether no secret is known yet (most gateways: no credential, no {@code {$env.*}} value sent). */
  public boolean isEmpty() {
    return byHead == NO_HEADS;
  }

  /** The text with every known secret replaced by {@link SecretMask#MASK}; the same text when it holds none. */
  public String scrub(String text) {
    if (text == null || isEmpty() || text.length() < MIN_LENGTH) {
      return text;
    }
    String[][] heads = byHead;
    StringBuilder out = null;
    int copied = 0;
    for (int i = 0; i + MIN_LENGTH <= text.length(); ) {
      String[] bucket = heads[head(text, i)];
      String found = null;
      if (bucket != null) {
        for (String form : bucket) { // longest first: the longest form found here is masked
          if (text.startsWith(form, i)) {
            found = form;
            break;
          }
        }
      }
      if (found == null) {
        i++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length());
      }
      out.append(text, copied, i).append(SecretMask.MASK);
      i += found.length();
      copied = i;
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  /** The bucket of the {@link #MIN_LENGTH} characters of {@code text} from {@code at}. */
  private static int head(String text, int at) {
    int h = 0;
    for (int k = 0; k < MIN_LENGTH; k++) {
      h = h * 31 + text.charAt(at + k);
    }
    return (h ^ h >>> 12) & (HEADS - 1);
  }

  /**
   * A JSON value (object, array, map, list, text) with every string scrubbed; the same instance when nothing
   * had to change, so what holds no secret (nearly everything) is not copied.
   */
  @SuppressWarnings("unchecked")
  public <T> T scrub(T value) {
    if (isEmpty()) {
      return value;
    }
    return (T) scrubbed(value);
  }

  private Object scrubbed(Object value) {
    if (value instanceof String text) {
      return scrub(text);
    }
    if (value instanceof JsonObject object) {
      Map<String, Object> map = object.getMap();
      Object out = scrubbed(map);
      return out == map ? object : new JsonObject((Map<String, Object>) out);
    }
    if (value instanceof JsonArray array) {
      List<Object> list = array.getList();
      Object out = scrubbed(list);
      return out == list ? array : new JsonArray((List<Object>) out);
    }
    if (value instanceof Map<?, ?> map) {
      // Names too: a script may name a variable, or a member of a value, after a secret it read
      Map<String, Object> out = null;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Object v = scrubbed(e.getValue());
        String key = String.valueOf(e.getKey());
        String shownKey = scrub(key);
        if ((v != e.getValue() || shownKey != key) && out == null) {
          out = new LinkedHashMap<>();
          for (Map.Entry<?, ?> before : map.entrySet()) {
            if (before == e) {
              break;
            }
            out.put(String.valueOf(before.getKey()), before.getValue());
          }
        }
        if (out != null) {
          out.put(shownKey, v);
        }
      }
      return out == null ? map : out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = null;
      for (int i = 0; i < list.size(); i++) {
        Object v = scrubbed(list.get(i));
        if (v != list.get(i) && out == null) {
          out = new ArrayList<>(list.subList(0, i));
        }
        if (out != null) {
          out.add(v);
        }
      }
      return out == null ? list : out;
    }
    return value;
  }
}
