package io.botgate.api;

import io.botgate.GatewayError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers {@code OPTIONS *}, a question about the server in general rather than a resource (RFC 9110 §9.3.7): 200
 * with the methods it serves somewhere in {@code Allow} and no content. In front of the router, which answers 404 to
 * a target not starting with '/' before any route or filter of ours; the Host is checked as the router's filter does
 * (the Origin needs no check: OPTIONS is safe). A resource's own {@code OPTIONS} is not this: outside
 * {@code /proxy/} it is answered 405 (no CORS preflight is ever granted).
 */
public final class AsteriskOptions {

  /**
   * Every method some route takes: the API's, the console's files (GET, HEAD), and what the pass-through forwards.
   * CONNECT is never served (no tunnels), and TRACE, which only the pass-through forwards, is not advertised.
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
}
