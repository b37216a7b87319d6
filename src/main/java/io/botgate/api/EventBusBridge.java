package io.botgate.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.botgate.GatewayError;
import io.botgate.events.DebugStream;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.session.RefusalEvents;
import io.botgate.session.SessionId;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The event bus for processes outside the JVM: vertx-tcp-eventbus-bridge, default-deny. Clients may send
 * requests to the three request addresses of {@link EventBusApi} and register for {@code botgate.results}
 * and {@code botgate.events.<session>}; nothing else. With {@code auth.token} set, every frame but a ping
 * carries it as the header {@code token} (it is removed before the message enters the bus). Frames are
 * bounded and checked by {@link FrameCheck}, what a client leaves unread by {@link BacklogLimit},
 * registrations per connection by {@code bridge.registrations}, connections by {@code bridge.connections} and, per
 * remote address, {@code bridge.connectionsPerAddress}. A request is sent, never published: in a
 * cluster a published one would run on every node; and it runs on the node whose bridge received it.
 *
 * <p>A refusal of ours is an {@code err} frame shaped like a failed request's: {@code failureCode} (an HTTP
 * status), {@code message} the error JSON, and {@code address} the frame's {@code replyAddress} when it had
 * one, so the client's pending request fails at once. An address outside the lists is refused, as the bridge
 * itself would, with {@code "message": "access_denied"}, and addressed as ours are. A request published rather than sent is also shown in the
 * console of the session it names, as a request refused on the bus is ({@link RefusalEvents}): a publish has no
 * reply address, and its sender may not read the error frame.
 */
public final class EventBusBridge {

  private static final Logger LOG = LoggerFactory.getLogger(EventBusBridge.class);
  static final String TOKEN_HEADER = "token";
  /** The bridge's header for {@code DeliveryOptions.setLocalOnly}. */
  static final String LOCAL_ONLY_HEADER = "localOnly";
  /** The bridge's own word for an address outside its lists, which clients compare. */
  static final String ACCESS_DENIED = "access_denied";
  /** Where Vert.x's reply addresses begin, local or clustered: a client may send to one it was given. */
  private static final String REPLY_PREFIX = "__vertx.reply.";
  private static final Predicate<String> INBOUND = matching(permitted().getInboundPermitteds());
  private static final Predicate<String> OUTBOUND = matching(permitted().getOutboundPermitteds());

  private final Vertx vertx;
  private final BridgeOptions options;
  private final RefusalEvents refusals;
  private final byte[] token;
  /** The addresses each open connection has registered (the bridge replaces a second consumer without closing the first). */
  private final Map<NetSocket, Set<String>> registered = new ConcurrentHashMap<>();
  /**
   * The open connections that have not yet sent a frame the bridge accepted, with when they opened
   * ({@code bridge.first.frame.seconds}; when the bridge is full, the oldest of them gives its place to a new one).
   */
  private final Map<NetSocket, Long> unheard = new ConcurrentHashMap<>();
  /** Frames refused (unauthorized, an address outside the lists, a publish, too many registrations). */
  private final java.util.concurrent.atomic.LongAdder refused = new java.util.concurrent.atomic.LongAdder();
  private TcpEventBusBridge bridge;
  private int port;

  public EventBusBridge(Vertx vertx, BridgeOptions options, RefusalEvents refusals) {
    this.vertx = vertx;
    this.options = options;
    this.refusals = refusals;
    this.token = options.token() == null || options.token().isBlank() ? null
      : options.token().getBytes(StandardCharsets.UTF_8);
  }

