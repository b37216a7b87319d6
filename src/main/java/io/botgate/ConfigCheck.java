package io.botgate;

import io.botgate.api.HostAllowList;
import io.botgate.api.OriginCheck;
import io.botgate.cluster.ClusterOptions;
import io.netty.util.NetUtil;
import io.botgate.logging.LogOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks a configuration file's keys and value types against the known settings: an unknown key is named
 * with the closest known one, a value of the wrong type with what the key takes.
 */
final class ConfigCheck {

  /** The bot's own {@code {$env.NAME}} values: an object, not a setting with a default. */
  static final String ENV = "env";
  /**
   * What the environment variable of every setting starts with; the bot's own values have theirs,
   * {@link GatewayConfig#ENV_PREFIX}.
   */
  static final String OVERRIDE_PREFIX = "BOTGATE_";
  /** A capital inside a word of a key, where its snake-case environment name puts an underscore. */
  private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");

  private ConfigCheck() {
  }

  /**
   * The values each whole-number setting takes, {@code {least, most}}: a value outside is refused at start, as a
   * value of the wrong type is. Without it a negative size went on to the library that applies it, where -1 often
   * means "no limit" ({@code body.limit.bytes=-1} took bodies of any size, to an OutOfMemoryError), or made every
   * request fail at run time. 0 is taken only where the README gives it a meaning.
   */
  static final Map<String, long[]> RANGES = ranges();

  private static Map<String, long[]> ranges() {
    Map<String, long[]> r = new LinkedHashMap<>();
    long most = Integer.MAX_VALUE;
    r.put("http.port", new long[] {0, 65535});
    r.put("bridge.port", new long[] {-1, 65535});
    r.put("cluster.port", new long[] {1, 65535 - ClusterOptions.PORT_COUNT}); // the next 20 are tried when taken
    r.put("cluster.backups", new long[] {1, 6});
    r.put("http.instances", new long[] {1, 256}); // each an event loop's verticle: 100,000 held the start 6 s
    // the pool's queue is an array made at start (2^31-1 stopped it with "Requested array size exceeds VM limit"),
    // and each thread a platform thread started at once (2^31-1 ended the start as "Verticle un-deployed")
    r.put("script.queue", new long[] {0, 1_000_000});
    r.put("script.threads", new long[] {1, 256});
    for (String zeroMeansSomething : List.of("http.idleTimeoutSeconds", "session.total.mb", "script.memory.total.mb",
      "bridge.reply.seconds",
      "shutdown.graceSeconds", "script.cache.bytes", "body.held.bytes", "http.connections", "log.repeats.perSecond",
      "log.lines.perSecond")) {
      r.put(zeroMeansSomething, new long[] {0, most});
    }
    for (String positive : List.of("session.idle.minutes", "session.results", "session.max",
      "session.maxBytes", "session.queue", "body.limit.bytes", "upstream.limit.bytes", "proxy.request.limit.bytes",
      "proxy.response.limit.bytes", "script.cpu.ms", "script.memory.mb", "script.stack.depth",
      "script.maxSourceBytes", "history.size", "history.minutes", "history.total", "console.subscriptions",
      "console.connections", "console.queue.bytes", "console.heartbeat.seconds", "console.frame.bytes",
      "console.frames.perSecond", "bridge.frame.bytes", "bridge.registrations", "bridge.queue.bytes",
      "bridge.connections", "bridge.connectionsPerAddress", "bridge.first.frame.seconds", "definitions.maxBytes", "context.maxBytes",
      "cluster.turnWaitSeconds")) {
      r.put(positive, new long[] {1, most});
    }
    return r;
  }

  /**
   * Settings that name something, where a blank name means nothing: a node named "" in results, Hazelcast's
   * cluster "" or host "", mocks recorded into the working folder.
   */
  static final List<String> NAMES = List.of("node.id", "cluster.name", "cluster.host", "upstream.mocksDir");

  /**
   * What each entry of a list setting must be, as a check giving the problem with one entry: checked with the
   * ranges, so that an entry is named with where its list came from, as a value out of range is.
   */
  static final Map<String, Function<String, Optional<String>>> ENTRIES = Map.of(
    "http.allowedHosts", HostAllowList::problem,
    "http.allowedOrigins", OriginCheck::problem,
    "console.origins", OriginCheck::problem,
    "cluster.members", HostPort::hostAndPortProblem,
    "egress.allow", ConfigCheck::egressProblem,
    "imports.cb", ConfigCheck::blankProblem,
    "mask.headers", ConfigCheck::blankProblem);

