package io.botgate.credentials;

import io.botgate.events.SecretMask;
import io.botgate.integration.BoundedBody;
import io.botgate.integration.CredentialGrant;
import io.botgate.integration.HeaderSyntax;
import io.botgate.integration.CredentialUnavailable;
import io.botgate.integration.EgressGuard;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpRequest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * OAuth 2.0 client-credentials grant (RFC 6749 4.4): a token fetched from {@code tokenUrl} with the client id
 * and secret, sent as {@code Authorization: Bearer <token>}. The token is kept until shortly before it expires
 * ({@code expires_in}); calls that need one while it is being fetched share that one fetch; after a 401 it is
 * fetched again, once for all the calls the same token was refused to.
 */
final class OAuth2Credential extends Credential {

  /** How long a token endpoint may take. */
  static final long TOKEN_TIMEOUT_MS = 10_000;
  /** A token is renewed this long before it expires, or a tenth of its lifetime when that is shorter. */
  static final long EARLY_RENEWAL_MS = 30_000;
  /** The largest token answer read. */
  static final int MAX_TOKEN_ANSWER_BYTES = 64 * 1024;
  /** The shortest value searched for inside a longer error code (as {@code KnownSecrets} searches free text). */
  private static final int MIN_SEARCHED = 4;

  private final SecretText tokenUrl;
  private final SecretText clientId;
  private final SecretText clientSecret;
  private final String scope;
  private final String clientAuth;
  /** The token in use; replaced whole. */
  private Token current;
  /** The fetch in progress, shared by every call that needs a token meanwhile. */
  private Future<Token> pending;

  OAuth2Credential(String name, JsonObject source, SecretText tokenUrl, SecretText clientId, SecretText clientSecret,
                   String scope, String clientAuth) {
    super(name, source);
    this.tokenUrl = tokenUrl;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.scope = scope;
    this.clientAuth = clientAuth;
  }

  /** A token, and when to fetch another. */
  /** A century: no token is renewed later than that, and its time in milliseconds cannot overflow. */
  private static final long MAX_LIFETIME_SECONDS = 100L * 365 * 24 * 3600;

  private record Token(String value, long renewAt) {
  }

  @Override
  public String type() {
    return "oauth2";
  }

  @Override
  Future<CredentialGrant> obtain(CredentialContext context) {
    return token(context).map(t -> grant(context, t));
  }

  @Override
  Future<CredentialGrant> renew(CredentialContext context, CredentialGrant refused) {
    synchronized (this) {
      if (current != null && refused.headers().stream().anyMatch(h -> h.getValue().equals(bearer(current.value())))) {
        current = null;
      }
    }
    return obtain(context);
  }

  private synchronized Future<Token> token(CredentialContext context) {
    Token t = current;
    if (t != null && context.clock().getAsLong() < t.renewAt()) {
      return Future.succeededFuture(t);
    }
    if (pending != null) {
      return pending;
    }
    Future<Token> fetch;
    try {
      fetch = fetch(context);
    } catch (CredentialUnavailable e) {
      return Future.failedFuture(e);
    }
    pending = fetch;
    fetch.onComplete(done -> {
      synchronized (this) {
        pending = null;
        if (done.succeeded()) {
          current = done.result();
        }
      }
    });
    return fetch;
  }

