package io.botgate.integration;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Sends a rendered request with Vert.x Web Client under one overall deadline, retrying transport
 * failures and 429/5xx answers while time remains and the method allows it.
 */
final class UpstreamCaller {

  static final int MAX_REDIRECTS = 5;
  static final long FIRST_BACKOFF_MS = 100;

  private final Vertx vertx;
  private final EgressGuard guard;
  private final long maxBodyBytes;
  /**
   * One Web Client per event-loop thread. Vert.x 5's pool hands a free connection to any caller whatever
   * loop the connection lives on, and a connection on another loop costs two thread hops per call (the
   * write handed over, the answer handed back): about a fifth of the gateway's CPU under load. A client
   * used from a single loop only ever opens connections on that loop.
   */
  private final Map<Thread, WebClient> perLoop = new ConcurrentHashMap<>();
  /** For calls made off the event loops (worker threads, tests). */
  private final WebClient shared;

  UpstreamCaller(Vertx vertx, EgressGuard guard, long maxBodyBytes) {
    this.vertx = vertx;
    this.guard = guard;
    this.maxBodyBytes = maxBodyBytes;
    this.shared = newClient();
  }

  private WebClient client() {
    return Context.isOnEventLoopThread()
      ? perLoop.computeIfAbsent(Thread.currentThread(), thread -> newClient())
      : shared;
  }

  private WebClient newClient() {
    var http = vertx.httpClientBuilder()
      .with(new HttpClientOptions().setKeepAlive(true).setPipelining(false)
        .setConnectTimeout((int) IntegrationDefinition.DEFAULT_TIMEOUT_MS))
      .with(new PoolOptions().setHttp1MaxSize(64))
      .withConnectHandler(conn -> {
        SocketAddress remote = conn.remoteAddress();
        if (remote != null && remote.hostAddress() != null && !allowed(remote)) {
          conn.close(); // the address changed after the check (DNS rebinding): never talk to it
        }
      })
      .build();
    return WebClient.wrap(http);
  }

  private boolean allowed(SocketAddress remote) {
    try {
      return guard.allows(InetAddress.getByName(remote.hostAddress()), remote.port());
    } catch (UnknownHostException e) {
      return false;
    }
  }

  Future<UpstreamResponse> call(IntegrationDefinition definition, RenderedRequest request) {
    return call(definition, request, new ExchangeTrace());
  }

  /** As {@link #call(IntegrationDefinition, RenderedRequest)}, noting each attempt and the answer in {@code trace}. */
  Future<UpstreamResponse> call(IntegrationDefinition definition, RenderedRequest request, ExchangeTrace trace) {
    return new Call(definition, request, trace).start();
  }

  void close() {
    perLoop.values().forEach(WebClient::close);
    shared.close();
  }

  /** One execution: its attempts, its deadline, its single outcome. */
  private final class Call {
    private final IntegrationDefinition definition;
    private final RenderedRequest request;
    private final ExchangeTrace trace;
    private final long deadline;
    private final Promise<UpstreamResponse> outcome = Promise.promise();
    private int attempts;

    Call(IntegrationDefinition definition, RenderedRequest request, ExchangeTrace trace) {
      this.definition = definition;
      this.request = request;
      this.trace = trace;
      this.deadline = System.currentTimeMillis() + definition.timeoutMs();
    }

    Future<UpstreamResponse> start() {
      long timer = vertx.setTimer(definition.timeoutMs(), id -> outcome.tryComplete(UpstreamResponse.failure("504",
        "no answer within the deadline of " + definition.timeoutMs() + " ms", attempts)));
      outcome.future().onComplete(done -> vertx.cancelTimer(timer));
      attempt();
      return outcome.future();
    }