  /** An entry that names nothing: a blank path in {@code imports.cb} ended the start in a NullPointerException. */
  private static Optional<String> blankProblem(String entry) {
    return entry.isBlank() ? Optional.of("is blank") : Optional.empty();
  }

  /** The settings that name one host, without a port: a port there was taken as part of a name. */
  static final List<String> HOSTS = List.of("http.host", "bridge.host", "cluster.host");

  /** The words each word setting takes (any case): checked with the ranges, so a typo is named with its source. */
  static final Map<String, List<String>> CHOICES = Map.of("log.format", LogOptions.FORMATS,
    "log.level", LogOptions.LEVELS, "upstream.mode", List.of("live", "mock", "record"));

  /**
   * The settings whose value is outside what they take ({@link #RANGES}, {@link #NAMES}, {@link #HOSTS}, {@link
   * #ENTRIES}, {@code upstream.rewrite}, {@link #CHOICES}), each named with where its value came from ({@code where}:
   * a key's source, the file's name when absent).
   */
  static List<String> outOfRange(JsonObject merged, Map<String, String> where, String file) {
    List<String> problems = new ArrayList<>();
    RANGES.forEach((key, range) -> {
      if (merged.getValue(key) instanceof Number n && !within(n, range)) {
        problems.add("'" + key + "' must be " + rangeText(n, range) + ", not " + n + " ("
          + where.getOrDefault(key, file) + ")");
      }
    });
    for (String key : NAMES) {
      if (merged.getValue(key) instanceof String name && name.isBlank()) {
        problems.add("'" + key + "' must not be blank (" + where.getOrDefault(key, file) + ")");
      }
    }
    for (String key : HOSTS) {
      if (merged.getValue(key) instanceof String host && !(host.isBlank() && NAMES.contains(key))) {
        HostPort.hostProblem(host).ifPresent(problem -> problems.add("'" + key + "': " + quoted(host) + " " + problem
          + " (" + where.getOrDefault(key, file) + ")"));
      }
    }
    ENTRIES.forEach((key, check) -> {
      Object value = merged.getValue(key);
      List<?> entries = value instanceof JsonArray list ? list.getList() : value instanceof String text
        ? List.of(text.split(",")).stream().map(String::trim).filter(e -> !e.isEmpty()).toList() : List.of();
      for (Object entry : entries) {
        if (entry instanceof String text) { // an entry of another type is a wrong type, named as such
          check.apply(text).ifPresent(problem -> problems.add("'" + key + "': entry " + quoted(text) + " " + problem
            + " (" + where.getOrDefault(key, file) + ")"));
        }
      }
    });
    if (merged.getValue(REWRITE) instanceof JsonObject rewrite) {
      rewrite.forEach(e -> rewriteProblem(e.getKey(), e.getValue()).ifPresent(problem -> problems.add("'" + REWRITE
        + "': " + problem + " (" + where.getOrDefault(REWRITE, file) + ")")));
    }
    CHOICES.forEach((key, words) -> {
      if (merged.getValue(key) instanceof String word && !words.contains(word.trim().toLowerCase(Locale.ROOT))) {
        problems.add("'" + key + "' must be one of " + String.join(", ", words) + ", not '" + word + "'"
          + Typos.closest(word.trim().toLowerCase(Locale.ROOT), words).map(w -> " (did you mean '" + w + "'?)")
          .orElse("") + " (" + where.getOrDefault(key, file) + ")");
      }
    });
    return problems;
  }

  /**
   * What is wrong with an {@code egress.allow} entry: a host, {@code host:port} ({@code [::1]:8080} for an IPv6
   * address) or a CIDR of an address. A CIDR of a name was looked up at start.
   */
  private static Optional<String> egressProblem(String entry) {
    String text = entry.trim();
    int slash = text.indexOf('/');
    if (slash >= 0) {
      String address = text.substring(0, slash);
      String bits = text.substring(slash + 1);
      int most = NetUtil.isValidIpV4Address(address) ? 32 : NetUtil.isValidIpV6Address(address) ? 128 : -1;
      if (most < 0 || !bits.matches("[0-9]{1,3}") || Integer.parseInt(bits) > most) {
        return Optional.of("is not a CIDR of an address, such as 10.0.0.0/8 or fd00::/8");
      }
      return Optional.empty();
    }
    return HostPort.hostAndPortProblem(text);
  }

  /**
   * A setting that turns a part of the gateway on, and the settings of that part: while the switch is at its
   * default (off), a value given to one of them takes no effect, and the start says so ({@link
   * GatewayConfig#withoutEffect}), naming both with where each came from. Not refused: one file may serve a node
   * with the part and one without (the switch given by {@code --cluster} or by the environment).
   *
   * @param key  the switch, off at its default
   * @param off  what its default means, in words
   * @param how  how to turn it on
   * @param keys the settings that apply only when it is on
   */
  record Switch(String key, String off, String how, List<String> keys) {
  }

