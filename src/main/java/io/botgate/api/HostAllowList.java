package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.HostPort;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Answers 403 {@code host_not_allowed} to a request whose {@code Host} is not one of the gateway's names,
 * so a DNS name rebound to 127.0.0.1 cannot turn a web page into a client of the gateway. Loopback names
 * and the bind address are always allowed, with any port; {@code http.allowedHosts} adds names, and
 * {@code "*"} turns the check off (behind a proxy that sets its own Host, for example).
 */
public final class HostAllowList implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(HostAllowList.class);

  /** Names every local client may use; an attacker's page can never make a browser send them. */
  public static final List<String> DEFAULT_HOSTS = List.of("localhost", "127.0.0.1", "[::1]");
  public static final String ANY = "*";

  private final Set<String> hosts = new LinkedHashSet<>();
  private final boolean any;

  /**
   * @param configured {@code http.allowedHosts}: names or addresses (IPv6 with or without brackets)
   * @param bindHost   {@code http.host}; allowed too unless it is a wildcard address
   */
  public HostAllowList(List<String> configured, String bindHost) {
    hosts.addAll(DEFAULT_HOSTS);
    if (bindHost != null && !bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
      hosts.add(normalize(bindHost));
    }
    boolean star = false;
    for (String host : configured) {
      if (host.equals(ANY)) {
        star = true;
      } else {
        hosts.add(normalize(host));
      }
    }
    this.any = star;
  }

  /**
   * {@code requests} behind a check of the Host header that cannot wait for the router: Vert.x 5.0's parser of
   * an authority throws on a {@code %} escape (HostAndPortImpl.parseRegName) while the router matches a route,
   * before any handler of ours, and the request was left unanswered with its connection open. A host name never
   * holds one: such a request is answered 400. Anything else thrown before a route (no route's failure handler
   * can answer it) is answered 500 rather than left hanging.
   */
  public static Handler<HttpServerRequest> guarding(Handler<HttpServerRequest> requests) {
    return request -> {
      String host = request.getHeader(HttpHeaders.HOST);
      String uri = request.uri();
      int escape = uri.indexOf('%');
      if (host != null && host.indexOf('%') >= 0 || escape >= 0 && absoluteForm(uri) && escape < authorityEnd(uri)) {
        answer(request, new GatewayError(400, "bad_request", "the request's host holds a '%' escape; a host name is "
          + "letters, digits, '-' and '.'"));
        return;
      }
      try {
        requests.handle(request);
      } catch (RuntimeException e) {
        LOG.error("request {} {} failed before any route", request.method(),
          shorten(request.path() == null ? "" : request.path()), e);
        if (!request.response().headWritten()) {
          answer(request, new GatewayError(500, "internal_error", "botgate failed to handle the request: "
            + e.getClass().getSimpleName()));
        }
      }
    };
  }

  /** Answers the error to a request no route has (before the router, whose failure handlers answer the rest). */
  static void answer(HttpServerRequest request, GatewayError error) {
    ApiRoutes.jsonHead(request.response().setStatusCode(error.httpStatus()))
      .end(error.toJson().toBuffer());
  }

  /** Where the authority of an absolute-form target ends: at its path, query or fragment, or the end. */
  private static int authorityEnd(String uri) {
    int end = uri.indexOf("://") + 3;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    return end;
  }

  /** The names allowed (for messages and the start-up log). */
  public Set<String> hosts() {
    return any ? Set.of(ANY) : Set.copyOf(hosts);
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayError refused = refusal(ctx.request());
    if (refused == null) {
      ctx.next();
    } else {
      ctx.fail(refused);
    }
  }

  /** Why the request is refused, or null when it names this gateway. */
  GatewayError refusal(HttpServerRequest request) {
    if (allows(request)) {
      return null;
    }
    if (request.headers().getAll(HttpHeaders.HOST).size() > 1) {
      return new GatewayError(400, "bad_request", "the request has more than one Host header; send one");
    }
    String host = namedHost(request);
    String sent = host == null ? "no Host header" : (absoluteForm(request.uri()) ? "the request target's host '"
      : "Host '") + shorten(host) + "'";
    return new GatewayError(403, "host_not_allowed", "this gateway does not answer to " + sent
      + " (a DNS name pointed at it is not enough); it answers to " + String.join(", ", hosts)
      + ". Add the name to http.allowedHosts to allow it");
  }

  /**
   * Whether the request names this gateway (what {@link #handle} lets through): one Host header, and a request
   * target in absolute form ({@code GET http://name/...}) naming it too, since its host is the one that counts
   * (RFC 9112, 3.2.2).
   */
  public boolean allows(HttpServerRequest request) {
    if (any) {
      return true;
    }
    String host = namedHost(request);
    return host != null && request.headers().getAll(HttpHeaders.HOST).size() <= 1
      && hosts.contains(host.toLowerCase(Locale.ROOT));
  }

  /** The host a request names: its target's in absolute form, else its Host header's (null when none). */
  private static String namedHost(HttpServerRequest request) {
    String uri = request.uri();
    if (absoluteForm(uri)) {
      int start = uri.indexOf("://") + 3;
      int end = authorityEnd(uri);
      String authority = uri.substring(Math.max(start, uri.lastIndexOf('@', end - 1) + 1), end); // no user info
      int port = authority.startsWith("[") ? authority.indexOf(']') + 1 : authority.indexOf(':');
      return port <= 0 ? authority : authority.substring(0, port);
    }
    HostAndPort authority = request.authority();
    return authority == null ? null : authority.host();
  }

  /**
   * Whether the request target is in absolute form, {@code <scheme>://<authority>...}, any scheme: Vert.x routes
   * {@code GET ws://name/health} by its path as it does {@code http://name/health}, so its host must count too.
   */
  static boolean absoluteForm(String uri) {
    int sep = uri.isEmpty() || uri.charAt(0) == '/' ? -1 : uri.indexOf("://"); // origin form first: nearly all
    if (sep <= 0 || !isAsciiLetter(uri.charAt(0))) {
      return false;
    }
    for (int i = 1; i < sep; i++) { // RFC 3986 3.1: a letter, then letters, digits, '+', '-', '.'
      char c = uri.charAt(i);
      if (!isAsciiLetter(c) && (c < '0' || c > '9') && c != '+' && c != '-' && c != '.') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetter(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  /** What is wrong with {@code host} as an entry of {@code http.allowedHosts}; empty when nothing. */
  public static Optional<String> problem(String host) {
    if (host.equals(ANY)) {
      return Optional.empty();
    }
    try {
      normalize(host);
    } catch (IllegalArgumentException e) {
      return Optional.of(NOT_A_HOST);
    }
    return HostPort.hostProblem(host).map(p -> NOT_A_HOST); // such as "http://name" or "name/path": never matched
  }

  private static final String NOT_A_HOST = "is not a host name or address; give it without a port (every port is "
    + "allowed)";

  /** Lower case, IPv6 addresses in brackets as a Host header writes them. */
  static String normalize(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    int colons = h.length() - h.replace(":", "").length();
    if (colons == 1 || h.startsWith("[") && !h.endsWith("]") || h.isEmpty()) {
      throw new IllegalArgumentException("http.allowedHosts: '" + host + "' " + NOT_A_HOST);
    }
    return colons > 1 && !h.startsWith("[") ? "[" + h + "]" : h;
  }

  public static String shorten(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }
}
