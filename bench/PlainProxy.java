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
 * jars, built as botgate's is (one client of 64 connections, one proxy, one server per core, native
 * transport), forwarding everything to one upstream.
 *   java -cp target/botgate.jar bench/PlainProxy.java <port> <upstream port>
 */
public class PlainProxy {

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    HttpClient client = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true))
      .with(new PoolOptions().setHttp1MaxSize(64)).build();
    HttpProxy proxy = HttpProxy.reverseProxy(client).origin(upstream, "127.0.0.1");
    vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          return vertx.createHttpServer().requestHandler(proxy).listen(port, "127.0.0.1");
        }
      }, new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
      .onSuccess(id -> System.out.println("plain vertx-http-proxy on " + port + " -> " + upstream
        + " (" + (vertx.isNativeTransportEnabled() ? "native" : "NIO") + " transport, client " + client + ")"))
      .onFailure(e -> {
        e.printStackTrace();
        System.exit(1);
      });
  }
}
