package io.botgate;

import io.botgate.api.BridgeOptions;
import io.botgate.api.HttpOptions;
import io.botgate.api.MetricsEndpoint;
import io.botgate.cb.context.ContextOptions;
import io.botgate.cluster.ClusterOptions;
import io.botgate.cluster.ReplicatedDefinitions;
import io.botgate.console.ConsoleEndpoint;
import io.botgate.console.ConsoleOptions;
import io.botgate.demo.DemoFaq;
import io.botgate.events.DebugStream;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.integration.IntegrationRegistry;
import io.botgate.integration.UpstreamOptions;
import io.botgate.logging.LogOptions;
import io.botgate.proxy.PassThroughOptions;
import io.botgate.script.ScriptLimits;
import io.botgate.script.ScriptOptions;
import io.botgate.session.SessionOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The gateway's settings: every key with its default, each default taken from the options type (or the
 * class) of its capability, where it is written once. Read from {@code conf/config.json} (or
 * {@code -Dbotgate.conf}); each key can be overridden by a system property of the same name or by an
 * environment variable {@code BOTGATE_} + the key upper-cased, dots as underscores ({@code http.port} →
 * {@code BOTGATE_HTTP_PORT}; {@code session.maxBytes} → {@code BOTGATE_SESSION_MAXBYTES} or
 * {@code BOTGATE_SESSION_MAX_BYTES}). Unknown keys in the file, overrides one typo away from a key, and values
 * of the wrong type are refused with every problem listed, as integration files are: a typo never passes
 * silently.
 */
public final class GatewayConfig {

  public static final Map<String, Object> DEFAULTS = defaults();
  public static final String DEFAULT_FILE = "conf/config.json";
  public static final String ENV_PREFIX = "BOTGATE_ENV_";

  private final JsonObject values;
  private final Map<String, String> botEnv;
  /** Where each key's value came from, for the keys the file or an override set. */
  private final Map<String, String> sources;

  private GatewayConfig(JsonObject values, Map<String, String> botEnv, Map<String, String> sources) {
    this.values = values;
    this.botEnv = botEnv;
    this.sources = sources;
  }