  /** The addresses the bridge lets through: exactly those DESIGN.md lists. */
  static io.vertx.ext.bridge.BridgeOptions permitted() {
    return new io.vertx.ext.bridge.BridgeOptions()
      .addInboundPermitted(new PermittedOptions().setAddress(EventBusApi.EXECUTE))
      .addInboundPermitted(new PermittedOptions().setAddress(EventBusApi.SCRIPT_RUN))
      .addInboundPermitted(new PermittedOptions().setAddress(EventBusApi.SESSION_GET))
      .addOutboundPermitted(new PermittedOptions().setAddress(IntegrationExecutor.RESULTS_ADDRESS))
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(DebugStream.ADDRESS_PREFIX) + ".+"));
  }

  /**
   * Why these options must not start (a bound below 1, a bridge reachable from the network without a token), or
   * null.
   */
  public static String refusal(BridgeOptions options) {
    String[] names = {"bridge.frame.bytes", "bridge.registrations", "bridge.queue.bytes", "bridge.connections",
      "bridge.connectionsPerAddress", "bridge.first.frame.seconds"};
    int[] values = {options.maxFrameBytes(), options.maxRegistrations(), options.maxQueueBytes(), options.maxConnections(),
      options.maxConnectionsPerAddress(), options.firstFrameSeconds()};
    for (int i = 0; i < names.length; i++) {
      if (values[i] < 1) {
        return names[i] + " must be at least 1, not " + values[i];
      }
    }
    if (options.replyTimeoutMs() < 0) {
      return "bridge.reply.seconds must be 0 (longer than botgate lets a request run) or more, not "
        + options.replyTimeoutMs() / 1000;
    }
    boolean noToken = options.token() == null || options.token().isBlank();
    return noToken && !isLoopback(options.host()) ? "refusing to bind bridge.host=" + options.host()
      + " without auth.token: anyone on the network could execute integrations through the event-bus bridge. "
      + "Set auth.token (BOTGATE_AUTH_TOKEN) or bind the bridge to 127.0.0.1" : null;
  }

  /** Listens on {@code bridge.host}:{@code bridge.port}; completes with the port bound. */
  public Future<Integer> start() {
    if (refusal(options) != null) {
      return Future.failedFuture(new IllegalStateException(refusal(options)));
    }
    AtomicReference<NetServer> created = new AtomicReference<>();
    bridge = TcpEventBusBridge.create(capturing(created), permitted(),
      new NetServerOptions().setHost(options.host()).setPort(options.port()), this::check);
    // The bridge offers no hook on a new connection: wrap its connect handler to put the bounds in first.
    NetServer server = created.get();
    Handler<NetSocket> bridgeHandler = server.connectHandler();
    server.connectHandler(socket -> {
      String from = remoteHost(socket);
      if (fromHost(from) >= options.maxConnectionsPerAddress() && !makeRoom(from)) {
        refused.increment();
        refuse(socket, new JsonObject(), new GatewayError(503, "too_many_connections", "the bridge holds "
          + options.maxConnectionsPerAddress() + " connections from " + from + " already (bridge.connectionsPerAddress); "
          + "try again later"));
        socket.end();
        return;
      }
      if (registered.size() >= options.maxConnections() && !makeRoom(null)) {
        refused.increment();
        refuse(socket, new JsonObject(), new GatewayError(503, "too_many_connections", "the bridge holds "
          + options.maxConnections() + " connections already (bridge.connections); try again later"));
        socket.end();
        return;
      }
      FrameCheck.install(socket, options.maxFrameBytes());
      BacklogLimit.install(socket, options.maxQueueBytes());
      registered.put(socket, new HashSet<>());
      unheard.put(socket, System.nanoTime());
      long silence = vertx.setTimer(options.firstFrameSeconds() * 1000L, t -> closeIfUnheard(socket));
      socket.closeHandler(v -> {
        vertx.cancelTimer(silence);
        registered.remove(socket);
        unheard.remove(socket);
      });
      bridgeHandler.handle(socket);
    });
    return bridge.listen().map(b -> {
      port = server.actualPort();
      LOG.info("event-bus bridge listening on {}:{} (token {}, frames up to {} bytes)", options.host(), port,
        token == null ? "not required" : "required", options.maxFrameBytes());
      return port;
    }).recover(failure -> Future.failedFuture(portInUse(failure) ? new IllegalStateException("cannot listen on "
      + options.host() + ":" + options.port() + " (bridge.port): the port is already in use (choose another with "
      + "bridge.port)") : failure));
  }

  /** Whether binding failed because the address is taken, as the JDK or Netty's native transport says it. */
  public static boolean portInUse(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Closes a connection that has sent no frame the bridge accepted since it opened: it held one of the
   * {@code bridge.connections} places, and maybe a frame's worth of bytes, saying nothing (or nothing with the token).
   */
  private void closeIfUnheard(NetSocket socket) {
    if (unheard.remove(socket) != null) {
      closeSilent(socket, "within " + options.firstFrameSeconds() + " s of connecting (bridge.first.frame.seconds)");
    }
  }

  /**
   * The bridge is full (or, with {@code from}, full for that remote address): closes the connection (of that address)
   * that has waited longest without saying anything, so that connections that never speak (or never with the token)
   * cannot keep a client that does out; false when every such connection has spoken.
   */
  private boolean makeRoom(String from) {
    NetSocket quiet = unheard.entrySet().stream().filter(e -> from == null || from.equals(remoteHost(e.getKey())))
      .min(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    if (quiet == null || unheard.remove(quiet) == null) {
      return false;
    }
    registered.remove(quiet);
    closeSilent(quiet, "before the bridge was full (" + (from == null ? "bridge.connections"
      : "bridge.connectionsPerAddress, from " + from) + ") and another connection came");
    return true;
  }

  /** The open connections from {@code host}: a few dozen at most ({@code bridge.connections}), counted as they come. */
  private long fromHost(String host) {
    return registered.keySet().stream().filter(socket -> host.equals(remoteHost(socket))).count();
  }

  private static String remoteHost(NetSocket socket) {
    return socket.remoteAddress() == null ? "" : String.valueOf(socket.remoteAddress().hostAddress());
  }

  /** Tells a connection taken off {@link #unheard} that no frame came {@code when}, and closes it. */
  private void closeSilent(NetSocket socket, String when) {
    refused.increment();
    refuse(socket, new JsonObject(), new GatewayError(408, "no_frame_in_time", "no frame"
      + (token == null ? "" : " carrying auth.token") + " came " + when + "; the connection is closed"));
    socket.end();
  }

  /** {@code vertx} as the bridge sees it, handing us the one NetServer the bridge creates. */
  private Vertx capturing(AtomicReference<NetServer> created) {
    return (Vertx) Proxy.newProxyInstance(Vertx.class.getClassLoader(), new Class<?>[] {Vertx.class},
      (proxy, method, args) -> {
        try {
          Object value = method.invoke(vertx, args);
          if (value instanceof NetServer server) {
            created.set(server);
          }
          return value;
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      });
  }

  private void check(BridgeEvent event) {
    JsonObject frame = event.getRawMessage();
    GatewayError refusal = switch (event.type()) {
      case SOCKET_PING, REGISTERED -> null;
      case REGISTER -> authorized(frame) ? registrable(event.socket(), frame.getString("address")) : unauthorized();
      case PUBLISH -> authorized(frame) ? publishRefused(frame.getString("address")) : unauthorized();
      default -> authorized(frame) ? null : unauthorized();
    };
    if (refusal != null || outsideTheLists(event.type(), frame)) {
      refused.increment();
      if (refusal == null) {
        // The bridge's own refusal says only "access_denied": a client waiting on its reply could not tell which
        // request failed. The same words, with the addresses our refusals carry.
        write(event.socket(), errFrame(frame).put("message", ACCESS_DENIED));
      } else {
        refuse(event.socket(), frame, refusal);
      }
      if (event.type() == BridgeEventType.PUBLISH) {
        showPublished(frame, refusal);
      }
      // Left pending on purpose: an event completed with false makes the bridge add a second, generic
      // "blocked by bridgeEvent handler" frame; a pending one drops the frame, and nothing waits on it.
      return;
    }
    if (event.type() != BridgeEventType.SOCKET_PING || authorized(frame)) { // a ping without the token says nothing
      unheard.remove(event.socket());
    }
    switch (event.type()) {
      case REGISTERED -> registered.getOrDefault(event.socket(), new HashSet<>()).add(frame.getString("address"));
      case UNREGISTER -> registered.getOrDefault(event.socket(), new HashSet<>()).remove(frame.getString("address"));
      default -> { }
    }
    if (frame.getValue("headers") instanceof JsonObject headers) {
      headers.remove(TOKEN_HEADER);
    }
    if (event.type() == BridgeEventType.SEND) {
      JsonObject headers = frame.getValue("headers") instanceof JsonObject h ? h : new JsonObject();
      // Run on this node, whose bridge the client holds: every node serves every session, and a request the
      // clustered bus routed to another node that then died would be answered only by its timeout, while a
      // dead node's own clients see their connection close at once
      headers.put(LOCAL_ONLY_HEADER, true);
      if (frame.getValue("replyAddress") != null && headers.getValue("timeout") == null) {
        // Vert.x's own 30 s would fail a request still running (a slow upstream, a turn held elsewhere) with
        // "TIMEOUT", its work done all the same; botgate answers every request within its own bounds
        headers.put("timeout", options.replyTimeoutMs());
      }
      frame.put("headers", headers);
    }
    event.complete(true);
  }

  /** Shows the refusal of a request published to execute or run a script in the session it names. */
  /** Advice to send only where a send is taken: elsewhere it would meet access_denied. */
  private static GatewayError publishRefused(String address) {
    List<String> requests = List.of(EventBusApi.EXECUTE, EventBusApi.SCRIPT_RUN, EventBusApi.SESSION_GET);
    if (requests.contains(address)) {
      return new GatewayError(403, "publish_refused", "requests are sent, not published: a published request "
        + "would run on every node of a cluster. Use \"type\": \"send\"");
    }
    return new GatewayError(403, "publish_refused", "nothing is published through the bridge, and '"
      + HostAllowList.shorten(String.valueOf(address)) + "' takes no requests: send them to "
      + String.join(", ", requests) + "; register to receive " + IntegrationExecutor.RESULTS_ADDRESS + " or "
      + DebugStream.ADDRESS_PREFIX + "<session>");
  }

  private void showPublished(JsonObject frame, GatewayError refusal) {
    String address = frame.getString("address");
    boolean execute = EventBusApi.EXECUTE.equals(address);
    if ((execute || EventBusApi.SCRIPT_RUN.equals(address)) && frame.getValue("body") instanceof JsonObject body
      && body.getValue("session") instanceof String session) {
      refusals.show(session, refusal, new JsonObject().put("integration", execute ? body.getValue("integration") : null));
    }
  }

  private boolean authorized(JsonObject frame) {
    if (token == null) {
      return true;
    }
    return frame.getValue("headers") instanceof JsonObject headers && headers.getValue(TOKEN_HEADER) instanceof String given
      && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
  }

  private static GatewayError unauthorized() {
    return new GatewayError(401, "unauthorized", "this bridge requires auth.token in every frame, as "
      + "\"headers\": {\"" + TOKEN_HEADER + "\": \"<auth.token>\"}");
  }

  private GatewayError registrable(NetSocket socket, String address) {
    if (address != null && address.startsWith(DebugStream.ADDRESS_PREFIX)
      && address.length() > DebugStream.ADDRESS_PREFIX.length()) { // with no session, refused as outside the list
      String problem = SessionId.problem(address.substring(DebugStream.ADDRESS_PREFIX.length()));
      if (problem != null) { // a 1 MB "session" would be held on every node of a cluster
        return new GatewayError(400, "invalid_session", problem);
      }
    }
    Set<String> addresses = registered.getOrDefault(socket, Set.of());
    if (addresses.contains(address)) {
      return new GatewayError(409, "already_registered", "this connection already receives '" + address + "'");
    }
    if (addresses.size() >= options.maxRegistrations()) {
      return new GatewayError(429, "too_many_registrations", "a connection may register at most "
        + options.maxRegistrations() + " addresses (bridge.registrations); unregister one first");
    }
    return null;
  }

  /**
   * Whether the bridge would refuse the frame's address as outside {@link #permitted()}: a request sent elsewhere
   * than the request addresses (a reply to a message the client received aside, which only the bridge knows of), a
   * registration elsewhere than the outbound addresses.
   */
  private static boolean outsideTheLists(BridgeEventType type, JsonObject frame) {
    String address = frame.getString("address");
    return address != null && switch (type) {
      case SEND -> !INBOUND.test(address) && !address.startsWith(REPLY_PREFIX);
      case REGISTER, UNREGISTER -> !OUTBOUND.test(address);
      default -> false;
    };
  }

  /** An address equal to one of {@code listed} or matching its pattern as a whole, as the bridge matches them. */
  private static Predicate<String> matching(List<PermittedOptions> listed) {
    Predicate<String> any = address -> false;
    for (PermittedOptions permitted : listed) {
      any = any.or(permitted.getAddress() != null ? permitted.getAddress()::equals
        : Pattern.compile(permitted.getAddressRegex()).asMatchPredicate());
    }
    return any;
  }

  private static void refuse(NetSocket socket, JsonObject frame, GatewayError error) {
    write(socket, errFrame(frame).put("failureCode", error.httpStatus()).put("message", error.toJson().encode()));
  }

  /**
   * An {@code err} frame for {@code frame}: addressed to its {@code replyAddress} when it had one, so the client's
   * pending request fails at once, and naming the address it was for.
   */
  private static JsonObject errFrame(JsonObject frame) {
    JsonObject err = new JsonObject().put("type", "err");
    if (frame.getValue("replyAddress") instanceof String replyAddress) {
      err.put("address", replyAddress);
    }
    if (frame.getValue("address") instanceof String address) {
      err.put("sourceAddress", address);
    }
    return err;
  }

  private static void write(NetSocket socket, JsonObject frame) {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    socket.write(Buffer.buffer(4 + json.length).appendInt(json.length).appendBytes(json));
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Open bridge connections (for /metrics). */
  public int connections() {
    return registered.size();
  }

  /** Frames refused since start (for /metrics). */
  public long refusedFrames() {
    return refused.sum();
  }

  /** The port bound (useful with bridge.port 0). */
  public int port() {
    return port;
  }

  public Future<Void> close() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }
}
