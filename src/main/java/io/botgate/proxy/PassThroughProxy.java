package io.botgate.proxy;

import io.botgate.GatewayError;
import io.botgate.PerEventLoop;
import io.botgate.UpstreamFraming;
import io.botgate.integration.EgressGuard;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.integration.IntegrationRegistry;
import io.botgate.integration.UpstreamCredentials;
import io.botgate.session.RefusalEvents;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Predicate;

/**
 * {@code ANY /proxy/{integration}/{rest…}}: a bot runtime's own HTTP call, streamed to the integration's
 * URL and back unchanged by vertx-http-proxy, and recorded as an execution of that integration for the
 * session named in {@code X-Botgate-Session}. botgate's part is one interceptor ({@link PassThroughInterceptor}).
 */
public final class PassThroughProxy {

  private static final Logger LOG = LoggerFactory.getLogger(PassThroughProxy.class);

  /** The route the router reports for a pass-through call (its path, the wildcard left out). */
  static final String ROUTE = PassThroughInterceptor.PREFIX;

  private final Vertx vertx;
  private final PassThroughInterceptor interceptor;
  /**
   * A client and a proxy for each event loop, as executions have a Web Client per loop ({@code UpstreamCaller}).
   * With one client for all, a call took whichever pooled connection was free, often one another event loop
   * had opened: the request was handed to that loop to be written and the answer handed back to be passed on
   * (under pass-through load, 23-29 % of the gateway's CPU samples ran in such handed-over tasks; 0.1 % with a
   * client per loop).
   */
  private final PerEventLoop<Loop> loops = new PerEventLoop<>(this::newLoop, loop -> loop.client().close());

  private record Loop(HttpClient client, HttpProxy proxy) {
  }

  /**
   * With the credentials integrations name, applied to each call as to an execution, and where a call refused before
   * it began is shown ({@code refusals}).
   */
  public PassThroughProxy(Vertx vertx, IntegrationRegistry registry, IntegrationExecutor executor, EgressGuard guard,
                          PassThroughOptions options, String authToken, UpstreamCredentials credentials,
                          RefusalEvents refusals) {
    this.vertx = vertx;
    this.interceptor = new PassThroughInterceptor(vertx, registry, executor, guard, options, authToken, credentials,
      refusals);
  }

  /** The proxy of the event loop calling, made at its first call. */
  private HttpProxy proxy() {
    return loops.get().proxy();
  }

  private Loop newLoop() {
    HttpClient client = vertx.httpClientBuilder()
      .with(new HttpClientOptions().setKeepAlive(true).setConnectTimeout((int) IntegrationDefinition.DEFAULT_TIMEOUT_MS))
      .with(new PoolOptions().setHttp1MaxSize(PassThroughOptions.DEFAULT_POOL_SIZE))
      .withConnectHandler(UpstreamFraming::install)
      .build();
    // WebSocket support off: the interceptor answers an upgrade with a JSON error instead.
    return new Loop(client, HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(false), client)
      .origin(interceptor::origin)
      .addInterceptor(interceptor));
  }

  /** Mounts {@code /proxy/*}; no body handler may run before it (the body streams). */
  public void mount(Router router) {
    router.route(PassThroughInterceptor.PREFIX + "*").handler(ctx -> proxy().handle(ctx.request()));
  }

  /**
   * The server's request handler, in front of the router: a pass-through call the router's filters would
   * let through ({@code admitted}) and that its route would match as written goes to the proxy directly,
   * without a routing context, a wrapper of the request and its query decoded (a fifth of what botgate adds
   * to a call). Everything else goes to the router, a pass-through call that a filter refuses included,
   * which answers it as before.
   */
  public Handler<HttpServerRequest> inFront(Router router, Predicate<HttpServerRequest> admitted) {
    return request -> {
      if (direct(request.uri()) && admitted.test(request)) {
        request.routed(ROUTE); // as the router reports its route to the HTTP meters
        try {
          proxy().handle(request);
        } catch (RuntimeException e) { // what the router's failure handler would do: never a call left hanging
          failed(request, e);
        }
      } else {
        router.handle(request);
      }
    };
  }

  /** Answers 500 to a call the proxy failed on, which is logged ({@link #logFailure}). */
  static void failed(HttpServerRequest request, RuntimeException e) {
    logFailure(request, e);
    HttpServerResponse response = request.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    GatewayError.jsonHead(response.setStatusCode(500).headers());
    response.end(new GatewayError(500,
      "internal_error", "botgate failed to handle the request: " + e.getMessage()).toJson().toBuffer());
  }

  /**
   * The ERROR line of a call the gateway failed on (not a refusal: those are answered, and a limit hit is a WARN).
   * A pattern, not a message built per call: the lines of every call are one kind for {@code log.repeats.perSecond}.
   */
  static void logFailure(HttpServerRequest request, Throwable cause) {
    LOG.error("request {} {} failed", request.method(), request.path(), cause);
  }

  /**
   * Whether the router would route a request URI to {@link #mount}'s route and find nothing to refuse in it:
   * an origin-form path under {@code /proxy/} that normalizing leaves as it is (no dot segment, no empty
   * one, nothing percent-encoded) and a query with nothing to decode wrongly (no '%').
   */
  static boolean direct(String uri) {
    if (!uri.startsWith(PassThroughInterceptor.PREFIX)) {
      return false;
    }
    int query = uri.indexOf('?');
    int end = query < 0 ? uri.length() : query;
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '%' || c == '#' || c == '\\' || i < end && c == '/' && i + 1 < end
        && (uri.charAt(i + 1) == '.' || uri.charAt(i + 1) == '/')) {
        return false;
      }
    }
    return true;
  }

  public void close() {
    loops.close();
  }
}
