package io.botgate.proxy;

import io.botgate.GatewayError;
import io.botgate.LingeringClose;
import io.botgate.RequestChecks;
import io.botgate.events.SecretMask;
import io.botgate.integration.ContentCoding;
import io.botgate.integration.CredentialGrant;
import io.botgate.integration.CredentialUnavailable;
import io.botgate.integration.DotSegments;
import io.botgate.integration.EgressGuard;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.integration.IntegrationRegistry;
import io.botgate.integration.MockAnswer;
import io.botgate.integration.PassThrough;
import io.botgate.integration.UpstreamMode;
import io.botgate.integration.TemplateRejection;
import io.botgate.integration.UpstreamCredentials;
import io.botgate.session.RefusalEvents;
import io.botgate.session.SessionId;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.MediaType;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;

/**
 * botgate's work on a pass-through call, as a vertx-http-proxy interceptor: refuses what must not go
 * (no session, unknown integration, WebSocket, a fragment in the target, dot segments, too large), points the request at the
 * integration's URL, guards egress on the address actually connected to, enforces the deadline and the
 * streaming limits, optionally captures a JSON answer, and records the outcome as an execution's. A call refused
 * before it began is shown in its session's console as the API's refusals are ({@link RefusalEvents}); one that
 * began records its failure as its outcome.
 */
