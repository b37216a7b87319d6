package io.botgate.integration;

import io.botgate.events.SecretMask;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
  private final SecretMask mask;
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

  UpstreamCaller(Vertx vertx, EgressGuard guard, SecretMask mask, long maxBodyBytes) {
    this.vertx = vertx;
    this.guard = guard;
    this.mask = mask;
    this.maxBodyBytes = maxBodyBytes;
    this.shared = newClient();
  }

  private WebClient client() {
    return Context.isOnEventLoopThread()
      ? perLoop.computeIfAbsent(Thread.currentThread(), thread -> newClient())
      : shared;
  }

  /**
   * No connect-time hook is needed: an address literal is connected to as checked, and a name is connected
   * to through the address the guard resolved and checked ({@link #request}), never looked up again.
   */
  private WebClient newClient() {
    var http = vertx.httpClientBuilder()
      .with(new HttpClientOptions().setKeepAlive(true).setPipelining(false)
        .setConnectTimeout((int) IntegrationDefinition.DEFAULT_TIMEOUT_MS))
      .with(new PoolOptions().setHttp1MaxSize(64))
      .build();
    return WebClient.wrap(http);
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
      send(definition.method(), request.url(), request.shown().url(), request.body(), MAX_REDIRECTS).onComplete(done -> {
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

    /** One hop; {@code shownUrl} is how reasons may quote {@code url}. */
    private Future<UpstreamResponse> send(HttpMethod method, String url, String shownUrl, Buffer body,
                                          int redirectsLeft) {
      URI uri;
      try {
        uri = new URI(url);
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
          throw new URISyntaxException(url, "not an absolute http(s) URL with a host");
        }
      } catch (URISyntaxException e) {
        // The reason alone: the exception's message quotes the whole URL, secrets and all.
        return Future.succeededFuture(UpstreamResponse.failure("440", "URL '" + shownUrl + "' is invalid: "
          + e.getReason(), attempts));
      }
      int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
      long remaining = deadline - System.currentTimeMillis();
      if (remaining <= 0) {
        return Future.failedFuture(new TimeoutException());
      }
      String host = uri.getHost();
      // An IPv4 literal is connected to as written; names (and IPv6 literals) through the checked address.
      Future<InetAddress> target = EgressGuard.isLiteral(host) && !host.startsWith("[")
        ? guard.check(vertx, host, port).map((InetAddress) null) : guard.resolve(vertx, host, port);
      return target.compose(address -> {
        BoundedBody sink = new BoundedBody(maxBodyBytes);
        HttpRequest<Void> req = request(method, uri, port, address).followRedirects(false).timeout(remaining)
          .as(BodyCodec.pipe(sink, false));
        for (Map.Entry<String, String> h : request.headers()) {
          req.putHeader(h.getKey(), h.getValue());
        }
        if (uri.getRawUserInfo() != null && !req.headers().contains(HttpHeaders.AUTHORIZATION)) {
          req.putHeader(HttpHeaders.AUTHORIZATION.toString(), basic(uri.getUserInfo()));
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
            String next;
            try {
              next = uri.resolve(location).toString();
            } catch (IllegalArgumentException e) {
              return Future.succeededFuture(UpstreamResponse.failure("502", "upstream redirected to an invalid URL",
                attempts));
            }
            return send(keepMethod ? method : HttpMethod.GET, next, request.shown().scrub(mask.url(next)),
              keepMethod ? body : null, redirectsLeft - 1);
          }
          trace.response(resp.statusCode(), resp.headers());
          return Future.succeededFuture(UpstreamResponse.of(resp.statusCode(), sink.collected(), attempts));
        });
      });
    }

    /**
     * The Web Client request for a URL already parsed, from its parts so the client does not parse it again.
     * A name goes to the address the guard checked ({@code address}, null for an IPv4 literal), with the
     * name kept for the Host header and TLS. User info never reaches the client: it becomes Basic auth.
     */
    private HttpRequest<Buffer> request(HttpMethod method, URI uri, int port, InetAddress address) {
      WebClient client = client();
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
      boolean ssl = "https".equals(uri.getScheme());
      if (address == null) {
        return client.request(method, port, uri.getHost(), target).ssl(ssl);
      }
      return client.request(method, SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)), port,
        uri.getHost(), target).ssl(ssl);
    }

    /** Reasons quote network errors, scrubbed of what the request's shown form hides. */
    private UpstreamResponse fromFailure(Throwable cause) {
      ShownRequest shown = request.shown();
      if (cause instanceof EgressGuard.Blocked) {
        return UpstreamResponse.failure("440", shown.scrub(cause.getMessage()), attempts);
      }
      if (cause instanceof TimeoutException || System.currentTimeMillis() >= deadline) {
        return UpstreamResponse.failure("504", "no answer within the deadline of " + definition.timeoutMs()
          + " ms", attempts);
      }
      if (cause instanceof UnknownHostException) {
        return UpstreamResponse.transportFailure(shown.scrub("DNS lookup failed for " + cause.getMessage()), attempts);
      }
      String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      return UpstreamResponse.transportFailure(shown.scrub("transport failure: " + message), attempts);
    }
  }

  /** The Basic credentials of URL user info, percent-decoded as RFC 3986 writes them. */
  private static String basic(String userInfo) {
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }
}