  private CredentialGrant grant(CredentialContext context, Token token) {
    String header = bearer(token.value());
    List<String> secrets = new ArrayList<>(List.of(header, token.value(), clientSecret.value(context.env())));
    secrets.add(clientId.value(context.env()));
    return new CredentialGrant(name(), List.of(Map.entry("Authorization", header)), secrets, null, null, true);
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  /** One request to the token endpoint, through the egress guard as any upstream call. */
  private Future<Token> fetch(CredentialContext context) {
    String url = tokenUrl.value(context.env());
    String id = clientId.value(context.env());
    String secret = clientSecret.value(context.env());
    URI uri;
    try {
      uri = new URI(url);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new URISyntaxException("?", "not an absolute http(s) URL");
      }
    } catch (URISyntaxException e) {
      return Future.failedFuture(unavailable("its tokenUrl is not an absolute http(s) URL"));
    }
    boolean ssl = "https".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String host = uri.getHost();
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
      + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    StringBuilder form = new StringBuilder("grant_type=client_credentials");
    if (scope != null && !scope.isBlank()) {
      form.append("&scope=").append(encode(scope));
    }
    if (clientAuth.equals("body")) {
      form.append("&client_id=").append(encode(id)).append("&client_secret=").append(encode(secret));
    }
    Future<InetAddress> target = (EgressGuard.isIpv4(host)
      ? context.guard().check(context.vertx(), host, port).map((InetAddress) null)
      : context.guard().resolve(context.vertx(), host, port))
      // the gateway's own port is open to its demo path only, as for an execution: never a POST to its API
      .compose(address -> {
        EgressGuard.Blocked toItself = context.guard().ownRefusal(host, address, port, uri.getRawPath());
        return toItself == null ? Future.succeededFuture(address) : Future.failedFuture(toItself);
      });
    long started = context.clock().getAsLong();
    return target.recover(e -> Future.failedFuture(unavailable("the token endpoint " + shown(uri) + " may not be "
        + "reached: " + detail(e, uri, context))))
      .compose(address -> {
        // Read up to its bound and cut there, and cut at the deadline: the request's timeout is an idle one, which an
        // endpoint sending on (an endless answer, a byte at a time) never meets, and the answer was read whole before
        // its size was checked, so an endless one filled the heap.
        BoundedBody body = new BoundedBody(MAX_TOKEN_ANSWER_BYTES);
        HttpRequest<Void> req = (address == null
          ? context.tokenClient().request(HttpMethod.POST, port, host, path)
          : context.tokenClient().request(HttpMethod.POST, SocketAddress.inetSocketAddress(new InetSocketAddress(address,
            port)), port, host, path)).as(body);
        req.ssl(ssl).timeout(TOKEN_TIMEOUT_MS).followRedirects(false)
          .putHeader("Accept", "application/json")
          .putHeader("Content-Type", "application/x-www-form-urlencoded");
        if (clientAuth.equals("basic")) {
          req.putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            (encode(id) + ":" + encode(secret)).getBytes(StandardCharsets.UTF_8)));
        }
        boolean[] late = new boolean[1];
        long deadline = context.vertx().setTimer(TOKEN_TIMEOUT_MS, t -> {
          late[0] = true;
          body.abort();
        });
        return req.sendBuffer(Buffer.buffer(form.toString()))
          .andThen(done -> context.vertx().cancelTimer(deadline))
          .transform(done -> {
            if (body.overflowed()) {
              return Future.failedFuture(unavailable("the token endpoint " + shown(uri) + " answered more than "
                + MAX_TOKEN_ANSWER_BYTES + " bytes"));
            }
            if (done.succeeded()) {
              return Future.succeededFuture(new Answer(done.result().statusCode(), body.collected()));
            }
            Throwable e = late[0] ? new TimeoutException() : done.cause();
            return Future.failedFuture(e instanceof CredentialUnavailable ? e
              : unavailable("the token endpoint " + shown(uri) + " could not be reached (" + detail(e, uri, context) + ")"));
          });
      })
      .compose(answer -> token(uri, answer, started, List.of(secret, id)));
  }

  /** The token endpoint's answer: its status and its body, read up to {@link #MAX_TOKEN_ANSWER_BYTES}. */
  private record Answer(int statusCode, Buffer body) {
  }

  /** @param sent the client's values the endpoint was sent, which its answer may echo: never quoted */
  private Future<Token> token(URI uri, Answer response, long started, List<String> sent) {
    Buffer body = response.body();
    if (response.statusCode() < 200 || response.statusCode() > 299) {
      String error = errorCode(body, sent);
      return Future.failedFuture(unavailable("the token endpoint " + shown(uri) + " answered " + response.statusCode()
        + (error == null ? "" : " (" + error + ")")));
    }
    JsonObject json;
    try {
      json = body == null ? null : new JsonObject(body);
    } catch (RuntimeException e) {
      json = null;
    }
    if (json == null || !(json.getValue("access_token") instanceof String token) || token.isBlank()) {
      return Future.failedFuture(unavailable("the token endpoint " + shown(uri) + " did not answer a JSON object "
        + "with an access_token"));
    }
    if (HeaderSyntax.controlAt(token) >= 0) { // never quoted: it is the token
      return Future.failedFuture(unavailable("the token endpoint " + shown(uri) + " answered an access_token "
        + "holding a control character, which no header may carry"));
    }
    Object expires = json.getValue("expires_in");
    // a lifetime past a century (some endpoints say "never" so, up to 1e300) is kept as one: its milliseconds
    // overflowed into a time long past, and every call fetched a token anew
    long seconds = expires instanceof Number n ? (n.doubleValue() >= MAX_LIFETIME_SECONDS ? MAX_LIFETIME_SECONDS
      : n.longValue()) : expires instanceof String s && s.matches("\\d{1,10}") ? Long.parseLong(s) : -1;
    long renewAt = seconds < 0 ? Long.MAX_VALUE
      : started + seconds * 1000 - Math.min(EARLY_RENEWAL_MS, seconds * 100);
    return Future.succeededFuture(new Token(token, renewAt));
  }

  /**
   * The OAuth error code of a refusal ({@code invalid_client}...), when it is one; never free text, and masked when
   * it echoes what the endpoint was sent ({@code sent}): a client secret of lower-case letters fits the pattern of a
   * code, and an endpoint that answered it as its {@code error} had it quoted in the reason bot authors see.
   */
  private static String errorCode(Buffer body, List<String> sent) {
    Object error;
    try {
      error = body == null ? null : new JsonObject(body).getValue("error");
    } catch (RuntimeException e) {
      return null;
    }
    if (!(error instanceof String code) || !code.matches("[a-z_]{1,40}")) {
      return null;
    }
    return echoes(code, sent) ? SecretMask.MASK : code;
  }

  /**
   * Whether a code quotes one of the values, or a part of one (the code's letters are a run of a longer secret),
   * compared regardless of case: a value shorter than {@link #MIN_SEARCHED} is only matched whole, or "invalid_client"
   * would be masked for a secret of "in".
   */
  static boolean echoes(String code, List<String> values) {
    for (String value : values) {
      String v = value.toLowerCase(Locale.ROOT);
      if (!v.isEmpty() && (v.contains(code) || v.length() >= MIN_SEARCHED && code.contains(v))) {
        return true;
      }
    }
    return false;
  }

  /** The endpoint as messages may show it: no user info, no query, and nothing when it came from the environment. */
  private String shown(URI uri) {
    if (tokenUrl.fromEnv()) {
      return "(from the environment)";
    }
    return SecretMask.withoutUserInfo(uri.getScheme() + "://" + uri.getRawAuthority()
      + (uri.getRawPath() == null ? "" : uri.getRawPath()));
  }

  /**
   * What went wrong, as a network error says it, never quoting it raw: the message may quote the request
   * target, whose query can hold a secret ({@code ?client_secret=...}), so the query is cut from it and the
   * client's values are scrubbed. Only the kind of error when the URL came from the environment, whose values
   * (the host too) are never shown.
   */
  private String detail(Throwable e, URI uri, CredentialContext context) {
    if (e instanceof TimeoutException) {
      return "no answer within " + TOKEN_TIMEOUT_MS + " ms";
    }
    if (tokenUrl.fromEnv() || e.getMessage() == null) {
      return e.getClass().getSimpleName();
    }
    String message = e.getMessage();
    for (String query : new String[] {uri.getRawQuery(), uri.getQuery()}) {
      if (query != null && !query.isEmpty()) {
        message = message.replace("?" + query, "").replace(query, SecretMask.MASK);
      }
    }
    for (SecretText secret : List.of(clientSecret, clientId)) {
      String value = secret.value(context.env());
      if (!value.isEmpty()) {
        message = message.replace(value, SecretMask.MASK).replace(encode(value), SecretMask.MASK);
      }
    }
    return message;
  }

  private CredentialUnavailable unavailable(String why) {
    return new CredentialUnavailable("credential '" + name() + "': " + why);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