  static final List<Switch> SWITCHES = List.of(
    new Switch("bridge.port", "the TCP event-bus bridge is off", "set bridge.port to start it",
      List.of("bridge.host", "bridge.frame.bytes", "bridge.registrations", "bridge.queue.bytes", "bridge.connections",
        "bridge.connectionsPerAddress", "bridge.first.frame.seconds", "bridge.reply.seconds")),
    new Switch("cluster.enabled", "this node joins no cluster", "start with --cluster or cluster.enabled=true to join one",
      List.of("cluster.name", "cluster.host", "cluster.port", "cluster.members", "cluster.backups",
        "cluster.turnWaitSeconds")));

  static final String REWRITE = "upstream.rewrite";
  private static final Pattern HTTP_URL = Pattern.compile("(?is)https?://.*");

  /**
   * What is wrong with one prefix of {@code upstream.rewrite} and its replacement: both are the starts of http(s)
   * URLs. A prefix of another scheme never matches an integration's URL, and a replacement of another made every
   * call it rewrote fail, each long after the start.
   */
  private static Optional<String> rewriteProblem(String prefix, Object replacement) {
    if (!(replacement instanceof String to)) {
      return Optional.of("the replacement of " + quoted(prefix) + " must be a string, not " + shown(replacement));
    }
    for (String url : List.of(prefix, to)) {
      if (!HTTP_URL.matcher(url).matches()) {
        return Optional.of(quoted(prefix) + " to " + quoted(to) + ": " + quoted(url) + " is not the start of an "
          + "http:// or https:// URL, such as https://old.example");
      }
    }
    return Optional.empty();
  }

  /** Any whole number, however large: one past an int is named with its range, not as no number at all. */
  private static boolean within(Number n, long[] range) {
    BigInteger value = n instanceof BigInteger big ? big : BigInteger.valueOf(n.longValue());
    return value.compareTo(BigInteger.valueOf(range[0])) >= 0 && value.compareTo(BigInteger.valueOf(range[1])) <= 0;
  }

  private static String rangeText(Number n, long[] range) {
    if (range[1] != Integer.MAX_VALUE) {
      return "from " + range[0] + " to " + range[1];
    }
    return within(n, new long[] {Long.MIN_VALUE, range[1]}) ? "at least " + range[0] : "at most " + range[1];
  }

  static List<String> problems(JsonObject file, Map<String, Object> defaults) {
    List<String> problems = new ArrayList<>();
    for (String key : file.fieldNames()) {
      Object value = file.getValue(key);
      if (key.equals(ENV)) {
        if (!(value instanceof JsonObject values)) {
          problems.add("'env' must be an object of NAME: value pairs");
        } else {
          // a null, an object or a list reached {$env.NAME} as the text "null" or as JSON text
          values.forEach(e -> {
            if (!(e.getValue() instanceof String || e.getValue() instanceof Number || e.getValue() instanceof Boolean)) {
              problems.add("'env': the value of " + quoted(e.getKey()) + " must be a string (or a number or true or "
                + "false), not " + (e.getValue() instanceof JsonObject || e.getValue() instanceof JsonArray
                ? "a JSON " + (e.getValue() instanceof JsonObject ? "object" : "array") : "null"));
            }
          });
        }
      } else if (!defaults.containsKey(key)) {
        problems.add("unknown key '" + key + "'" + Typos.closest(key, defaults.keySet())
          .map(k -> " (did you mean '" + k + "'?)").orElse(" (the README's Configuration section lists every key)"));
      } else {
        wrongType(key, value, defaults.get(key)).ifPresent(problems::add);
      }
    }
    return problems;
  }

  /**
   * The names under which the environment overrides {@code key}: {@code BOTGATE_} and the key upper-cased with
   * dots and dashes as underscores ({@code session.maxBytes}: {@code BOTGATE_SESSION_MAXBYTES}), and, for a key
   * with a capital inside a word, the same in snake case as well ({@code BOTGATE_SESSION_MAX_BYTES}).
   */
  static List<String> envNames(String key) {
    String plain = OVERRIDE_PREFIX + key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    String snake = OVERRIDE_PREFIX + CAMEL_HUMP.matcher(key).replaceAll("$1_$2").replace('.', '_').replace('-', '_')
      .toUpperCase(Locale.ROOT);
    return plain.equals(snake) ? List.of(plain) : List.of(plain, snake);
  }