    private void attempt() {
      attempts++;
      long began = trace.now();
      send(definition.method(), request.url(), request.body(), MAX_REDIRECTS).onComplete(done -> {
        UpstreamResponse response = done.succeeded() ? done.result() : fromFailure(done.cause());
        trace.phase("attempt " + attempts, began, response.reason() == null ? response.statusCode()
          : response.statusCode() + " " + response.reason());
        long backoff = FIRST_BACKOFF_MS << Math.min(attempts - 1, 6);
        boolean retry = response.worthRetrying() && definition.mayRetry() && attempts <= definition.retries()
          && System.currentTimeMillis() + backoff < deadline;
        if (retry && !outcome.future().isComplete()) {
          vertx.setTimer(backoff, id -> attempt());
        } else {
          outcome.tryComplete(response);
        }
      });
    }

    private Future<UpstreamResponse> send(HttpMethod method, String url, Buffer body,
                                          int redirectsLeft) {
      URI uri;
      try {
        uri = URI.create(url);
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
          throw new IllegalArgumentException("not an absolute http(s) URL");
        }
      } catch (IllegalArgumentException e) {
        return Future.succeededFuture(UpstreamResponse.failure("440", "URL '" + url + "' is invalid: "
          + e.getMessage(), attempts));
      }
      int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
      long remaining = deadline - System.currentTimeMillis();
      if (remaining <= 0) {
        return Future.failedFuture(new TimeoutException());
      }
      return guard.check(vertx, uri.getHost(), port).compose(ok -> {
        BoundedBody sink = new BoundedBody(maxBodyBytes);
        HttpRequest<Void> req = request(method, url, uri, port).followRedirects(false).timeout(remaining)
          .as(BodyCodec.pipe(sink, false));
        for (Map.Entry<String, String> h : request.headers()) {
          req.putHeader(h.getKey(), h.getValue());
        }
        Future<HttpResponse<Void>> sent = body == null ? req.send() : req.sendBuffer(body);
        return sent.transform(done -> {
          if (sink.overflowed()) {
            return Future.succeededFuture(UpstreamResponse.failure("502",
              "upstream response body is larger than the limit of " + maxBodyBytes + " bytes", attempts));
          }
          if (done.failed()) {
            return Future.failedFuture(done.cause());
          }
          HttpResponse<Void> resp = done.result();
          String location = resp.getHeader("Location");
          if (isRedirect(resp.statusCode()) && location != null && redirectsLeft > 0) {
            boolean keepMethod = resp.statusCode() == 307 || resp.statusCode() == 308;
            return send(keepMethod ? method : HttpMethod.GET, uri.resolve(location).toString(),
              keepMethod ? body : null, redirectsLeft - 1);
          }
          trace.response(resp.statusCode(), resp.headers());
          return Future.succeededFuture(UpstreamResponse.of(resp.statusCode(), sink.collected(), attempts));
        });
      });
    }

    /**
     * The Web Client request for a URL already parsed: from its parts, so the client does not parse it
     * again, except for IPv6 literals and URLs with user info, which the client's own parser handles.
     */
    private HttpRequest<Buffer> request(HttpMethod method, String url, URI uri, int port) {
      WebClient client = client();
      if (uri.getHost().startsWith("[") || uri.getRawUserInfo() != null) {
        return client.requestAbs(method, url);
      }
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
      return client.request(method, port, uri.getHost(), target).ssl("https".equals(uri.getScheme()));
    }

    private UpstreamResponse fromFailure(Throwable cause) {
      if (cause instanceof EgressGuard.Blocked) {
        return UpstreamResponse.failure("440", cause.getMessage(), attempts);
      }
      if (cause instanceof TimeoutException || System.currentTimeMillis() >= deadline) {
        return UpstreamResponse.failure("504", "no answer within the deadline of " + definition.timeoutMs()
          + " ms", attempts);
      }
      if (cause instanceof UnknownHostException) {
        return UpstreamResponse.transportFailure("DNS lookup failed for " + cause.getMessage(), attempts);
      }
      String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      return UpstreamResponse.transportFailure("transport failure: " + message, attempts);
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }
}
