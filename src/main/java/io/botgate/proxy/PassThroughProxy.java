package io.botgate.proxy;

import io.botgate.integration.EgressGuard;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.integration.IntegrationRegistry;
import io.botgate.integration.UpstreamCredentials;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;

/**
 * {@code ANY /proxy/{integration}/{rest…}}: a bot runtime's own HTTP call, streamed to the integration's
 * URL and back unchanged by vertx-http-proxy, and recorded as an execution of that integration for the
 * session named in {@code X-Botgate-Session}. botgate's part is one interceptor ({@link PassThroughInterceptor}).
 */
public final class PassThroughProxy {

  /** Held here: Vert.x 5 closes a client nothing refers to any more, in the middle of a call. */
  private final HttpClient client;
  private final HttpProxy proxy;

  public PassThroughProxy(Vertx vertx, IntegrationRegistry registry, IntegrationExecutor executor, EgressGuard guard,
                          PassThroughOptions options, String authToken) {
    this(vertx, registry, executor, guard, options, authToken, UpstreamCredentials.NONE);
  }

  /** With the credentials integrations name: applied to each call as to an execution. */
  public PassThroughProxy(Vertx vertx, IntegrationRegistry registry, IntegrationExecutor executor, EgressGuard guard,
                          PassThroughOptions options, String authToken, UpstreamCredentials credentials) {
    this.client = vertx.httpClientBuilder()
      .with(new HttpClientOptions().setKeepAlive(true).setConnectTimeout((int) IntegrationDefinition.DEFAULT_TIMEOUT_MS))
      .with(new PoolOptions().setHttp1MaxSize(PassThroughOptions.DEFAULT_POOL_SIZE))
      .build();
    PassThroughInterceptor interceptor = new PassThroughInterceptor(vertx, registry, executor, guard, options, authToken,
      credentials);
    // WebSocket support off: the interceptor answers an upgrade with a JSON error instead.
    this.proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(false), client)
      .origin(interceptor::origin)
      .addInterceptor(interceptor);
  }

  /** Mounts {@code /proxy/*}; no body handler may run before it (the body streams). */
  public void mount(Router router) {
    router.route(PassThroughInterceptor.PREFIX + "*").handler(ctx -> proxy.handle(ctx.request()));
  }

  public void close() {
    client.close();
  }
}
