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
 * jars, built as botgate's is (one client of 64 connections, one proxy, native transport, Vert.x's default
 * event-loop pool), forwarding everything to one upstream. Its HTTP server runs as many verticle instances,
 * each on an event loop of its own, as botgate's does: {@code http.instances}, whose default is
 * {@link io.botgate.api.HttpOptions#defaultInstances()} (one per core); the benchmark passes the same number
 * to both.
 *   java -cp target/botgate.jar bench/PlainProxy.java <port> <upstream port> [instances, default botgate's]
 */
public class PlainProxy {

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    int instances = args.length > 2 ? Integer.parseInt(args[2]) : HttpOptions.defaultInstances();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    HttpClient client = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true))
      .with(new PoolOptions().setHttp1MaxSize(64)).build();
    HttpProxy proxy = HttpProxy.reverseProxy(client).origin(upstream, "127.0.0.1");
    vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          return vertx.createHttpServer().requestHandler(proxy).listen(port, "127.0.0.1");
        }
      }, new DeploymentOptions().setInstances(instances))
      .onSuccess(id -> System.out.println("plain vertx-http-proxy on " + port + " -> " + upstream
        + " (" + instances + " server instances, " + (vertx.isNativeTransportEnabled() ? "native" : "NIO") + " transport, client " + client + ")"))
      .onFailure(e -> {
        e.printStackTrace();
        System.exit(1);
      });
  }
}