final class PassThroughInterceptor implements ProxyInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(PassThroughInterceptor.class);

  static final String CALL = "botgate.call";
  static final String PREFIX = "/proxy/";
  static final String SESSION_HEADER = "X-Botgate-Session";
  static final String TOKEN_HEADER = "X-Botgate-Token";
  /** Hop-by-hop headers of an answer (RFC 9110 7.6.1); vertx-http-proxy drops those of the request. */
  private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "proxy-authenticate",
    "proxy-connection", "te", "trailer", "upgrade");

  private final Vertx vertx;
  private final UpstreamCredentials credentials;
  private final IntegrationRegistry registry;
  private final IntegrationExecutor executor;
  private final EgressGuard guard;
  private final PassThroughOptions options;
  private final RefusalEvents refusals;
  private final byte[] token;
  /** Integration URLs parsed, by their text; at most {@link #MAX_BASES}. */
  private final Map<String, Base> bases = new ConcurrentHashMap<>();
  private static final int MAX_BASES = 1024;

  PassThroughInterceptor(Vertx vertx, IntegrationRegistry registry, IntegrationExecutor executor, EgressGuard guard,
                         PassThroughOptions options, String authToken, UpstreamCredentials credentials,
                         RefusalEvents refusals) {
    this.vertx = vertx;
    this.refusals = refusals;
    this.credentials = credentials;
    this.registry = registry;
    this.executor = executor;
    this.guard = guard;
    this.options = options;
    this.token = authToken == null || authToken.isBlank() ? null : authToken.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext ctx) {
    ProxyRequest request = ctx.request();
    HttpServerRequest in = request.proxiedRequest();
    String path = in.path();
    int slash = path.indexOf('/', PREFIX.length());
    String name = path.substring(PREFIX.length(), slash < 0 ? path.length() : slash);
    String rest = slash < 0 ? "" : path.substring(slash);
    GatewayError refused = refusal(in, name, rest);
    if (refused != null) {
      return refuse(request, refused, name);
    }
    IntegrationDefinition definition = registry.find(name).orElse(null);
    if (definition == null) {
      return answer(request, executor.unknownIntegration(in.getHeader(SESSION_HEADER), name));
    }
    long arrived = System.currentTimeMillis(); // the deadline covers opening the session (in a cluster, waited for)
    Future<PassThrough> began = executor.passThrough(in.getHeader(SESSION_HEADER), definition);
    if (began.isComplete()) { // on one node, always
      return began.succeeded() ? begun(ctx, definition, name, rest, began.result(), arrived)
        : notBegun(request, name, began.cause());
    }
    return began.transform(b -> b.succeeded() ? begun(ctx, definition, name, rest, b.result(), arrived)
      : notBegun(request, name, b.cause()));
  }

  /** Answers a call refused before it began, shown in its session's console if it is a refusal to show there. */
  private Future<ProxyResponse> refuse(ProxyRequest request, GatewayError refused, String name) {
    refusals.show(request.proxiedRequest().getHeader(SESSION_HEADER), refused,
      new JsonObject().put("integration", name.isEmpty() ? null : name));
    return answer(request, refused);
  }

  /** The call could not begin in its session: a new session past session.max is 503 sessions_full, as for an execution. */
  private Future<ProxyResponse> notBegun(ProxyRequest request, String name, Throwable cause) {
    HttpServerRequest in = request.proxiedRequest();
    if (cause instanceof GatewayError e) {
      LOG.atWarn().addKeyValue("code", e.code()).addKeyValue("status", e.httpStatus())
        .addKeyValue("method", in.method().name()).addKeyValue("path", in.path()).log("limit hit: {}", e.getMessage());
      return refuse(request, e, name);
    }
    PassThroughProxy.logFailure(in, cause);
    return answer(request, new GatewayError(500, "internal_error", "botgate failed to handle the request: "
      + cause.getMessage()));
  }

  /** Goes on with the call begun in its session ({@code record}): to the mock, the credential or the upstream. */
  private Future<ProxyResponse> begun(ProxyContext ctx, IntegrationDefinition definition, String name, String rest,
                                      PassThrough record, long arrived) {
    ProxyRequest request = ctx.request();
    HttpServerRequest in = request.proxiedRequest();
    ProxyCall call = new ProxyCall(definition, record, arrived);
    ctx.set(CALL, call);
    MultiMap headers = request.headers();
    // Proxy-Connection: old clients' Connection for a proxy, hop-by-hop as that is (vertx-http-proxy drops the rest)
    headers.remove(SESSION_HEADER).remove(TOKEN_HEADER).remove("Proxy-Connection");
    dropNamedInConnection(headers, in.getHeader("Connection"));
    if (executor.mode(definition) == UpstreamMode.MOCK) {
      return mocked(ctx, call, name, rest);
    }
    if (definition.credential() == null) {
      return forward(ctx, call, name, rest);
    }
    // The integration's credential goes into these headers before the start event masks and shows them,
    // and its TLS client certificate into origin()'s request. A token to fetch is waited for under the
    // call's deadline (timeoutMs covers the whole exchange, as for an execution), not the token endpoint's own.
    Future<CredentialGrant> obtaining = credentials.obtain(definition.credential());
    if (obtaining.isComplete()) { // a static credential, or a token held: nothing to wait for
      return withCredential(ctx, call, name, rest, obtaining);
    }
    Promise<ProxyResponse> answered = Promise.promise();
    Context context = vertx.getOrCreateContext(); // the request's: its deadline fires here, and the fetch is heard here
    call.deadline(vertx, call.remainingMs(), () -> {
      call.timedOut = true;
      answered.tryComplete(failResponse(call, request, deadlineFailure(call)));
    });
    obtaining.onComplete(obtained -> context.runOnContext(v -> {
      if (answered.future().isComplete()) {
        return; // the deadline came first: the caller has its 504, and nothing is sent
      }
      call.cancelDeadline();
      withCredential(ctx, call, name, rest, obtaining).onComplete(answered);
    }));
    return answered.future();
  }

  /** Goes on with the credential obtained (its headers in the request), or answers why it could not be. */
  private Future<ProxyResponse> withCredential(ProxyContext ctx, ProxyCall call, String name, String rest,
                                               Future<CredentialGrant> obtained) {
    if (obtained.failed()) {
      String reason = obtained.cause() instanceof CredentialUnavailable ? obtained.cause().getMessage()
        : "credential '" + call.definition.credential() + "' could not be obtained";
      return fail(call, ctx.request(), new ProxyCall.Failure(502, "credential_unavailable", "460", reason));
    }
    call.grant = obtained.result();
    call.grant.headers().forEach(h -> ctx.request().headers().set(h.getKey(), h.getValue()));
    return forward(ctx, call, name, rest);
  }

  /** The Host the call is sent with: the target's host, and its port unless the scheme's own. */
  private static String authority(ProxyCall call) {
    String host = hostInHeader(call);
    return call.port == (call.ssl ? 443 : 80) ? host : host + ":" + call.port;
  }

  /** The target's host as a Host header writes it: an IPv6 address in its brackets. */
  private static String hostInHeader(ProxyCall call) {
    return call.host.indexOf(':') >= 0 ? "[" + call.host + "]" : call.host;
  }

  /**
   * Mock mode: the integration's first matching mock answers, after its delay, and is recorded as an answer
   * from upstream would be; no network, no credential.
   */
  private Future<ProxyResponse> mocked(ProxyContext ctx, ProxyCall call, String name, String rest) {
    ProxyRequest request = ctx.request();
    String target;
    try {
      target = target(call, call.record.baseUrl(), rest, request.proxiedRequest().query());
    } catch (TemplateRejection | IllegalArgumentException e) {
      return fail(call, request, new ProxyCall.Failure(502, "invalid_target", "440", "integration '" + name
        + "' has no usable URL: " + e.getMessage()));
    }
    call.record.started(request.getMethod(), target, request.headers());
    MockAnswer mock = executor.mock(call.definition, request.getMethod(), target);
    if (mock == null) {
      return fail(call, request, new ProxyCall.Failure(502, "no_mock", "440", "mock mode: no mock of '" + name
        + "' matches " + request.getMethod() + " " + (rest.isEmpty() ? "/" : rest) + "; declare one in its \"mocks\""));
    }
    Promise<ProxyResponse> answer = Promise.promise();
    long left = call.remainingMs(); // the deadline counts from the call's arrival (opening its session included)
    vertx.setTimer(Math.max(1, Math.min(mock.delayMs(), left)), id -> {
      if (mock.delayMs() >= left) {
        answer.complete(failResponse(call, request, deadlineFailure(call)));
        return;
      }
      Buffer body = mock.bodyBuffer();
      String type = mock.headers().entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("Content-Type"))
        .map(Map.Entry::getValue).findFirst().orElse(null);
      ProxyResponse response = released(request).response().setStatusCode(mock.status());
      mock.headers().forEach((k, v) -> response.headers().set(k, v));
      response.setBody(Body.body(body, mediaType(type)));
      boolean capture = call.definition.capture() && isJson(type) && body.length() <= options.captureLimitBytes();
      call.recorded = true;
      call.record.answered(mock.status(), capture ? body : null).onComplete(done -> answer.complete(response));
    });
    return answer.future();
  }

  private static MediaType mediaType(String type) {
    try {
      return type == null ? MediaType.APPLICATION_OCTET_STREAM : MediaType.parse(type);
    } catch (IllegalArgumentException e) {
      return MediaType.APPLICATION_OCTET_STREAM;
    }
  }

  /** Points the request at the integration's URL, shows it on the console, and sends it. */
  private Future<ProxyResponse> forward(ProxyContext ctx, ProxyCall call, String name, String rest) {
    ProxyRequest request = ctx.request();
    HttpServerRequest in = request.proxiedRequest();
    MultiMap headers = request.headers();
    IntegrationDefinition definition = call.definition;
    String target;
    try {
      target = target(call, call.record.baseUrl(), rest, in.query());
    } catch (TemplateRejection | IllegalArgumentException e) {
      return fail(call, request, new ProxyCall.Failure(502, "invalid_target", "440", "integration '" + name
        + "' has no usable URL: " + e.getMessage()));
    }
    request.setURI(target.substring(target.indexOf('/', target.indexOf("//") + 2)));
    if (call.basic != null && !headers.contains(HttpHeaders.AUTHORIZATION)) {
      headers.set("Authorization", call.basic); // user info in the URL, as an execution sends it
    }
    String sentHost = authority(call);
    // read in order, not copied; the Host shown is the one sent (the target's, not the caller's)
    Iterable<Map.Entry<String, String>> shown = () -> new Iterator<>() {
      private final Iterator<Map.Entry<String, String>> each = headers.iterator();

      @Override
      public boolean hasNext() {
        return each.hasNext();
      }

      @Override
      public Map.Entry<String, String> next() {
        Map.Entry<String, String> h = each.next();
        return h.getKey().equalsIgnoreCase("Host") ? Map.entry(h.getKey(), sentHost) : h;
      }
    };
    if (call.grant != null) {
      call.record.credential(call.grant);
      Iterable<Map.Entry<String, String>> sent = shown;
      shown = StreamSupport.stream(sent.spliterator(), false)
        .map(h -> call.grant.headers().stream().anyMatch(g -> g.getKey().equalsIgnoreCase(h.getKey()))
        ? Map.entry(h.getKey(), SecretMask.MASK) : h).toList();
    }
    call.record.started(request.getMethod(), target, shown);
    if (executor.mode(definition) == UpstreamMode.RECORD) {
      call.recordedMethod = request.getMethod();
      call.recordedTarget = target;
    }
    Body body = request.getBody();
    if (body != null && body.length() > options.requestLimitBytes()) {
      return fail(call, request, tooLarge());
    }
    GatewayError malformed = RequestChecks.bodyRefusalOn(in.connection()); // came while a credential was fetched
    if (malformed != null) {
      return fail(call, request, malformedBody(malformed));
    }
    if (body != null && bodiless(in)) {
      // Nothing to stream: the proxy ends the upstream request with its head instead of piping an empty
      // body through (a pipe, a paused and resumed request, an end relayed: most calls are GETs).
      request.setBody(null);
    } else if (body != null) {
      call.requestBody = new MeteredBody(body.stream(), options.requestLimitBytes(), "proxy.request.limit.bytes", 0);
      request.setBody(Body.body(call.requestBody, body.length(), body.mediaType()));
    }
    Promise<ProxyResponse> head = Promise.promise();
    call.deadline(vertx, call.remainingMs(), () -> deadline(call, request, head));
    ctx.sendRequest().onComplete(sent -> {
      if (sent.succeeded()) {
        if (!head.tryComplete(sent.result())) {
          sent.result().release(); // the caller has had its 504 already
        }
      } else if (!head.future().isComplete()) {
        head.complete(failResponse(call, request, classify(call, request, sent.cause())));
      }
    });
    return head.future();
  }

  private GatewayError refusal(HttpServerRequest in, String name, String rest) {
    if (token != null && !tokenAccepted(in.getHeader(TOKEN_HEADER))) {
      return new GatewayError(401, "unauthorized", "this gateway requires '" + TOKEN_HEADER + ": <auth.token>' on "
        + "/proxy/ (the Authorization header is passed on to the upstream)");
    }
    if (in.canUpgradeToWebSocket() || "websocket".equalsIgnoreCase(in.getHeader("Upgrade"))) {
      return GatewayError.badRequest("websocket_not_supported", "the pass-through proxy does not carry WebSocket "
        + "upgrades; call the upstream's HTTP endpoints through it");
    }
    if (in.method() == HttpMethod.CONNECT) {
      // Forwarded, an upstream's 200 turned the call to upstream into a tunnel: the caller was sent the answer's head
      // and waited for a body that never came, and the call was recorded as a success
      return GatewayError.badRequest("connect_not_supported", "the pass-through proxy opens no tunnels: CONNECT is "
        + "not forwarded");
    }
    if (in.uri().indexOf('#') >= 0) {
      // No request target holds one (RFC 9112 3.2): forwarded, the fragment reached the upstream inside the path or
      // the query, which it would read as a path of that name; encoded, it would be sent on as data no one meant
      return GatewayError.badRequest("fragment_in_target", "the request target holds a raw '#': a URL's fragment stays "
        + "with the client and is never sent; send a '#' meant as data as %23");
    }
    if (name.isEmpty()) {
      return GatewayError.notFound("unknown_integration", "name the integration: /proxy/{integration}/{path}");
    }
    String session = in.getHeader(SESSION_HEADER);
    if (session == null || session.isBlank()) {
      return GatewayError.badRequest("missing_session", "send the conversation's session id in the "
        + SESSION_HEADER + " header");
    }
    String invalid = SessionId.problem(session);
    if (invalid != null) {
      return GatewayError.badRequest("invalid_session", invalid);
    }
    if (hasDotSegment(rest)) {
      return GatewayError.badRequest("invalid_path", "'.' and '..' segments may not leave the integration's URL");
    }
    return null;
  }

  /** Whether a segment of the path is '.' or '..', also percent-encoded once or twice, as a template refuses. */
  static boolean hasDotSegment(String path) {
    for (int start = 0; start <= path.length(); ) {
      int end = path.indexOf('/', start);
      end = end < 0 ? path.length() : end;
      if (DotSegments.isDotSegment(path, start, end)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  private boolean tokenAccepted(String given) {
    return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
  }

  /** The absolute URL called: the integration's URL, the rest of the caller's path, both queries. */
  private String target(ProxyCall call, String base, String rest, String query) {
    rest = escapeRaw(rest);
    query = query == null ? null : escapeRaw(query);
    Base parsed = bases.get(base);
    if (parsed == null) {
      parsed = Base.parse(base);
      if (bases.size() >= MAX_BASES) {
        bases.clear(); // URLs rendered from values may differ per call: keep the recent ones only
      }
      bases.put(base, parsed);
    }
    call.ssl = parsed.ssl();
    call.host = parsed.host();
    call.port = parsed.port();
    call.basic = parsed.basic();
    String basePath = parsed.path();
    StringBuilder url = new StringBuilder(base.length() + rest.length() + 32).append(parsed.origin());
    if (basePath.endsWith("/") && rest.startsWith("/")) {
      url.append(basePath, 0, basePath.length() - 1).append(rest);
    } else if (basePath.isEmpty() && rest.isEmpty()) {
      url.append('/');
    } else {
      url.append(basePath).append(rest);
    }
    String baseQuery = parsed.query();
    if (baseQuery != null || query != null) {
      url.append('?');
      if (baseQuery == null) {
        url.append(query);
      } else if (query == null) {
        url.append(baseQuery);
      } else {
        url.append(baseQuery).append('&').append(query);
      }
    }
    return url.toString();
  }

  /**
   * {@code text} with the characters a request target may not hold as they are (controls, DEL, and past ASCII:
   * RFC 3986 2.1, RFC 9112 3.2) percent-encoded. The server reads a request line byte by byte, one character each,
   * so each is one byte the caller sent: encoded, the upstream gets those bytes, where the client, writing the target
   * as UTF-8, turned a raw é (two bytes) into four others, and passed a NUL on raw into the upstream's request line.
   */
  static String escapeRaw(String text) {
    int i = 0;
    while (i < text.length() && !raw(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder escaped = new StringBuilder(text.length() + 16).append(text, 0, i);
    while (i < text.length()) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (c > 0xFF) { // not read from an HTTP/1 request line: its UTF-8
        for (byte b : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
          percent(escaped, b & 0xFF);
        }
      } else if (raw((char) c)) {
        percent(escaped, c);
      } else {
        escaped.append((char) c);
      }
    }
    return escaped.toString();
  }

  private static void percent(StringBuilder to, int octet) {
    to.append('%').append(Character.toUpperCase(Character.forDigit(octet >> 4, 16)))
      .append(Character.toUpperCase(Character.forDigit(octet & 0xF, 16)));
  }

  private static boolean raw(char c) {
    return c < 0x21 || c >= 0x7F;
  }

  /**
   * An integration's URL as the calls to it need it, parsed once ({@code URI.create} on every call was a
   * share of a pass-through call's allocation): scheme and authority, host without brackets, port, raw path
   * and query.
   */
  private record Base(String origin, boolean ssl, String host, int port, String path, String query, String basic) {
    static Base parse(String base) {
      URI uri = URI.create(base);
      String scheme = uri.getScheme();
      if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
        throw new IllegalArgumentException("'" + base + "' is not an absolute http(s) URL");
      }
      boolean ssl = "https".equals(scheme);
      String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
        : uri.getHost();
      return new Base(scheme + "://" + uri.getRawAuthority(), ssl, host, uri.getPort() > 0 ? uri.getPort()
        : ssl ? 443 : 80, uri.getRawPath() == null ? "" : uri.getRawPath(), uri.getRawQuery(),
        uri.getRawUserInfo() == null ? null : CredentialGrant.basicOf(uri.getUserInfo()));
    }
  }

  /** Creates the request to the upstream, checking the address the connection actually reached. */
  Future<HttpClientRequest> origin(ProxyContext ctx) {
    ProxyCall call = ctx.get(CALL, ProxyCall.class);
    Future<Void> checked = guard.check(vertx, call.host, call.port);
    // A listed host or an address literal is decided at once (most calls): no futures chained for it.
    Future<HttpClientRequest> requested = checked.succeeded() ? request(ctx, call) : checked
      .recover(e -> Future.failedFuture(e instanceof EgressGuard.Blocked ? new ProxyCall.Refused(
        new ProxyCall.Failure(403, "egress_blocked", "440", e.getMessage())) : e))
      .compose(ok -> request(ctx, call));
    return requested.compose(upstream -> {
      // A failure of this request fails its answer too, which the call records and answers with the reason, or
      // is ours (a close or reset below, nothing sent); without a handler of its own Vert.x would also log it as an
      // ERROR, as "Stream reset: 0" when the proxy resets it after the caller's body passed proxy.request.limit.bytes.
      upstream.exceptionHandler(reported -> { });
      if (call.timedOut) {
        upstream.reset();
        return Future.failedFuture(new ProxyCall.Refused(deadlineFailure(call)));
      }
      SocketAddress remote = upstream.connection().remoteAddress();
      EgressGuard.Blocked toItself = ownRefusal(remote, ctx.request().getURI());
      if (toItself != null) {
        upstream.connection().close();
        return Future.failedFuture(new ProxyCall.Refused(new ProxyCall.Failure(403, "egress_blocked", "440",
          toItself.getMessage())));
      }
      if (!guard.listed(call.host, call.port) && !connectedAllowed(remote)) {
        upstream.connection().close(); // the name resolved elsewhere after the check (DNS rebinding)
        return Future.failedFuture(new ProxyCall.Refused(new ProxyCall.Failure(403, "egress_blocked", "440",
          "egress to " + call.host + " (" + (remote == null ? "unknown address" : remote.hostAddress())
            + ") is blocked: the address connected to is not public; list it in egress.allow to permit it")));
      }
      if (call.host.indexOf(':') >= 0) { // Vert.x writes the Host of an IPv6 address without its brackets
        upstream.authority(HostAndPort.create(hostInHeader(call), call.port));
      }
      call.upstream = upstream;
      return Future.succeededFuture(upstream);
    });
  }

  private static Future<HttpClientRequest> request(ProxyContext ctx, ProxyCall call) {
    return (call.grant != null && call.grant.httpClient() != null ? call.grant.httpClient() : ctx.client())
      .request(new RequestOptions().setHost(call.host).setPort(call.port).setSsl(call.ssl));
  }

  /** The guard's refusal of a call that reached the gateway itself outside its demo path, judged by the address connected to. */
  private EgressGuard.Blocked ownRefusal(SocketAddress remote, String uri) {
    if (remote == null || remote.hostAddress() == null) {
      return null;
    }
    int query = uri.indexOf('?');
    return guard.ownRefusal(remote.hostAddress(), null, remote.port(), query < 0 ? uri : uri.substring(0, query));
  }


  private boolean connectedAllowed(SocketAddress remote) {
    if (remote == null || remote.hostAddress() == null) {
      return false;
    }
    try {
      return guard.allows(InetAddress.getByName(remote.hostAddress()), remote.port());
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Resets a call to upstream whose answer is refused before it is passed on. The answer is told to expect it:
   * without a handler of its own, Vert.x logs the reset as an ERROR ("Stream reset: 0") though the proxy meant it
   * and says why. (Not for an answer being piped: the pipe's handler is what fails the caller's answer then.)
   */
  private static void cut(HttpClientRequest upstream) {
    Future<io.vertx.core.http.HttpClientResponse> answer = upstream.response();
    if (answer.succeeded()) {
      answer.result().exceptionHandler(expected -> { });
    }
    upstream.reset();
  }

  /** The deadline passed: before the answer's head, the caller gets a 504; after, the stream is cut. */
  private void deadline(ProxyCall call, ProxyRequest request, Promise<ProxyResponse> head) {
    call.timedOut = true;
    if (call.upstream != null) {
      call.upstream.reset(); // an answer streaming: its pipe's handler learns of the reset, and fails the caller's
    }
    if (!head.future().isComplete()) {
      head.complete(failResponse(call, request, deadlineFailure(call)));
    }
  }

  private static ProxyCall.Failure deadlineFailure(ProxyCall call) {
    return new ProxyCall.Failure(504, "upstream_timeout", "504", call.deadlineReason());
  }

  private static ProxyCall.Failure malformedBody(GatewayError refusal) {
    return new ProxyCall.Failure(400, refusal.code(), "440", refusal.getMessage());
  }

  private ProxyCall.Failure tooLarge() {
    return new ProxyCall.Failure(413, "payload_too_large", "440", "the request body is larger than "
      + "proxy.request.limit.bytes (" + options.requestLimitBytes() + " bytes)");
  }

  private ProxyCall.Failure classify(ProxyCall call, ProxyRequest request, Throwable cause) {
    if (cause instanceof ProxyCall.Refused refused) {
      return refused.failure;
    }
    if (call.timedOut) {
      return deadlineFailure(call);
    }
    if (call.requestBody != null && call.requestBody.overflowed()) {
      return tooLarge();
    }
    GatewayError malformed = RequestChecks.bodyRefusalOn(request.proxiedRequest().connection());
    if (malformed != null) {
      return malformedBody(malformed);
    }
    if (request.proxiedRequest().response().closed()) {
      return callerGone("before upstream answered");
    }
    String message = cause instanceof UnknownHostException ? "DNS lookup failed for " + cause.getMessage()
      : "transport failure: " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
    return new ProxyCall.Failure(502, "upstream_unreachable", "502", message);
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext ctx) {
    ProxyCall call = ctx.get(CALL, ProxyCall.class);
    if (call == null || call.recorded) {
      return answerRefusal(ctx);
    }
    ProxyResponse response = ctx.response();
    int status = response.getStatusCode();
    if (status < 200 || status > 599) {
      // A 101 the caller never asked for (its Upgrade is not passed on), or an interim answer UpstreamFraming did not
      // drop: no final answer to pass on (the caller would wait for one), and the connection is closed rather than
      // pooled, since whatever the upstream sends next on it is not an answer to the next call. A number past 599
      // (Netty reads "2000" as a status) is no HTTP status at all, and its peer is not trusted with the next call.
      call.upstream.connection().close();
      ProxyCall.Failure failure = new ProxyCall.Failure(502, "upstream_broken", "502", "the upstream answered "
        + status + (status >= 100 && status < 200 ? ", an interim status, and no final answer could follow it"
          : ", which is not an HTTP status (100-599)"));
      record(call, failure);
      response.release().setStatusCode(502).setStatusMessage("Bad Gateway").setBody(json(call, failure));
      return ctx.sendResponse();
    }
    if (status == 401 && call.grant != null && call.grant.renewable()) {
      // The body streamed and cannot be sent again: the next call gets a token fetched anew.
      credentials.renew(call.definition.credential(), call.grant);
    }
    MultiMap headers = response.headers();
    call.contentEncoding = headers.get(HttpHeaders.CONTENT_ENCODING);
    dropNamedInConnection(headers, headers.get("Connection"));
    HOP_BY_HOP.forEach(headers::remove);
    if (call.recording()) {
      call.recordedHeaders = MultiMap.caseInsensitiveMultiMap().addAll(headers);
    }
    Body body = response.getBody();
    // A 204, a 304 or the answer to a HEAD has no body to pass on, whatever its head says: the proxy ends it
    // without waiting for the upstream's (empty) body, so it is recorded first, as one without a body.
    if (body == null || status == 204 || status == 304 || ctx.request().getMethod() == HttpMethod.HEAD) {
      // Recorded before the caller has the answer, as below: its next request reads this result.
      return answered(call, status, null).transform(recorded -> ctx.sendResponse());
    }
    if (!headers.contains(HttpHeaders.CONTENT_ENCODING)
      && ctx.request().proxiedRequest().headers().contains(HttpHeaders.ACCEPT_ENCODING)) {
      // The server gzips answers for callers that accept it. One passed through goes as the upstream sent it:
      // "identity" keeps the server's compressor off, and Vert.x drops the header before sending.
      headers.set(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
    }
    if (body.length() > options.responseLimitBytes()) {
      cut(call.upstream);
      ProxyCall.Failure failure = new ProxyCall.Failure(502, "upstream_too_large", "502", "the upstream's answer "
        + "is larger than proxy.response.limit.bytes (" + options.responseLimitBytes() + " bytes)");
      record(call, failure);
      response.release().setStatusCode(502).setStatusMessage("Bad Gateway").setBody(json(call, failure));
      return ctx.sendResponse();
    }
    call.capture = call.definition.capture() && isJson(body.mediaType());
    if (call.capture && body.length() > options.captureLimitBytes()) {
      call.capture = false;
      call.record.warning(notCaptured());
    }
    if (call.recording() && body.length() > options.captureLimitBytes()) {
      call.recordedTarget = null;
      call.record.warning(notRecorded());
    }
    // the copy capture and record mode keep, up to what an execution reads of an answer
    long copied = call.capture || call.recording() ? options.captureLimitBytes() : 0;
    // An HTTP/1.0 caller cannot read an answer of unknown length as it streams: vertx-http-proxy holds it whole to
    // give it a Content-Length, so it is held to upstream.limit.bytes (four such callers of a 90 MB answer ran a
    // 300 MB heap out at proxy.response.limit.bytes)
    boolean heldWhole = body.length() < 0 && ctx.request().proxiedRequest().version() == HttpVersion.HTTP_1_0;
    MeteredBody answer = heldWhole
      ? new MeteredBody(body.stream(), Math.min(options.responseLimitBytes(), options.captureLimitBytes()),
        "upstream.limit.bytes, what an answer of unknown length may be for an HTTP/1.0 caller (call with HTTP/1.1 to "
          + "have it streamed)", copied)
      : new MeteredBody(body.stream(), options.responseLimitBytes(), "proxy.response.limit.bytes", copied);
    // Recorded before the caller sees the answer end: its next request reads this result.
    answer.beforeEnd(body.length(), () -> answered(call, status, answer));
    answer.beforeFailure(cause -> answerInstead(call, ctx.request(), cause));
    response.setBody(Body.body(answer, body.length(), body.mediaType()));
    return ctx.sendResponse().andThen(done -> cut(call, ctx.request(), answer, done.cause()));
  }

  /**
   * Sends botgate's own answer. A caller still sending its body (a refused upload) loses the connection
   * after it: the rest of that body is dropped as it comes (a client may wait for the answer until it has
   * written everything) and the connection ends in order, so the client reads the answer, not a reset.
   */
  private static Future<Void> answerRefusal(ProxyContext ctx) {
    HttpServerRequest in = ctx.request().proxiedRequest();
    String length = in.getHeader("Content-Length");
    boolean unread = !in.isEnded() && (in.getHeader("Transfer-Encoding") != null
      || (length != null && !length.equals("0")));
    if (!unread) {
      return ctx.sendResponse();
    }
    ctx.response().putHeader("Connection", "close");
    return ctx.sendResponse().andThen(sent -> LingeringClose.afterAnswer(in.connection()));
  }

  private Future<?> answered(ProxyCall call, int status, MeteredBody body) {
    call.cancelDeadline();
    if (call.recorded) {
      return Future.succeededFuture();
    }
    call.recorded = true;
    if (body != null && body.captureDropped()) {
      if (call.capture) {
        call.record.warning(notCaptured());
      }
      if (call.recording()) {
        call.record.warning(notRecorded());
      }
    }
    Buffer copy = body == null ? null : body.captured();
    if (!call.recording() && (copy == null || call.contentEncoding == null)) { // the usual call: no future more
      return call.record.answered(status, copy);
    }
    Future<Buffer> read = copy == null || call.contentEncoding == null ? Future.succeededFuture(copy)
      : decoded(call, copy);
    return read.compose(decoded -> keptAsMock(call, status, body, decoded))
      .compose(decoded -> call.record.answered(status, call.capture ? decoded : null));
  }

  /**
   * Record mode: keeps the answer as a mock before the caller sees it end, as an execution's is kept before it is
   * answered; mock mode then answers the same request with it. An answer whose copy was dropped (larger than
   * upstream.limit.bytes) or could not be decoded is not kept: a warning said so.
   */
  private Future<Buffer> keptAsMock(ProxyCall call, int status, MeteredBody body, Buffer decoded) {
    if (!call.recording() || (body != null && decoded == null)) {
      return Future.succeededFuture(decoded);
    }
    return call.record.keepAsMock(call.recordedMethod, call.recordedTarget, status, call.recordedHeaders, decoded)
      .map(decoded);
  }

  /**
   * A captured answer the upstream compressed, as the integration reads it: decoded ({@link ContentCoding}), up to
   * what capture keeps; passed on as it came all the same. Kept compressed, it was stored as garbled text in
   * {@code api_<rdv>} and mapped to empty fields, on a call recorded as a success.
   */
  private Future<Buffer> decoded(ProxyCall call, Buffer captured) {
    String coding = call.contentEncoding;
    if (!ContentCoding.decodes(coding)) {
      call.record.warning("the answer was passed on but not " + kept(call) + ": its Content-Encoding, " + coding
        + ", is not one botgate decodes (gzip and deflate)");
      return Future.succeededFuture();
    }
    // a large one is decoded off the event loop, as an execution's answer is
    return executor.decoded(coding, captured, options.captureLimitBytes()).otherwise(failure -> {
      if (failure instanceof ContentCoding.TooLarge) {
        call.record.warning("the answer was passed on but not " + kept(call) + ": it is larger than upstream.limit.bytes ("
          + options.captureLimitBytes() + " bytes) once decoded from its Content-Encoding " + coding);
      } else {
        call.record.warning("the answer was passed on but not " + kept(call) + ": its Content-Encoding is " + coding
          + ", but "
          + failure.getMessage());
      }
      return null;
    });
  }

  /**
   * The caller closed its connection, and the proxy then reset the call to upstream: no fault of upstream's,
   * but no answer either ("502", as a reset is, with a reason that says whose).
   */
  private static ProxyCall.Failure callerGone(String when) {
    return new ProxyCall.Failure(502, "caller_gone", "502", "the caller closed its connection " + when
      + "; the call to upstream was cut short");
  }

  /**
   * The upstream's answer broke off (a reset, a close, a body that is not HTTP) before its head went to the caller
   * (it goes with the first bytes of the body): the caller is answered with why, as when no head came at all,
   * instead of a connection closed with no answer. Written before the proxy hears of the failure: its reset of a
   * response already written does nothing.
   */
  private void answerInstead(ProxyCall call, ProxyRequest request, Throwable cause) {
    HttpServerResponse out = request.proxiedRequest().response();
    if (out.headWritten() || out.ended() || out.closed()) {
      return;
    }
    ProxyCall.Failure failure = call.timedOut ? deadlineFailure(call)
      : cause instanceof MeteredBody.TooLarge ? new ProxyCall.Failure(502, "upstream_too_large", "502",
        "the upstream's answer is too large: " + cause.getMessage())
      : new ProxyCall.Failure(502, "upstream_broken", "502", "the answer broke off before any of it was passed on: "
        + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
    record(call, failure);
    out.headers().clear();
    out.setStatusCode(failure.httpStatus()).setStatusMessage(HttpResponseStatus.valueOf(failure.httpStatus())
      .reasonPhrase());
    GatewayError.jsonHead(out.headers());
    out.end(new GatewayError(failure.httpStatus(), failure.code(), call.record.shown(failure.reason())).toJson()
      .toBuffer());
  }

  /** Records why an answer whose head went to the caller did not arrive whole, if it did not. */
  private void cut(ProxyCall call, ProxyRequest request, MeteredBody body, Throwable failure) {
    if (call.timedOut) {
      record(call, deadlineFailure(call));
    } else if (body != null && body.overflowed()) {
      record(call, new ProxyCall.Failure(502, "upstream_too_large", "502", "the upstream's answer grew past "
        + "proxy.response.limit.bytes (" + options.responseLimitBytes() + " bytes); the caller's connection was cut"));
    } else if (failure != null && !body.ended() && request.proxiedRequest().response().closed()) {
      record(call, callerGone("while the answer streamed"));
    } else if (failure != null && !body.ended()) {
      record(call, new ProxyCall.Failure(502, "upstream_broken", "502", "the answer was cut after its head: "
        + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage())));
    }
  }

  /** What a call keeps of its answer, for the warnings that say it was not kept. */
  private static String kept(ProxyCall call) {
    return call.capture && call.recording() ? "captured or recorded" : call.capture ? "captured" : "recorded";
  }

  private String notRecorded() {
    return "the answer was passed on but not recorded as a mock: it is larger than upstream.limit.bytes ("
      + options.captureLimitBytes() + " bytes)";
  }

  private String notCaptured() {
    return "the answer was passed on but not captured: it is larger than upstream.limit.bytes ("
      + options.captureLimitBytes() + " bytes)";
  }

  private static boolean isJson(String mediaType) {
    return mediaType != null && mediaType.toLowerCase(Locale.ROOT).contains("json");
  }

  private Future<?> record(ProxyCall call, ProxyCall.Failure failure) {
    call.cancelDeadline();
    if (call.recorded) {
      return Future.succeededFuture();
    }
    call.recorded = true;
    return call.record.failed(failure.statusCode(), failure.reason());
  }

  /** Records the failure, then answers the caller with it, nothing having been sent back yet. */
  private Future<ProxyResponse> fail(ProxyCall call, ProxyRequest request, ProxyCall.Failure failure) {
    return record(call, failure).transform(recorded -> Future.succeededFuture(released(request).response()
      .setStatusCode(failure.httpStatus()).setBody(json(call, failure))));
  }

  private ProxyResponse failResponse(ProxyCall call, ProxyRequest request, ProxyCall.Failure failure) {
    record(call, failure);
    return released(request).response().setStatusCode(failure.httpStatus()).setBody(json(call, failure));
  }

  /**
   * The request released for an answer of the proxy's own: {@link ProxyRequest#release()} resumes the body
   * it streams, which a bodiless request no longer has.
   */
  private static ProxyRequest released(ProxyRequest request) {
    if (request.getBody() == null) {
      request.headers().clear();
      return request;
    }
    return request.release();
  }

  /**
   * Whether an HTTP/1.x request carries no body: neither Content-Length (other than 0) nor
   * Transfer-Encoding (RFC 9112 6.3). An HTTP/2 request may have one without either.
   */
  static boolean bodiless(HttpServerRequest in) {
    if (in.version() == HttpVersion.HTTP_2) {
      return false;
    }
    String length = in.getHeader(HttpHeaders.CONTENT_LENGTH);
    return in.getHeader(HttpHeaders.TRANSFER_ENCODING) == null && (length == null || length.equals("0"));
  }

  /**
   * The caller's answer to a failed call. Its reason may quote what a token endpoint or the upstream sent (a
   * network error's text, an OAuth error code): scrubbed as the call's events are, of every secret botgate knows.
   */
  private static Body json(ProxyCall call, ProxyCall.Failure failure) {
    return errorBody(new GatewayError(failure.httpStatus(), failure.code(), call.record.shown(failure.reason())));
  }

  private static Future<ProxyResponse> answer(ProxyRequest request, GatewayError error) {
    ProxyResponse refusal = released(request).response().setStatusCode(error.httpStatus()).setBody(errorBody(error));
    GatewayError.jsonHead(refusal.headers()); // the gateway's own answer, not the upstream's: headed as the API's
    return Future.succeededFuture(refusal);
  }

  private static Body errorBody(GatewayError error) {
    Buffer json = error.toJson().toBuffer();
    return Body.body(json, MediaType.APPLICATION_JSON);
  }

  /** Removes the headers a {@code Connection} header names: they were meant for this hop only. */
  private static void dropNamedInConnection(MultiMap headers, String connection) {
    if (connection == null) {
      return;
    }
    for (String name : connection.split(",")) {
      String n = name.trim();
      if (!n.isEmpty() && !n.equalsIgnoreCase("close") && !n.equalsIgnoreCase("keep-alive")) {
        headers.remove(n);
      }
    }
  }
}
