import io.botgate.api.HttpOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.httpproxy.HttpProxy;

/**
 * The baseline of botgate's pass-through in bench/proxy-overhead.sh: vertx-http-proxy alone, from the same
 * jars, built as its documentation builds it (one client of 64 connections and one proxy for the whole
 * server, native transport, Vert.x's default event-loop pool), forwarding everything to one upstream. Its HTTP
 * server runs as many verticle instances, each on an event loop of its own, as botgate's does:
 * {@code http.instances}, whose default is {@link io.botgate.api.HttpOptions#defaultInstances()} (one per
 * core); the benchmark passes the same number to both. With {@code per-loop} each instance builds a client of
 * 64 connections and a proxy of its own instead, as botgate does: then a call never leaves its event loop
 * (with one client, a call often takes a connection another loop opened, and is handed over to it and back).
 *   java -cp target/botgate.jar bench/PlainProxy.java <port> <upstream port> [instances, default botgate's] [per-loop]
 */
public class PlainProxy {

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    int instances = args.length > 2 ? Integer.parseInt(args[2]) : HttpOptions.defaultInstances();
    boolean perLoop = args.length > 3 && args[3].equals("per-loop");
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    HttpProxy shared = perLoop ? null : proxy(vertx, upstream);
    vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          // a client made here, on this instance's event loop, and used from it only
          HttpProxy proxy = perLoop ? proxy(vertx, upstream) : shared;
          return vertx.createHttpServer().requestHandler(proxy).listen(port, "127.0.0.1");
        }
      }, new DeploymentOptions().setInstances(instances))
      .onSuccess(id -> System.out.println("plain vertx-http-proxy on " + port + " -> " + upstream
        + " (" + instances + " server instances, " + (vertx.isNativeTransportEnabled() ? "native" : "NIO")
        + " transport, " + (perLoop ? "a client per event loop" : "one client") + ")"))
      .onFailure(e -> {
        e.printStackTrace();
        System.exit(1);
      });
  }

  private static HttpProxy proxy(Vertx vertx, int upstream) {
    HttpClient client = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true))
      .with(new PoolOptions().setHttp1MaxSize(64)).build();
    return HttpProxy.reverseProxy(client).origin(upstream, "127.0.0.1");
  }
}
