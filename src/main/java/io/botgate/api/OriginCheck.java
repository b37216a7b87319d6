package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.console.ConsoleEndpoint;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Answers 403 {@code origin_not_allowed} to a browser request that could change something (any method but
 * GET, HEAD and OPTIONS) or open the console WebSocket from a page of another origin. A page may drive the
 * gateway only from the gateway's own origin (its Origin names the host and port the request was sent to)
 * or from an origin listed in {@code http.allowedOrigins}, which is answered as CORS asks. Requests without an Origin
 * (curl, bot runtimes, other servers) pass: a browser always sends one with these requests.
 */
public final class OriginCheck implements Handler<RoutingContext> {

  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  /** What a listed origin's page may send: the API's methods, a JSON body and the token. */
  static final String CORS_METHODS = "GET, HEAD, POST, PUT, DELETE";
  static final String CORS_HEADERS = "Content-Type, Authorization";

  private final Set<String> allowed = new LinkedHashSet<>();

  /** @param origins {@code http.allowedOrigins}, such as {@code http://localhost:3000} */
  public OriginCheck(List<String> origins) {
    check("http.allowedOrigins", origins);
    origins.forEach(origin -> allowed.add(canonical(origin)));
  }

  /** Refuses an entry of {@code key} that is not an origin, naming that key (origins of two keys are merged). */
  public static void check(String key, List<String> origins) {
    for (String origin : origins) {
      problem(origin).ifPresent(problem -> {
        throw new IllegalArgumentException(key + ": '" + origin + "' " + problem);
      });
    }
  }

  /** What is wrong with {@code origin} as an entry of {@code http.allowedOrigins}; empty when nothing. */
  public static Optional<String> problem(String origin) {
    return canonical(origin) != null ? Optional.empty() : Optional.of("is not an origin; write it as "
      + "scheme://host[:port], such as http://localhost:3000");
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (answersListedOrigin(ctx)) {
      return;
    }
    if (allows(ctx.request())) {
      ctx.next();
      return;
    }
    String origin = ctx.request().getHeader("Origin");
    String from = twoOrigins(ctx.request()) ? "a request with more than one Origin header"
      : "a page from " + HostAllowList.shorten(origin);
    // the console's check is answered as the handshake it stands for
    boolean console = isWebSocket(ctx.request()) || ConsoleEndpoint.CHECK_PATH.equals(ctx.normalizedPath());
    ctx.fail(new GatewayError(403, "origin_not_allowed", from + " may not " + (console ? "open the console" : "send "
      + ctx.request().method() + " requests") + " to this gateway; add that origin to http.allowedOrigins to allow it"));
  }

  /**
   * CORS for a page of an origin listed in {@code http.allowedOrigins}, which may drive the gateway: its preflight is
   * answered here (before the token is asked for: a browser sends none with it), and every answer names its origin,
   * so the page can read what it asked for (a browser otherwise refuses a JSON POST's preflight and hides every
   * answer: listing the origin let it do nothing). Not under {@code /proxy/}, whose answers are the upstream's.
   *
   * @return whether the request was answered (a preflight)
   */
  private boolean answersListedOrigin(RoutingContext ctx) {
    if (allowed.isEmpty()) { // the default: no page of another origin may drive the gateway
      return false;
    }
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader("Origin");
    if (origin == null || twoOrigins(request) || !allowed.contains(canonical(origin))
      || ctx.normalizedPath().startsWith("/proxy/")) {
      return false;
    }
    ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
    if (request.method() != HttpMethod.OPTIONS || request.getHeader("Access-Control-Request-Method") == null) {
      return false;
    }
    ctx.response().setStatusCode(204).putHeader("Access-Control-Allow-Methods", CORS_METHODS)
      .putHeader("Access-Control-Allow-Headers", CORS_HEADERS).putHeader("Access-Control-Max-Age", "600").end();
    return true;
  }

  /** Whether the request may go on (what {@link #handle} lets through). */
  public boolean allows(HttpServerRequest request) {
    String origin = request.getHeader("Origin");
    return origin == null || SAFE.contains(request.method()) && !isWebSocket(request)
      || !twoOrigins(request) && isOwn(request, origin);
  }

  /** A browser sends one Origin; with two, which one a check or a server behind it reads is anyone's guess. */
  private static boolean twoOrigins(HttpServerRequest request) {
    return request.headers().getAll("Origin").size() > 1;
  }

  private boolean isOwn(HttpServerRequest request, String origin) {
    String canonical = canonical(origin);
    if (canonical == null) {
      return false; // "null" (sandboxed frames, file: pages) and anything unparseable
    }
    if (allowed.contains(canonical)) {
      return true;
    }
    HostAndPort host = request.authority();
    URI uri = URI.create(canonical);
    if (host == null || !uri.getHost().equalsIgnoreCase(host.host())) {
      return false;
    }
    // Without a port in Host the page was loaded from its scheme's default port, as the Origin then says.
    return host.port() < 0 ? uri.getPort() == defaultPort(uri.getScheme()) : uri.getPort() == host.port();
  }

  /**
   * Whether any {@code Upgrade} header names websocket, in a list too: with {@code Upgrade: foo} first and
   * {@code Upgrade: websocket} second, the first alone was read and a foreign Origin was let through to a handshake
   * that Vert.x then accepted.
   */
  private static boolean isWebSocket(HttpServerRequest request) {
    for (String upgrade : request.headers().getAll("Upgrade")) {
      for (String protocol : upgrade.split(",")) {
        if (protocol.trim().equalsIgnoreCase("websocket")) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code scheme://host:port} in lower case with the port always written, or null if not an origin. */
  static String canonical(String origin) {
    try {
      URI uri = new URI(origin.trim().toLowerCase(Locale.ROOT));
      String scheme = uri.getScheme();
      boolean bare = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
      if (!("http".equals(scheme) || "https".equals(scheme)) || uri.getHost() == null || uri.getUserInfo() != null
        || !bare || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        return null;
      }
      int port = uri.getPort() < 0 ? defaultPort(scheme) : uri.getPort();
      return scheme + "://" + uri.getHost() + ":" + port;
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  private static int defaultPort(String scheme) {
    return "https".equals(scheme) ? 443 : 80;
  }
}