  /**
   * Overrides that would be ignored without a word: an environment variable {@code BOTGATE_...} or a system
   * property one typo away from a setting's name but not one (a file's unknown keys are {@link #problems}).
   * Names far from every setting are left alone: a system property is as often the JVM's ({@code
   * http.proxyHost}) and a {@code BOTGATE_} variable may be a deployment's own ({@code BOTGATE_ENV_*} are the
   * bot's values).
   */
  static List<String> nearMisses(Map<String, String> env, Properties sys, Iterable<String> keys) {
    Map<String, String> byEnvName = new LinkedHashMap<>();
    List<String> known = new ArrayList<>();
    for (String key : keys) {
      known.add(key);
      envNames(key).forEach(name -> byEnvName.put(name, key));
    }
    List<String> problems = new ArrayList<>();
    for (String name : env.keySet()) {
      if (name.startsWith(OVERRIDE_PREFIX) && !name.startsWith(GatewayConfig.ENV_PREFIX)
        && !byEnvName.containsKey(name)) {
        String words = name.substring(OVERRIDE_PREFIX.length());
        byEnvName.keySet().stream().filter(near -> nearWord(words, near.substring(OVERRIDE_PREFIX.length())))
          .min(Comparator.comparingInt(near -> Typos.distance(words, near.substring(OVERRIDE_PREFIX.length()))))
          .ifPresent(near -> problems.add("environment variable '" + name + "' is not a setting (did you mean '"
            + near + "', for '" + byEnvName.get(near) + "'?)"));
      }
    }
    if (sys != null) {
      for (String name : sys.stringPropertyNames()) {
        if (!known.contains(name)) {
          known.stream().filter(key -> nearKey(name, key)).findFirst().ifPresent(near -> problems.add(
            "system property '" + name + "' is not a setting (did you mean '" + near + "'?)"));
        }
      }
    }
    return problems;
  }

  /**
   * Whether a system property is a setting's name with a typo: in the setting's first part ({@code htpp.port})
   * with the rest as it is, or in the rest ({@code http.prot}). Any looser and the JVM's own properties would
   * match ({@code user.name} is three edits from {@code cluster.name}).
   */
  private static boolean nearKey(String name, String key) {
    int dot = name.indexOf('.');
    int keyDot = key.indexOf('.');
    if (dot < 0 || keyDot < 0) {
      return false;
    }
    String part = name.substring(0, dot);
    String rest = name.substring(dot + 1);
    String keyPart = key.substring(0, keyDot);
    String keyRest = key.substring(keyDot + 1);
    return rest.equals(keyRest) ? Typos.distance(part, keyPart) <= Math.min(2, keyPart.length() / 2)
      : part.equals(keyPart) && nearWord(rest, keyRest);
  }

  /** Near enough to be a typo of {@code word}: an edit or two, more in a long word. */
  private static boolean nearWord(String typed, String word) {
    return Typos.distance(typed, word) <= Math.max(1, word.length() / 4);
  }

  private static Optional<String> wrongType(String key, Object value, Object dflt) {
    if (dflt instanceof Integer) {
      // a whole number past an int is left to the range check, which says how far the key goes
      boolean whole = value instanceof Integer || value instanceof Long || value instanceof BigInteger;
      return whole ? Optional.empty() : Optional.of("'" + key + "' must be a whole number, not " + shown(value));
    }
    if (dflt instanceof Boolean) {
      return value instanceof Boolean ? Optional.empty()
        : Optional.of("'" + key + "' must be true or false, not " + shown(value));
    }
    if (dflt instanceof JsonArray) {
      if (value instanceof JsonArray list) {
        // every list names hosts, origins, headers or files: a null or a number would be taken as the text "null"
        return list.stream().allMatch(String.class::isInstance) ? Optional.empty()
          : Optional.of("'" + key + "' must be a list of strings, not " + list.encode());
      }
      return value instanceof String ? Optional.empty()
        : Optional.of("'" + key + "' must be a list (a JSON array, or a comma-separated string), not " + shown(value));
    }
    if (dflt instanceof JsonObject) {
      return value instanceof JsonObject ? Optional.empty()
        : Optional.of("'" + key + "' must be a JSON object, not " + shown(value));
    }
    if (value == null && dflt != null) {
      // null is no value of a setting that has one: "http.host": null ended the start in a NullPointerException
      return Optional.of("'" + key + "' must be a string, not null (leave the key out for its default, " + shown(dflt)
        + ")");
    }
    return value == null || value instanceof String ? Optional.empty()
      : Optional.of("'" + key + "' must be a string, not " + shown(value));
  }

  private static String quoted(String value) {
    return "'" + ShownText.bounded(value, 200) + "'";
  }

  private static String shown(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }
}