  private static Map<String, Object> defaults() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("http.host", HttpOptions.DEFAULT_HOST);
    d.put("http.port", HttpOptions.DEFAULT_PORT);
    d.put("http.instances", HttpOptions.defaultInstances());
    d.put("http.allowedHosts", new JsonArray());
    d.put("http.allowedOrigins", new JsonArray());
    d.put("http.idleTimeoutSeconds", HttpOptions.DEFAULT_IDLE_TIMEOUT_SECONDS);
    d.put("http.connections", 0);
    d.put("integrations.file", IntegrationRegistry.DEFAULT_FILE);
    d.put("auth.token", null);
    d.put("egress.allow", new JsonArray());
    d.put("demo.enabled", DemoFaq.DEFAULT_ENABLED);
    d.put("node.id", defaultNodeId());
    d.put("session.idle.minutes", SessionOptions.DEFAULT_IDLE_MINUTES);
    d.put("session.results", SessionOptions.DEFAULT_HISTORY);
    d.put("session.max", SessionOptions.DEFAULT_MAX_SESSIONS);
    d.put("session.maxBytes", Math.toIntExact(SessionOptions.DEFAULT_MAX_BYTES));
    d.put("session.total.mb", SessionOptions.DEFAULT_TOTAL_MB);
    d.put("session.queue", SessionOptions.DEFAULT_MAX_WAITING);
    d.put("body.limit.bytes", HttpOptions.DEFAULT_BODY_LIMIT_BYTES);
    d.put("body.held.bytes", HttpOptions.DEFAULT_BODY_HELD_BYTES);
    d.put("upstream.limit.bytes", IntegrationExecutor.Settings.DEFAULT_MAX_RESPONSE_BYTES);
    d.put("proxy.request.limit.bytes", PassThroughOptions.DEFAULT_REQUEST_LIMIT_BYTES);
    d.put("proxy.response.limit.bytes", PassThroughOptions.DEFAULT_RESPONSE_LIMIT_BYTES);
    d.put("script.cpu.ms", ScriptLimits.DEFAULT_CPU_MS);
    d.put("script.memory.mb", ScriptLimits.DEFAULT_MEMORY_MB);
    d.put("script.memory.total.mb", ScriptOptions.DEFAULT_MEMORY_TOTAL_MB);
    d.put("script.stack.depth", ScriptLimits.DEFAULT_STACK_DEPTH);
    d.put("script.threads", ScriptOptions.defaultThreads());
    d.put("script.queue", ScriptOptions.DEFAULT_QUEUE);
    d.put("script.maxSourceBytes", ScriptOptions.DEFAULT_MAX_SOURCE_BYTES);
    d.put("script.cache.bytes", ScriptOptions.DEFAULT_CACHE_BYTES);
    d.put("script.globals", ScriptOptions.DEFAULT_GLOBALS_FILE);
    d.put("history.size", DebugStream.DEFAULT_HISTORY);
    d.put("history.minutes", DebugStream.DEFAULT_HISTORY_MINUTES);
    d.put("history.total", DebugStream.DEFAULT_TOTAL);
    d.put("mask.headers", new JsonArray());
    d.put("console.subscriptions", ConsoleOptions.DEFAULT_SUBSCRIPTIONS);
    d.put("console.connections", ConsoleEndpoint.DEFAULT_CONNECTIONS);
    d.put("console.queue.bytes", ConsoleOptions.DEFAULT_QUEUE_BYTES);
    d.put("console.heartbeat.seconds", ConsoleOptions.DEFAULT_HEARTBEAT_SECONDS);
    d.put("console.origins", new JsonArray());
    d.put("console.frame.bytes", ConsoleOptions.DEFAULT_FRAME_BYTES);
    d.put("console.frames.perSecond", ConsoleOptions.DEFAULT_FRAMES_PER_SECOND);
    d.put("console.deflate", false);
    d.put("bridge.port", BridgeOptions.OFF);
    d.put("bridge.host", null);
    d.put("bridge.frame.bytes", BridgeOptions.DEFAULT_FRAME_BYTES);
    d.put("bridge.registrations", BridgeOptions.DEFAULT_REGISTRATIONS);
    d.put("bridge.queue.bytes", BridgeOptions.DEFAULT_QUEUE_BYTES);
    d.put("bridge.connections", BridgeOptions.DEFAULT_CONNECTIONS);
    d.put("bridge.connectionsPerAddress", BridgeOptions.DEFAULT_CONNECTIONS_PER_ADDRESS);
    d.put("bridge.first.frame.seconds", BridgeOptions.DEFAULT_FIRST_FRAME_SECONDS);
    d.put("bridge.reply.seconds", BridgeOptions.DEFAULT_REPLY_SECONDS);
    d.put("imports.cb", new JsonArray());
    d.put("imports.file", "conf/imports.json");
    d.put("definitions.maxBytes", ReplicatedDefinitions.DEFAULT_MAX_BYTES);
    d.put("context.maxBytes", (int) ContextOptions.DEFAULT_MAX_BYTES);
    d.put("cluster.enabled", false);
    d.put("cluster.name", ClusterOptions.DEFAULT_NAME);
    d.put("cluster.host", ClusterOptions.DEFAULT_HOST);
    d.put("cluster.port", ClusterOptions.DEFAULT_PORT);
    d.put("cluster.members", new JsonArray());
    d.put("cluster.backups", ClusterOptions.DEFAULT_BACKUPS);
    d.put("cluster.turnWaitSeconds", ClusterOptions.DEFAULT_TURN_WAIT_SECONDS);
    d.put("shutdown.graceSeconds", HttpOptions.DEFAULT_SHUTDOWN_GRACE_SECONDS);
    d.put("log.format", LogOptions.DEFAULT_FORMAT);
    d.put("log.level", LogOptions.DEFAULT_LEVEL);
    d.put("log.access", LogOptions.DEFAULT_ACCESS);
    d.put("log.repeats.perSecond", LogOptions.DEFAULT_REPEATS_PER_SECOND);
    d.put("log.lines.perSecond", LogOptions.DEFAULT_LINES_PER_SECOND);
    d.put("metrics.vertx", MetricsEndpoint.DEFAULT_VERTX_METRICS);
    d.put("credentials.file", "conf/credentials.json");
    d.put("upstream.mode", UpstreamOptions.DEFAULT_MODE.label());
    d.put("upstream.mocksDir", UpstreamOptions.DEFAULT_MOCKS_DIR);
    d.put("upstream.rewrite", new JsonObject());
    return d;
  }
  /**
   * pid@host, as the JVM's RuntimeMXBean names the process, without loading the management classes at start
   * (about 30 classes and a look-up of the host's address): the host name from the kernel where Linux gives it.
   */
  static String defaultNodeId() {
    String host;
    try {
      host = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    } catch (IOException | RuntimeException notLinux) {
      host = "";
    }
    if (host.isEmpty()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
    }
    return ProcessHandle.current().pid() + "@" + host;
  }


  /** Reads the file named by {@code -Dbotgate.conf} (required) or conf/config.json (optional). */
  public static Future<GatewayConfig> load(Vertx vertx) {
    String explicit = System.getProperty("botgate.conf");
    return vertx.executeBlocking(() -> read(explicit != null ? Path.of(explicit) : null, System.getProperties()));
  }

  /**
   * Reads {@code file} (required), or conf/config.json when null (optional), layered with the environment
   * and {@code sys} (the system properties, and the command line's options).
   *
   * @throws IllegalArgumentException naming the file, and the line and column of malformed JSON
   */
  public static GatewayConfig read(Path file, java.util.Properties sys) {
    return read(file, sys, Map.of());
  }

  /**
   * {@link #read(Path, java.util.Properties)}, where the keys of {@code options} were set in {@code sys} by the
   * command line's options they name ({@code http.port} → {@code option --port}): an error names the option.
   */
  public static GatewayConfig read(Path file, java.util.Properties sys, Map<String, String> options) {
    if (file != null && file.toString().isBlank()) {
      // Path.of("") is the working folder: "': is a folder, not a file of settings", naming no file at all
      throw new IllegalArgumentException("the configuration file's path is empty (--config or -Dbotgate.conf): give "
        + "a file, or leave both out to read " + DEFAULT_FILE);
    }
    Path path = file != null ? file : Path.of(DEFAULT_FILE);
    JsonObject values = new JsonObject();
    // a file asked for is read when it exists and is no folder: a shell's --config <(...) is a pipe
    if (Files.isRegularFile(path) || file != null && Files.exists(path) && !Files.isDirectory(path)) {
      values = parse(path);
    } else if (file != null) {
      throw new IllegalArgumentException(file + (Files.isDirectory(file) ? ": is a folder, not a file of settings"
        : ": no such file"));
    }
    return from(values, System.getenv(), sys, path.toString(), options);
  }

  private static JsonObject parse(Path path) {
    Object value;
    try {
      ConfFiles.checkFits("the configuration file", path.toString(), Files.size(path), Runtime.getRuntime().maxMemory());
      byte[] text = Files.readAllBytes(path);
      value = JsonText.decode(text);
      DuplicateKeys.first(text).ifPresent(twice -> {
        throw new IllegalArgumentException(path + ": " + twice);
      });
    } catch (IOException e) {
      throw new IllegalArgumentException(path + ": cannot be read (" + e.getMessage() + ")");
    } catch (io.vertx.core.json.DecodeException e) {
      throw new IllegalArgumentException(path + ": not valid JSON: " + e.getMessage());
    }
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException(path + ": must hold one JSON object of settings, such as {\"http.port\": 8080}");
    }
    return object;
  }

  /** Layers: defaults, then the file, then environment variables, then system properties. */
  public static GatewayConfig from(JsonObject file, Map<String, String> env, java.util.Properties sys) {
    return from(file, env, sys, "the configuration", Map.of());
  }

  private static GatewayConfig from(JsonObject file, Map<String, String> env, java.util.Properties sys,
                                    String source, Map<String, String> options) {
    List<String> problems = new ArrayList<>();
    List<String> inFile = ConfigCheck.problems(file == null ? new JsonObject() : file, DEFAULTS);
    if (!inFile.isEmpty()) {
      problems.add(source + ": " + String.join("; ", inFile));
    }
    problems.addAll(ConfigCheck.nearMisses(env, sys, DEFAULTS.keySet())); // not the file's: named as they are
    // Every problem in one report, not one per start: a misspelt key must not hide a value out of range.
    JsonObject merged = new JsonObject();
    DEFAULTS.forEach(merged::put);
    merged.mergeIn(file == null ? new JsonObject() : file);
    merged.remove("env");
    Map<String, String> where = new LinkedHashMap<>();
    for (String key : List.copyOf(merged.fieldNames())) {
      List<String> envSet = ConfigCheck.envNames(key).stream().filter(env::containsKey).toList();
      String envName = envSet.isEmpty() ? null : envSet.get(0);
      String fromSys = sys == null ? null : sys.getProperty(key);
      if (fromSys == null && envSet.size() > 1 && !env.get(envSet.get(0)).equals(env.get(envSet.get(1)))) {
        // one would be taken and the other ignored without a word
        problems.add("environment variables " + envSet.get(0) + " and " + envSet.get(1) + " both set '" + key
          + "', to different values ('" + ShownText.bounded(env.get(envSet.get(0)), 100) + "' and '"
          + ShownText.bounded(env.get(envSet.get(1)), 100) + "'): keep one");
      }
      String override = fromSys != null ? fromSys : envName == null ? null : env.get(envName);
      if (override != null) {
        where.put(key, fromSys == null ? "environment variable " + envName
          : options.getOrDefault(key, "system property " + key));
        try {
          merged.put(key, coerce(key, override));
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage() + " (" + where.get(key) + ")");
        }
      }
    }
    if (file != null) {
      file.fieldNames().forEach(key -> where.putIfAbsent(key, source));
    }
    problems.addAll(ConfigCheck.outOfRange(merged, where, source));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    Map<String, String> botEnv = new LinkedHashMap<>();
    env.forEach((k, v) -> {
      if (k.startsWith(ENV_PREFIX)) {
        botEnv.put(k.substring(ENV_PREFIX.length()), v);
      }
    });
    JsonObject fileEnv = file == null ? new JsonObject() : file.getJsonObject("env", new JsonObject());
    fileEnv.forEach(e -> botEnv.putIfAbsent(e.getKey(), String.valueOf(e.getValue())));
    return new GatewayConfig(merged, botEnv, where);
  }

  /** For tests and embedding: defaults overlaid with the given values only. */
  public static GatewayConfig of(JsonObject values) {
    return from(values, Map.of(), null);
  }

  private static Object coerce(String key, String text) {
    Object dflt = DEFAULTS.get(key);
    if (dflt instanceof Integer) {
      try {
        BigInteger whole = new BigInteger(text.trim());
        return whole.bitLength() < 32 ? (Object) whole.intValue() : whole; // past an int: the range check names it
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": '" + text + "' is not a whole number");
      }
    }
    if (dflt instanceof Boolean) {
      String value = text.trim();
      if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
        throw new IllegalArgumentException(key + ": '" + text + "' must be true or false");
      }
      return Boolean.parseBoolean(value);
    }
    if (dflt instanceof JsonArray) {
      return listOf(key, text);
    }
    if (dflt instanceof JsonObject) {
      try {
        return new JsonObject(text);
      } catch (io.vertx.core.json.DecodeException e) {
        throw new IllegalArgumentException(key + ": '" + text + "' is not a JSON object");
      }
    }
    return text;
  }

  /**
   * Where {@code key}'s value came from, for an error about it: {@code system property http.host}, {@code
   * environment variable BOTGATE_HTTP_HOST}, the file's name, or {@code the default}.
   */
  public String source(String key) {
    return sources.getOrDefault(key, "the default");
  }

  /**
   * {@code key=value (source)}, as an error names a setting whose value is refused; a list as it is written in a
   * property ({@code cluster.members=10.0.0.1,10.0.0.2}).
   */
  public String named(String key) {
    String value = values.getValue(key) instanceof JsonArray ? String.join(",", list(key)) : string(key);
    return key + "=" + value + " (" + source(key) + ")";
  }

  /**
   * A list given as text: comma-separated, or JSON text as in the file ({@code ["X-Key"]}), which split at its commas
   * gave entries such as {@code ["X-Key"} that matched nothing (a header never masked). Text in brackets that is not
   * JSON is an entry of its own, an IPv6 address ({@code [::1]:5701}).
   */
  private static JsonArray listOf(String key, String text) {
    String trimmed = text.trim();
    if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
      Object parsed;
      try {
        parsed = io.vertx.core.json.Json.decodeValue(trimmed);
      } catch (io.vertx.core.json.DecodeException notJson) {
        parsed = null;
      }
      if (parsed instanceof JsonArray list) {
        if (!list.stream().allMatch(String.class::isInstance)) {
          throw new IllegalArgumentException(key + ": '" + ShownText.bounded(text, 200) + "' must be a list of strings");
        }
        return list;
      }
    }
    return new JsonArray(splitList(text));
  }

  public String string(String key) {
    Object v = values.getValue(key);
    return v == null ? null : String.valueOf(v);
  }

  public int integer(String key) {
    Object v = values.getValue(key);
    if (v instanceof Number n) {
      return n.intValue();
    }
    throw new IllegalArgumentException(key + ": '" + v + "' is not a whole number");
  }

  public boolean bool(String key) {
    Object v = values.getValue(key);
    return v instanceof Boolean b ? b : Boolean.parseBoolean(String.valueOf(v));
  }

  /** A setting that is a JSON object, such as {@code upstream.rewrite}; empty when unset. */
  public JsonObject object(String key) {
    Object v = values.getValue(key);
    return v instanceof JsonObject o ? o : new JsonObject();
  }

  /**
   * The {@code cluster.*} settings as the cluster's options: built here, as the verticle builds each other
   * capability's options from these settings, so that {@code cluster} never needs to know this type.
   */
  public ClusterOptions cluster() {
    return new ClusterOptions(bool("cluster.enabled"), string("cluster.name"), string("cluster.host"),
      integer("cluster.port"), list("cluster.members"), integer("cluster.backups"), integer("cluster.turnWaitSeconds"));
  }

  public List<String> list(String key) {
    Object v = values.getValue(key);
    if (v instanceof JsonArray arr) {
      return arr.stream().map(String::valueOf).toList();
    }
    return v == null ? List.of() : splitList(String.valueOf(v));
  }

  /**
   * One line for each part of the gateway that is off while settings of it were given other values than their
   * defaults ({@link ConfigCheck#SWITCHES}): {@code bridge.host=0.0.0.0 (system property bridge.host) takes no
   * effect: the TCP event-bus bridge is off (bridge.port=-1, the default); set bridge.port to start it}. Empty when
   * every setting given takes effect.
   */
  public List<String> withoutEffect() {
    List<String> lines = new ArrayList<>();
    for (ConfigCheck.Switch part : ConfigCheck.SWITCHES) {
      if (isDefault(part.key())) {
        List<String> given = part.keys().stream().filter(key -> !isDefault(key)).map(this::named).toList();
        if (!given.isEmpty()) {
          lines.add(String.join(", ", given) + (given.size() == 1 ? " takes" : " take") + " no effect: " + part.off()
            + " (" + part.key() + "=" + string(part.key()) + ", " + source(part.key()) + "); " + part.how());
        }
      }
    }
    return lines;
  }

  /** The {@code log.*} settings: how the gateway logs. */
  public LogOptions logOptions() {
    return new LogOptions(string("log.format"), string("log.level"), bool("log.access"),
      integer("log.repeats.perSecond"), integer("log.lines.perSecond"));
  }

  /**
   * One line naming the {@code log.*} settings given values other than their defaults that Logback does not take
   * from botgate ({@code why}, from {@link io.botgate.logging.LogSetup#apply}: a Logback configuration of the
   * operator's own), with where each came from, as {@link #withoutEffect} names a part's. {@code log.access} is not
   * among them: its lines are the gateway's own, written whatever the configuration.
   */
  public Optional<String> logSettingsWithoutEffect(String why) {
    List<String> given = Stream.of("log.format", "log.level", "log.repeats.perSecond", "log.lines.perSecond")
      .filter(key -> !isDefault(key) && !String.valueOf(DEFAULTS.get(key)).equalsIgnoreCase(String.valueOf(string(key)).trim()))
      .map(this::named).toList(); // "INFO" is info
    return given.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", given)
      + (given.size() == 1 ? " takes" : " take") + " no effect: " + why);
  }

  /** Whether {@code key} holds its default value, however it was written ({@code "5701"} or {@code 5701}). */
  private boolean isDefault(String key) {
    Object dflt = DEFAULTS.get(key);
    if (dflt instanceof JsonArray list) {
      return list(key).equals(list.getList());
    }
    Object value = values.getValue(key);
    if (dflt instanceof Number n && value instanceof Number v) {
      return n.longValue() == v.longValue();
    }
    return java.util.Objects.equals(dflt, value);
  }

  /** "a, b,c" as [a, b, c]: how lists are written in properties and environment variables. */
  private static List<String> splitList(String text) {
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** Values for {@code {$env.name}} and {@code getEnvVariable}: the "env" object and BOTGATE_ENV_* variables. */
  public Map<String, String> botEnv() {
    return botEnv;
  }

  public JsonObject toJson() {
    JsonObject out = values.copy();
    if (out.getValue("auth.token") != null) {
      out.put("auth.token", "****");
    }
    return out;
  }
}
