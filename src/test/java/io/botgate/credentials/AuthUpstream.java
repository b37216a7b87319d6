package io.botgate.credentials;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OAuth 2.0 token endpoint and an API that checks credentials, on one loopback port. The token endpoint
 * ({@code POST /oauth/token}) counts its fetches, issues {@code tok-1}, {@code tok-2}... and can be made slow,
 * failing or expiring; the API answers 401 unless it gets the credential its path asks for.
 */
final class AuthUpstream extends VerticleBase {

  static final String CLIENT_ID = "botgate-client";
  static final String CLIENT_SECRET = "clientSecret8823";

  final AtomicInteger tokenFetches = new AtomicInteger();
  final AtomicInteger apiCalls = new AtomicInteger();
  /** Tokens the API accepts; revoking one makes the API answer 401 to it. */
  final Set<String> valid = ConcurrentHashMap.newKeySet();
  final List<JsonObject> seen = new CopyOnWriteArrayList<>();
  volatile int tokenStatus = 200;
  volatile String tokenBody;
  volatile long tokenDelayMs;
  volatile Number expiresIn = 3600L;
  volatile boolean refuseEveryToken;
  /** The token endpoint refuses every fetch 400 quoting the client secret it was sent as its {@code error}. */
  volatile boolean echoClientSecret;
  /** When set, the token endpoint refuses every fetch 400 with this as its {@code error}. */
  volatile String tokenError;
  /** What {@code /basic} and {@code /apikey} accept. */
  volatile String basic;
  volatile String apiKey;
  private HttpServer server;

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer();
    return server.requestHandler(this::handle).listen(0, "127.0.0.1");
  }

  int port() {
    return server.actualPort();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      JsonObject headers = new JsonObject();
      req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
      if (req.path().equals("/oauth/token")) {
        token(req, headers, body.toString());
        return;
      }
      apiCalls.incrementAndGet();
      seen.add(new JsonObject().put("path", req.path()).put("headers", headers));
      String auth = req.getHeader("Authorization");
      boolean ok = switch (req.path()) {
        case "/basic" -> basic != null && basic.equals(auth);
        case "/apikey" -> apiKey != null && apiKey.equals(req.getHeader("X-Partner-Key"));
        case "/bearer" -> !refuseEveryToken && auth != null && auth.startsWith("Bearer ")
          && valid.contains(auth.substring(7));
        default -> false;
      };
      req.response().setStatusCode(ok ? 200 : 401).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("ok", ok).put("path", req.path()).encode());
    });
  }

  private void token(HttpServerRequest req, JsonObject headers, String form) {
    int n = tokenFetches.incrementAndGet();
    String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET)
      .getBytes(StandardCharsets.UTF_8));
    vertx.setTimer(Math.max(1, tokenDelayMs), t -> {
      String error = echoClientSecret ? sentSecret(headers.getString("authorization")) : tokenError;
      if (error != null) {
        req.response().setStatusCode(400).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", error).encode());
        return;
      }
      if (tokenStatus != 200) {
        req.response().setStatusCode(tokenStatus).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "server_error").put("error_description", "echo " + form).encode());
        return;
      }
      if (!expected.equals(headers.getString("authorization")) || !form.startsWith("grant_type=client_credentials")) {
        req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "invalid_client").encode());
        return;
      }
      if (tokenBody != null) {
        req.response().putHeader("Content-Type", "application/json").end(tokenBody);
        return;
      }
      String token = "tok-" + n + "-a91f";
      valid.add(token);
      JsonObject answer = new JsonObject().put("access_token", token).put("token_type", "Bearer");
      if (expiresIn != null) {
        answer.put("expires_in", (Object) expiresIn);
      }
      req.response().putHeader("Content-Type", "application/json").end(answer.encode());
    });
  }

  /** The client secret of a Basic {@code id:secret}, as an endpoint that echoes it would read it. */
  private static String sentSecret(String authorization) {
    String pair = new String(Base64.getDecoder().decode(authorization.substring("Basic ".length())),
      StandardCharsets.UTF_8);
    return java.net.URLDecoder.decode(pair.substring(pair.indexOf(':') + 1), StandardCharsets.UTF_8);
  }

  void reset() {
    tokenFetches.set(0);
    apiCalls.set(0);
    valid.clear();
    seen.clear();
    tokenStatus = 200;
    tokenBody = null;
    tokenDelayMs = 0;
    expiresIn = 3600L;
    refuseEveryToken = false;
    echoClientSecret = false;
    tokenError = null;
  }
}
