package io.botgate;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real upstream on a loopback port that misbehaves on request: fixed statuses, hangs, slow drips,
 * connection resets, invalid JSON, huge bodies, flaky answers, request bodies left unread until the test says
 * ({@code /unread}), redirects ({@code /redirect/307?to=...}, a
 * {@code /loop} to itself), answers held until the test releases them ({@code /held}), JSON nested {@code /nested/<levels>} deep and an API that takes one bearer token ({@code /bearer/<token>}). It counts the hits per path and
 * records every request as it arrived.
 */
public final class StubUpstream extends VerticleBase {

  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  /** Every request as received, in order. */
  public final List<Received> received = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer();
    return server.requestHandler(this::handle).listen(0, "127.0.0.1");
  }

  public int port() {
    return server.actualPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  public int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  /** A request as it arrived: raw URI (path not normalised), headers with lower-case names, body. */
  public record Received(String method, String uri, JsonObject headers, String body) {
  }

  private void handle(HttpServerRequest req) {
    int hit = hits.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
    if (req.path().startsWith("/pipe")) {
      pipe(req);
      return;
    }
    if (req.path().startsWith("/unread")) {
      req.pause(); // its body left unread until the test lets it be read
      unread.add(req);
      return;
    }
    req.body().onSuccess(body -> {
      received.add(new Received(req.method().name(), req.uri(), headers(req), body.toString()));
      route(req, body, hit);
    });
  }

  private void route(HttpServerRequest req, Buffer body, int hit) {
    String[] parts = req.path().split("/");
    String kind = parts.length > 1 ? parts[1] : "";
    switch (kind) {
      case "status" -> json(req, Integer.parseInt(parts[2]), new JsonObject().put("status", parts[2])
        .put("results", new JsonArray().add(new JsonObject().put("title", "only one"))));
      case "faq" -> json(req, 200, faq(req.getParam("q")));
      case "array" -> json(req, 200, new JsonArray().add(new JsonObject().put("title", "x"))
        .add(new JsonObject().put("title", "y")));
      case "echo" -> json(echoing(req), 200, new JsonObject().put("method", req.method().name()).put("uri", req.uri())
        .put("path", req.path()).put("query", req.query())
        .put("headers", headers(req)).put("body", body.toString()));
      case "hang" -> req.connection().closeHandler(v -> hangsClosed.incrementAndGet());
      case "held" -> held.add(req);
      case "slow" -> vertx.setTimer(Long.parseLong(parts[2]), t -> json(req, 200, faq("slow")));
      case "empty" -> req.response().setStatusCode(Integer.parseInt(parts[2])).end();
      case "octets" -> req.response().putHeader("Content-Type", "application/octet-stream")
        .end(octets(Integer.parseInt(parts[2]) * 1024));
      case "drip" -> drip(req);
      case "reset" -> req.connection().close();
      case "invalid" -> req.response().setStatusCode(200).putHeader("Content-Type", "application/json")
        .end("{\"results\": [oops");
      case "unquoted" -> req.response().setStatusCode(200).putHeader("Content-Type", "application/json")
        .end("{\"got\": " + req.getHeader("X-Unquoted") + "}"); // the header's value as a bare token: not JSON
      case "html404" -> req.response().setStatusCode(404).putHeader("Content-Type", "text/html")
        .end("<html><body>Not here</body></html>");
      case "huge" -> huge(req, Integer.parseInt(parts[2]));
      case "many" -> json(req, 200, many(Integer.parseInt(parts[2])));
      case "nested" -> { // {"a": [[...]]}, the array nested n levels deep
        int n = Integer.parseInt(parts[2]);
        req.response().putHeader("Content-Type", "application/json").end("{\"a\":" + "[".repeat(n) + "]".repeat(n) + "}");
      }
      case "big" -> json(req, 200, new JsonObject().put("items", new JsonArray()
        .add(new JsonObject().put("title", "x".repeat(Integer.parseInt(parts[2]) * 1024)))));
      case "flaky" -> {
        int failures = Integer.parseInt(parts[2]);
        if (hit <= failures) {
          json(req, 503, new JsonObject().put("error", "try again"));
        } else {
          json(req, 200, new JsonObject().put("results", new JsonArray().add(new JsonObject().put("title", "ok"))));
        }
      }
      case "record" -> json(req, req.getParam("status") == null ? 200 : Integer.parseInt(req.getParam("status")),
        new JsonObject().put("ok", true));
      case "redirect" -> redirect(req, parts.length > 2 ? Integer.parseInt(parts[2]) : 302, req.getParam("to"));
      case "loop" -> redirect(req, 302, req.uri());
      case "bearer" -> {
        if (("Bearer " + parts[2]).equals(req.getHeader("Authorization"))) {
          if (req.getParam("then") != null) {
            redirect(req, 302, req.getParam("then"));
          } else {
            json(req, 200, new JsonObject().put("bearer", "accepted"));
          }
        } else {
          json(req, 401, new JsonObject().put("error", "invalid_token"));
        }
      }
      default -> json(req, 404, new JsonObject().put("error", "no route " + req.path()));
    }
  }

  /** A redirect with this status, to {@code location} (none when null). */
  private static void redirect(HttpServerRequest req, int status, String location) {
    req.response().setStatusCode(status);
    if (location != null) {
      req.response().putHeader("Location", location);
    }
    req.response().end();
  }

  /** Requests to /unread whose bodies have not been read yet. */
  public int unread() {
    return unread.size();
  }

  /** Reads the bodies of the requests to /unread and answers each with their length ({@code {"bytes": n}}). */
  public void readUnread() {
    context.runOnContext(go -> {
      for (HttpServerRequest req : unread) {
        unread.remove(req);
        long[] bytes = {0};
        req.handler(b -> bytes[0] += b.length()).endHandler(v -> json(req, 200, new JsonObject().put("bytes", bytes[0])));
        req.resume();
      }
    });
  }

  private final List<HttpServerRequest> unread = new CopyOnWriteArrayList<>();

  /** Requests to /held not answered yet. */
  public int held() {
    return held.size();
  }

  /** Answers every request held at /held (200, JSON): a call that ends exactly when the test says so. */
  public void releaseHeld() {
    for (HttpServerRequest req : held) {
      held.remove(req);
      json(req, 200, new JsonObject().put("released", true));
    }
  }

  private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();

  /** How many connections held open by /hang the client has closed: whether it hung up at its deadline. */
  public int hangsClosed() {
    return hangsClosed.get();
  }

  private final AtomicInteger hangsClosed = new AtomicInteger();

  private static HttpServerRequest echoing(HttpServerRequest req) {
    req.response().putHeader("X-Upstream", "echo");
    return req;
  }

  /** Every byte value in turn, {@code length} bytes. */
  public static Buffer octets(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) i;
    }
    return Buffer.buffer(bytes);
  }

  /** Streams the request body back as it arrives, saying how the request body was framed. */
  private static void pipe(HttpServerRequest req) {
    String type = req.getHeader("Content-Type");
    req.response().setChunked(true).putHeader("Content-Type", type == null ? "application/octet-stream" : type)
      .putHeader("X-Request-Transfer-Encoding", String.valueOf(req.getHeader("Transfer-Encoding")));
    req.pipeTo(req.response());
  }

  private static JsonObject faq(String q) {
    JsonArray results = new JsonArray();
    if (q != null && !q.equals("nothing")) {
      results.add(new JsonObject().put("title", "About " + q)).add(new JsonObject().put("title", q + " FAQ"));
    }
    return new JsonObject().put("results", results).put("total", results.size());
  }

  private static JsonObject headers(HttpServerRequest req) {
    JsonObject out = new JsonObject();
    req.headers().forEach(e -> out.put(e.getKey().toLowerCase(), e.getValue()));
    return out;
  }

  private static void json(HttpServerRequest req, int status, Object body) {
    String text = body instanceof JsonObject o ? o.encode() : ((JsonArray) body).encode();
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
  }

  /** Headers at once, then a byte every 200 ms, forever: only a whole-call deadline stops it. */
  private void drip(HttpServerRequest req) {
    req.response().setChunked(true).putHeader("Content-Type", "application/json").write("{\"results\": [");
    long timer = vertx.setPeriodic(200, id -> req.response().write(" "));
    req.connection().closeHandler(v -> {
      vertx.cancelTimer(timer);
      dripsClosed.incrementAndGet();
    });
  }

  /** {@code n} items with an id and a title, and one value deep down, for paths that scan a large answer. */
  private static JsonObject many(int n) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < n; i++) {
      items.add(new JsonObject().put("id", i).put("title", "t" + i));
    }
    return new JsonObject().put("items", items)
      .put("deep", new JsonObject().put("x", new JsonObject().put("needle", "found")));
  }

  private void huge(HttpServerRequest req, int megabytes) {
    req.connection().closeHandler(v -> hugesClosed.incrementAndGet());
    req.response().setChunked(true).putHeader("Content-Type", "application/json");
    Buffer chunk = Buffer.buffer("[" + "1,".repeat(32 * 1024));
    AtomicInteger left = new AtomicInteger(megabytes * 16);
    writeChunks(req, chunk, left);
  }

  /** Bytes of /huge bodies the socket has taken so far: how much a client read before it hung up. */
  public long hugeBytesTaken() {
    return hugeBytesTaken.get();
  }

  private final java.util.concurrent.atomic.AtomicLong hugeBytesTaken = new java.util.concurrent.atomic.AtomicLong();

  /** Connections a client closed while /huge or /drip answered them: a cut transfer, not one read to its end. */
  public int hugesClosed() {
    return hugesClosed.get();
  }

  public int dripsClosed() {
    return dripsClosed.get();
  }

  private final AtomicInteger hugesClosed = new AtomicInteger();
  private final AtomicInteger dripsClosed = new AtomicInteger();

  private void writeChunks(HttpServerRequest req, Buffer chunk, AtomicInteger left) {
    if (left.getAndDecrement() <= 0) {
      req.response().end("1]");
      return;
    }
    req.response().write(chunk).onComplete(done -> {
      if (done.succeeded()) {
        hugeBytesTaken.addAndGet(chunk.length());
        writeChunks(req, chunk, left);
      }
    });
  }
}
