package io.botgate.api;

import io.botgate.GatewayError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers {@code OPTIONS *}, a question about the server in general rather than a resource (RFC 9110 §9.3.7): 200
 * with the methods it serves somewhere in {@code Allow} and no content. In front of the router, which answers 404 to
 * a target not starting with '/' before any route or filter of ours; the Host is checked as the router's filter does
 * (the Origin needs no check: OPTIONS is safe). A resource's own {@code OPTIONS} is not this: outside
 * {@code /proxy/} it is answered 405 (no CORS preflight is ever granted).
 */
public final class AsteriskOptions {

  /**
   * Every method some route takes: the API's, the console's files (GET, HEAD), and what the pass-through forwards,
   * which is also the {@code Allow} of its refusal of TRACE ({@link #refuseTrace}). CONNECT is never served (no
   * tunnels), nor is TRACE.
   */
  public static final String ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

  private AsteriskOptions() {
  }

  /** Answers {@code OPTIONS *} and hands every other request to {@code next}. */
  public static Handler<HttpServerRequest> inFront(Handler<HttpServerRequest> next, HostAllowList hosts) {
    return request -> {
      if (request.method() != HttpMethod.OPTIONS || !"*".equals(request.uri())) {
        next.handle(request);
        return;
      }
      GatewayError refused = hosts.refusal(request);
      if (refused != null) {
        HostAllowList.answer(request, refused);
        return;
      }
      // no content, and Content-Length 0 saying so (a 204 may not carry it)
      request.response().putHeader(HttpHeaders.ALLOW, ALLOW).putHeader(HttpHeaders.CONTENT_LENGTH, "0").end();
    };
  }

  /**
   * Answers a TRACE under {@code /proxy/} 405, with the methods the pass-through forwards in {@code Allow}: an upstream
   * answers TRACE with the request as it got it, so forwarding it would hand the caller the credential the gateway
   * adds to each call (a token, a basic password), and any cookie a browser sent along. Nothing is sent upstream.
   */
  public static void refuseTrace(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.ALLOW, ALLOW);
    ctx.fail(new GatewayError(405, "method_not_allowed", "TRACE is not forwarded: the upstream would echo the "
      + "request with the credential the gateway adds to it; use " + ALLOW));
  }
}
