import io.botgate.api.HttpOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A yardstick of bench/proxy-overhead.sh: the job of botgate's execution (c), written by hand on Vert.x with
 * nothing else, to show what the job itself costs beside a plain proxy. It answers
 * {@code POST /api/sessions/<session>/integrations/bench} as botgate does for the benchmark's integration: reads
 * the body's {@code variables}, renders {@code GET /faq?q=<variables.q>} to the upstream with a deadline (a client
 * of 64 connections per event loop, as botgate has), decodes the answer, maps {@code results[i].title} into
 * {@code bench.title} and its count, keeps them and the status as the session's last result, and answers them as
 * JSON. It has none of botgate's sessions beyond that map entry, no debug events or history, no masking, no
 * meters, no limits or checks on the request: the difference between (c) and this is what those cost.
 *   java -cp target/botgate.jar bench/BareExecution.java <port> <upstream port> [instances, default botgate's]
 */
public class BareExecution {

  /** A session's last result: the map entry botgate's session store keeps as much more. */
  record Last(int status, boolean success, JsonObject variables) {
  }

  private static final String PREFIX = "/api/sessions/";
  private static final String SUFFIX = "/integrations/bench";

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    int instances = args.length > 2 ? Integer.parseInt(args[2]) : HttpOptions.defaultInstances();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Map<String, Last> sessions = new ConcurrentHashMap<>();
    vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          // a client made here, on this instance's event loop, and used from it only
          HttpClient client = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true))
            .with(new PoolOptions().setHttp1MaxSize(64)).build();
          return vertx.createHttpServer().requestHandler(req -> execute(req, client, upstream, sessions))
            .listen(port, "127.0.0.1");
        }
      }, new DeploymentOptions().setInstances(instances))
      .onSuccess(id -> System.out.println("bare execution on " + port + " -> " + upstream + " (" + instances
        + " server instances, " + (vertx.isNativeTransportEnabled() ? "native" : "NIO") + " transport)"))
      .onFailure(e -> {
        e.printStackTrace();
        System.exit(1);
      });
  }

  private static void execute(HttpServerRequest req, HttpClient client, int upstream, Map<String, Last> sessions) {
    String path = req.path();
    if (req.method() != HttpMethod.POST || !path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) {
      req.response().setStatusCode(404).end();
      return;
    }
    String session = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
    req.body().compose(body -> {
      JsonObject variables = body.length() == 0 ? new JsonObject()
        : body.toJsonObject().getJsonObject("variables", new JsonObject());
      String q = URLEncoder.encode(String.valueOf(variables.getValue("q", "")), StandardCharsets.UTF_8);
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(upstream).setURI("/faq?q=" + q).putHeader("Accept", "application/json").setTimeout(10_000);
      return client.request(options)
        .compose(request -> request.send().compose(response -> response.body().map(b -> answer(response, b))));
    }).onComplete(done -> {
      Last last = done.succeeded() ? done.result() : new Last(0, false, new JsonObject());
      sessions.put(session, last);
      JsonObject result = new JsonObject().put("session", session).put("integration", "bench")
        .put("success", last.success()).put("statusCode", String.valueOf(last.status()));
      req.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("result", result).put("variables", last.variables()).toBuffer());
    });
  }

  /** The upstream's answer decoded, its results' titles mapped as the integration's one custom data field. */
  private static Last answer(HttpClientResponse response, Buffer body) {
    JsonObject variables = new JsonObject();
    int status = response.statusCode();
    boolean success = status >= 200 && status < 300;
    if (success) {
      JsonArray results = body.toJsonObject().getJsonArray("results", new JsonArray());
      List<Object> titles = new ArrayList<>(results.size());
      for (int i = 0; i < results.size(); i++) {
        titles.add(results.getJsonObject(i).getValue("title"));
      }
      variables.put("bench.title", new JsonArray(titles)).put("bench.title.count", titles.size());
    }
    return new Last(status, success, variables);
  }
}
