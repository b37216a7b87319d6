package io.botgate.integration;

import io.botgate.Deadline;
import io.botgate.PerEventLoop;
import io.botgate.UpstreamFraming;
import io.botgate.events.SecretMask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Sends a rendered request with Vert.x Web Client under one overall deadline, retrying transport
 * failures and 429/5xx answers while time remains and the method allows it, after a backoff that doubles, or
 * after what a 429's or 503's {@code Retry-After} asks when that is longer.
 */
final class UpstreamCaller {

  static final int MAX_REDIRECTS = 5;
  static final long FIRST_BACKOFF_MS = 100;

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamCaller.class);

  private final Vertx vertx;
  private final EgressGuard guard;
  private final SecretMask mask;
  private final long maxBodyBytes;
  private final UpstreamCredentials credentials;
  private final UpstreamOptions options;
  private final RecordedMocks recorded;
  /** A Web Client per event loop, so a call never leaves its loop, and one for calls made off the loops. */
  private final PerEventLoop<WebClient> clients = new PerEventLoop<>(this::newClient, WebClient::close);
  /** Where a large compressed answer is decoded ({@link ContentCoding#decoding}): Vert.x's workers unless told. */
  private volatile Function<Callable<Buffer>, Future<Buffer>> decoders = work -> vertx().executeBlocking(work, false);

  UpstreamCaller(Vertx vertx, EgressGuard guard, SecretMask mask, long maxBodyBytes) {
    this(vertx, guard, mask, maxBodyBytes, UpstreamCredentials.NONE, UpstreamOptions.defaults(), new RecordedMocks(vertx, null));
  }

  UpstreamCaller(Vertx vertx, EgressGuard guard, SecretMask mask, long maxBodyBytes, UpstreamCredentials credentials,
                 UpstreamOptions options, RecordedMocks recorded) {
    this.vertx = vertx;
    this.guard = guard;
    this.mask = mask;
    this.maxBodyBytes = maxBodyBytes;
    this.credentials = credentials;
    this.options = options;
    this.recorded = recorded;
  }

  UpstreamOptions options() {
    return options;
  }

  private Vertx vertx() {
    return vertx;
  }

  /** Decodes large compressed answers with {@code offLoop} (on the executor's own workers, apart from Vert.x's). */
  void decodeOn(Function<Callable<Buffer>, Future<Buffer>> offLoop) {
    decoders = offLoop;
  }

  /**
   * A rendered request made ready for its mode: its URL rewritten ({@code upstream.rewrite}), and when it goes
   * to the network its credential obtained and applied ({@code refused} says why not: "460", or "504" when the
   * deadline passed first). {@code deadline} (epoch ms) is the call's overall deadline when it began
   * while the credential was being obtained; 0 when nothing was waited for (it begins with the call).
   */
  record Prepared(RenderedRequest request, UpstreamMode mode, CredentialGrant grant, UpstreamResponse refused,
                  long deadline) {
  }

  /** The mode an integration is called in: its own, else {@code upstream.mode}. */
  UpstreamMode modeOf(IntegrationDefinition definition) {
    return definition.mode() != null ? definition.mode() : options.mode();
  }

  /**
   * Obtains the call's credential. A token at hand is applied at once, and the call's deadline begins with the
   * call; one that must be fetched is waited for under the deadline, which then begins here: {@code timeoutMs}
   * is the overall deadline, a token fetch included. When it passes first the call is "504"; the fetch itself
   * goes on, shared with the other calls waiting for the same token.
   */
  Future<Prepared> prepare(IntegrationDefinition definition, RenderedRequest rendered) {
    UpstreamMode mode = modeOf(definition);
    RenderedRequest request = options.rewrite(rendered);
    if (mode == UpstreamMode.MOCK || definition.credential() == null) {
      return Future.succeededFuture(new Prepared(request, mode, null, null, 0));
    }
    Future<CredentialGrant> obtained = credentials.obtain(definition.credential());
    if (obtained.isComplete()) { // a token at hand (the usual case): no wait, no deadline of its own
      return Future.succeededFuture(prepared(definition, request, mode, obtained, 0));
    }
    long deadline = System.currentTimeMillis() + definition.timeoutMs();
    Promise<Prepared> ready = Promise.promise();
    Deadline timer = Deadline.start(vertx, definition.timeoutMs(), () -> ready.tryComplete(new Prepared(request, mode,
      null, UpstreamResponse.failure("504", "no answer within the deadline of " + definition.timeoutMs()
        + " ms (credential '" + definition.credential() + "' was still being obtained)", 0), deadline)));
    obtained.onComplete(done -> {
      timer.cancel();
      ready.tryComplete(prepared(definition, request, mode, done, deadline));
    });
    return ready.future();
  }

  private static Prepared prepared(IntegrationDefinition definition, RenderedRequest request, UpstreamMode mode,
                                   AsyncResult<CredentialGrant> done, long deadline) {
    return done.succeeded()
      ? new Prepared(request.with(done.result()), mode, done.result(), null, deadline)
      : new Prepared(request, mode, null, UpstreamResponse.failure(UpstreamResponse.CREDENTIAL_UNAVAILABLE,
        unavailable(definition, done.cause()), 0), deadline);
  }

  /** Why a credential could not be had, naming it and never quoting its secret. */
  static String unavailable(IntegrationDefinition definition, Throwable cause) {
    return cause instanceof CredentialUnavailable ? cause.getMessage()
      : "credential '" + definition.credential() + "' could not be obtained (" + cause.getClass().getSimpleName() + ")";
  }

  /** As {@link #call(IntegrationDefinition, Prepared, ExchangeTrace, Consumer)}, warnings logged only. */
  Future<UpstreamResponse> call(IntegrationDefinition definition, Prepared prepared, ExchangeTrace trace) {
    return call(definition, prepared, trace, warning -> { });
  }

  /**
   * Calls upstream in the prepared mode: the network (recording the answer), or a mock. A recording that could not be
   * kept is told to {@code warnings} (the execution's events) and logged; the call's answer stands all the same.
   */
  Future<UpstreamResponse> call(IntegrationDefinition definition, Prepared prepared, ExchangeTrace trace,
                                Consumer<String> warnings) {
    trace.mode(prepared.mode());
    if (prepared.refused() != null) {
      return Future.succeededFuture(prepared.refused());
    }
    if (prepared.mode() == UpstreamMode.MOCK) {
      return mock(definition, prepared.request(), trace);
    }
    Call call = new Call(definition, prepared.request(), trace, prepared.grant(), prepared.deadline());
    Future<UpstreamResponse> live = call.start();
    if (prepared.mode() != UpstreamMode.RECORD) {
      return live;
    }
    return live.compose(response -> {
      if (response.httpStatus() == 0) {
        return Future.succeededFuture(response);
      }
      return record(definition, call.request.shown(), definition.method(), response.httpStatus(),
        trace.responseHeaders(), response.body(), warnings).map(response);
    });
  }

  /**
   * Keeps an answer as a mock (record mode), off the event loop. One that could not be kept is told to {@code warnings}
   * and logged; the returned future succeeds all the same, once the recording is written or refused.
   */
  Future<Void> record(IntegrationDefinition definition, ShownRequest shown, HttpMethod method, int status,
                      MultiMap headers, Buffer body, Consumer<String> warnings) {
    return recorded.keep(definition.name(), mask, shown, method, status, headers, body).transform(written -> {
      if (written.failed()) {
        Throwable cause = written.cause();
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName()
          : cause instanceof IllegalStateException ? cause.getMessage() // the lock's own sentence
          : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        String text = "record mode: the answer was not recorded, " + options.mocksDir() + "/" + definition.name()
          + ".json and the mocks in memory are as they were: " + why;
        LOG.warn("{}: {}", definition.name(), text);
        warnings.accept(text);
      }
      return Future.succeededFuture();
    });
  }

  /** Mock mode: the first declared, then recorded, mock that matches answers, after its delay; no network. */
  private Future<UpstreamResponse> mock(IntegrationDefinition definition, RenderedRequest request, ExchangeTrace trace) {
    long began = trace.now();
    MockAnswer answer = findMock(definition, request);
    if (answer == null) {
      String shown = request.shown().url();
      return Future.succeededFuture(UpstreamResponse.failure("440", "mock mode: no mock of '" + definition.name()
        + "' matches " + definition.method() + " " + shown + "; declare one in its \"mocks\", or call it once in "
        + "record mode", 0));
    }
    Promise<UpstreamResponse> done = Promise.promise();
    if (answer.delayMs() >= definition.timeoutMs()) {
      vertx.setTimer(definition.timeoutMs(), id -> done.complete(UpstreamResponse.failure("504",
        "no answer within the deadline of " + definition.timeoutMs() + " ms (the mock waits " + answer.delayMs()
          + " ms)", 1)));
      return done.future();
    }
    Runnable answerNow = () -> {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      answer.headers().forEach(headers::add);
      trace.response(answer.status(), headers);
      trace.phase("mock", began, String.valueOf(answer.status()));
      done.complete(UpstreamResponse.of(answer.status(), answer.bodyBuffer(), 1));
    };
    if (answer.delayMs() > 0) {
      vertx.setTimer(answer.delayMs(), id -> answerNow.run());
    } else {
      answerNow.run();
    }
    return done.future();
  }

  private MockAnswer findMock(IntegrationDefinition definition, RenderedRequest request) {
    return findMock(definition, definition.method(), request.url(), request.shown().url());
  }

  /** The first declared, then recorded, mock matching the request as sent or as shown; null when none does. */
  MockAnswer findMock(IntegrationDefinition definition, HttpMethod method, String url, String shownUrl) {
    for (List<MockAnswer> mocks : List.of(definition.mocks(), recorded.of(definition.name()))) {
      for (MockAnswer m : mocks) {
        if (m.matches(method, url) || (shownUrl != null && m.matches(method, shownUrl))) {
          return m;
        }
      }
    }
    return null;
  }

  private WebClient client() {
    return clients.get();
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
      .withConnectHandler(UpstreamFraming::install)
      .build();
    return UpstreamClients.wrap(http);
  }

  Future<UpstreamResponse> call(IntegrationDefinition definition, RenderedRequest request) {
    return call(definition, request, new ExchangeTrace());
  }

  /** As {@link #call(IntegrationDefinition, RenderedRequest)}, noting each attempt and the answer in {@code trace}. */
  Future<UpstreamResponse> call(IntegrationDefinition definition, RenderedRequest request, ExchangeTrace trace) {
    return new Call(definition, request, trace, null, 0).start();
  }

  void close() {
    clients.close();
  }

  /** One execution: its attempts, its deadline, its single outcome. */
  private final class Call {
    private final IntegrationDefinition definition;
    /** As sent last: a renewed credential replaces its headers. */
    private RenderedRequest request;
    private final ExchangeTrace trace;
    private final long deadline;
    /** The deadline begins with the call: nothing was waited for before it. */
    private final boolean fullLength;
    private final Promise<UpstreamResponse> outcome = Promise.promise();
    private final String origin;
    private CredentialGrant grant;
    private boolean renewed;
    private int attempts;
    /** The body of the hop on the wire: cut at the deadline, so no request outlives its call. */
    private BoundedBody inFlight;

    /**
     * {@code deadline} (epoch ms) began before the call when its credential had to be waited for; 0: it begins
     * now, {@code timeoutMs} long.
     */
    Call(IntegrationDefinition definition, RenderedRequest request, ExchangeTrace trace, CredentialGrant grant,
         long deadline) {
      this.definition = definition;
      this.request = request;
      this.trace = trace;
      this.grant = grant;
      this.origin = DefinitionMask.target(request.url());
      this.fullLength = deadline == 0;
      this.deadline = fullLength ? System.currentTimeMillis() + definition.timeoutMs() : deadline;
    }

    /**
     * Sets the deadline ({@link Deadline}: kept with its event loop's others, in a list per length, so the
     * usual call arms the integration's own {@code timeoutMs}) and makes the first attempt.
     */
    Future<UpstreamResponse> start() {
      long length = fullLength ? definition.timeoutMs() : Math.max(0, deadline - System.currentTimeMillis());
      Deadline timer = Deadline.start(vertx, length, this::expire);
      outcome.future().onComplete(done -> timer.cancel());
      attempt();
      return outcome.future();
    }

    private void expire() {
      if (!outcome.tryComplete(UpstreamResponse.failure("504", "no answer within the deadline of "
        + definition.timeoutMs() + " ms", attempts))) {
        return; // answered meanwhile: nothing is in flight
      }
      BoundedBody body = inFlight;
      if (body != null) {
        body.abort(); // a request whose answer began is not ended by its idle timeout while bytes trickle in
      }
    }

    private void attempt() {
      attempts++;
      long began = trace.now();
      send(definition.method(), request.url(), request.shown().url(), request.body(), MAX_REDIRECTS).onComplete(done -> {
        UpstreamResponse response = done.succeeded() ? done.result() : fromFailure(done.cause());
        trace.phase("attempt " + attempts, began, response.reason() == null ? response.statusCode()
          : response.statusCode() + " " + response.reason());
        if (response.httpStatus() == 401 && grant != null && grant.renewable() && !renewed
          && !outcome.future().isComplete()) {
          renew();
          return;
        }
        boolean due = response.worthRetrying() && definition.mayRetry() && attempts <= definition.retries()
          && !outcome.future().isComplete();
        long backoff = FIRST_BACKOFF_MS << Math.min(attempts - 1, 6);
        // The upstream's Retry-After, when longer, is waited for instead: a retry sooner is refused all the same.
        long wait = Math.max(backoff, response.retryAfterMs());
        boolean inTime = System.currentTimeMillis() + wait < deadline;
        if (due && response.retryAfterMs() != RetryAfter.NONE) {
          waitAsked(response, wait, inTime);
        } else if (due && inTime) {
          vertx.setTimer(backoff, id -> attempt());
        } else {
          outcome.tryComplete(response);
        }
      });
    }

    /**
     * A retry due after an answer with a {@code Retry-After}: made once {@code wait} has passed, on a timer, when
     * that is before the deadline; else the answer is the call's at once (no wait that would end in a 504). Either
     * way the trace shows it, as the step between the attempts.
     */
    private void waitAsked(UpstreamResponse response, long wait, boolean inTime) {
      String asked = "Retry-After of the " + response.statusCode() + ": " + response.retryAfterMs() + " ms";
      if (!inTime) {
        // the wait is the longer of the two: when it is the backoff, the Retry-After is not what ran past the deadline
        String longer = wait > response.retryAfterMs() ? " (the backoff, " + wait + " ms, is longer)" : "";
        trace.phase("Retry-After", trace.now(), asked + longer + ", past the deadline of " + definition.timeoutMs()
          + " ms: not retried");
        outcome.tryComplete(response);
        return;
      }
      long began = trace.now();
      vertx.setTimer(wait, id -> {
        trace.phase("Retry-After", began, asked + ", waited " + wait + " ms");
        attempt();
      });
    }

    /** A 401 to a renewable credential: renewed once (one fetch shared by every call refused the same), sent again. */
    private void renew() {
      renewed = true;
      long began = trace.now();
      credentials.renew(definition.credential(), grant).onComplete(fresh -> {
        trace.phase("credential renewed", began, fresh.succeeded() ? null : UpstreamResponse.CREDENTIAL_UNAVAILABLE);
        if (fresh.failed()) {
          outcome.tryComplete(UpstreamResponse.failure(UpstreamResponse.CREDENTIAL_UNAVAILABLE,
            unavailable(definition, fresh.cause()), attempts));
          return;
        }
        grant = fresh.result();
        request.shown().hide(grant.secrets());
        request = new RenderedRequest(request.url(), request.withHeaders(grant), request.body(), request.shown());
        if (!outcome.future().isComplete()) {
          attempt();
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
        EgressGuard.Blocked toItself = guard.ownRefusal(host, address, port, uri.getRawPath());
        if (toItself != null) {
          return Future.failedFuture(toItself);
        }
        BoundedBody sink = new BoundedBody(maxBodyBytes);
        inFlight = sink;
        // A credential goes to the integration's own origin only, never to where a redirect points; nor does a
        // header that carries a secret (a secret-looking name, or an {$env.*} value), as browsers and curl drop
        // Authorization on a redirect to another origin. Other headers go everywhere.
        boolean ownOrigin = origin.equals(DefinitionMask.target(url));
        boolean credentialGoes = grant == null || ownOrigin;
        HttpRequest<Void> req = request(method, uri, port, address, credentialGoes).followRedirects(false).timeout(remaining)
          .as(sink);
        for (Map.Entry<String, String> h : request.headers()) {
          boolean credentialHeader = !credentialGoes
            && grant.headers().stream().anyMatch(g -> g.getKey().equalsIgnoreCase(h.getKey()));
          if (!credentialHeader && (ownOrigin || !carriesSecret(h))) {
            req.putHeader(h.getKey(), h.getValue());
          }
        }
        if (uri.getRawUserInfo() != null && !req.headers().contains(HttpHeaders.AUTHORIZATION)) {
          req.putHeader(HttpHeaders.AUTHORIZATION.toString(), CredentialGrant.basicOf(uri.getUserInfo()));
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
            String shownNext = request.shown().scrub(mask.url(next));
            // A body that holds a secret follows the integration's origin only, as its secret headers do: a
            // 307 or 308 elsewhere is not followed, since the body cannot be sent there without the secret.
            if (keepMethod && body != null && request.shown().bodyHoldsSecret()
              && !origin.equals(DefinitionMask.target(next))) {
              return Future.succeededFuture(UpstreamResponse.failure("440", "upstream redirected ("
                + resp.statusCode() + ") to another origin, " + shownNext + ", and the request body holds a secret:"
                + " not sent there", attempts));
            }
            return send(keepMethod ? method : HttpMethod.GET, next, shownNext, keepMethod ? body : null,
              redirectsLeft - 1);
          }
          trace.response(resp.statusCode(), resp.headers()); // as received: the coding shows in the finish event
          Buffer received = sink.collected();
          String coding = resp.getHeader(HttpHeaders.CONTENT_ENCODING);
          if (coding == null || !ContentCoding.decodes(coding)) {
            return Future.succeededFuture(UpstreamResponse.of(resp.statusCode(), received, attempts,
              RetryAfter.of(resp)));
          }
          return ContentCoding.decoding(coding, received, maxBodyBytes, decoders).transform(decoded -> {
            if (decoded.cause() instanceof ContentCoding.TooLarge) {
              return Future.succeededFuture(UpstreamResponse.failure("502", "upstream response body, decoded from "
                + "its Content-Encoding " + coding + ", is larger than the limit of " + maxBodyBytes + " bytes", attempts));
            }
            if (decoded.cause() instanceof ContentCoding.Unreadable e) {
              return Future.succeededFuture(UpstreamResponse.failure("502", "upstream answered "
                + resp.statusCode() + " with Content-Encoding " + coding + ", but " + e.getMessage(), attempts));
            }
            return decoded.failed() ? Future.failedFuture(decoded.cause()) : Future.succeededFuture(
              UpstreamResponse.of(resp.statusCode(), decoded.result(), attempts, RetryAfter.of(resp)));
          });
        });
      });
    }

    /**
     * The Web Client request for a URL already parsed, from its parts so the client does not parse it again.
     * A name goes to the address the guard checked ({@code address}, null for an IPv4 literal), with the
     * name kept for the Host header and TLS. User info never reaches the client: it becomes Basic auth.
     */
    private HttpRequest<Buffer> request(HttpMethod method, URI uri, int port, InetAddress address, boolean withCredential) {
      WebClient client = withCredential && grant != null && grant.webClient() != null ? grant.webClient() : client();
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
      boolean ssl = "https".equals(uri.getScheme());
      if (address == null) {
        return client.request(method, port, uri.getHost(), target).ssl(ssl);
      }
      return client.request(method, SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)), port,
        uri.getHost(), target).ssl(ssl);
    }

    /** Whether a header sent to the integration's origin would give a secret away elsewhere. */
    private boolean carriesSecret(Map.Entry<String, String> header) {
      if (mask.isSecret(header.getKey())) {
        return true;
      }
      for (String secret : request.shown().secrets()) {
        if (!secret.isEmpty() && header.getValue().contains(secret)) {
          return true;
        }
      }
      return false;
    }

    /** Reasons quote network errors, scrubbed of what the request's shown form hides. */
    private UpstreamResponse fromFailure(Throwable cause) {
      ShownRequest shown = request.shown();
      if (cause instanceof EgressGuard.Blocked) {
        return UpstreamResponse.failure("440", shown.scrub(cause.getMessage()), attempts);
      }
      if (cause instanceof UpstreamClients.UnusableStatus) {
        return UpstreamResponse.failure("502", cause.getMessage(), attempts); // another attempt would get the same
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

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }
}
