package io.botgate.api;

import io.botgate.DecoratedMetricsFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Vert.x's HTTP server and client request meters, with vertx-micrometer-metrics' names, labels and semantics,
 * held per method, route and status code; and its event-bus meters, held per address ({@link EventBusMeters}).
 * The library builds a Micrometer id and looks each meter up in the registry on every use: six to eight
 * look-ups per request on each side, two to four per message, with their tags merged, sorted and compared,
 * which was most of what Vert.x's metrics cost an execution. Connections, bytes, errors, WebSockets, pools
 * and the JVM stay the library's.
 * <p>Used only for the labels botgate enables (method, status code, route template, client name, address,
 * side, failure); with any other label, or a custom tags provider, the library's own meters are left in place.
 */
final class HttpMeters {

  private static final Set<Label> SUPPORTED = EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE,
    Label.CLIENT_NAME, Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE, Label.POOL_TYPE, Label.POOL_NAME,
    Label.CLASS_NAME);
  /** Status codes kept in an array per method and route; any other is not cached. */
  private static final int FIRST_CODE = 100;
  private static final int CODES = 500;

  private HttpMeters() {
  }

  /** {@code factory}'s metrics, with the HTTP request meters replaced when {@code options} allow it. */
  static VertxMetricsFactory cached(VertxMetricsFactory factory) {
    return new DecoratedMetricsFactory(factory, (metrics, options) -> {
      // the registry the library records into: the first one set up under this registry name in the process
      MeterRegistry registry = options.getMetricsOptions() instanceof MicrometerMetricsOptions m
        ? BackendRegistries.getNow(m.getRegistryName()) : null;
      return registry != null && applies((MicrometerMetricsOptions) options.getMetricsOptions())
        ? new Decorated(metrics, registry, (MicrometerMetricsOptions) options.getMetricsOptions()) : metrics;
    });
  }

  static boolean applies(MicrometerMetricsOptions options) {
    return SUPPORTED.containsAll(options.getLabels()) && options.getServerRequestTagsProvider() == null
      && options.getClientRequestTagsProvider() == null;
  }

  /** The library's metrics, but HTTP requests recorded here. */
  private static final class Decorated implements VertxMetrics {
    private final VertxMetrics library;
    private final MeterRegistry registry;
    private final MetricsNaming server;
    private final MetricsNaming client;
    private final Set<Label> labels;
    private final MetricsNaming eventBus;
    private final Gauges gauges;

    Decorated(VertxMetrics library, MeterRegistry registry, MicrometerMetricsOptions options) {
      this.library = library;
      this.registry = registry;
      this.server = options.getMetricsNaming().withBaseName("vertx." + MetricsDomain.HTTP_SERVER.toCategory() + ".");
      this.client = options.getMetricsNaming().withBaseName("vertx." + MetricsDomain.HTTP_CLIENT.toCategory() + ".");
      this.eventBus = options.getMetricsNaming().withBaseName("vertx." + MetricsDomain.EVENT_BUS.toCategory() + ".");
      this.labels = EnumSet.copyOf(options.getLabels());
      this.gauges = new Gauges(registry);
    }

    @SuppressWarnings("unchecked")
    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress address) {
      HttpServerMetrics<?, ?, ?> metrics = library.createHttpServerMetrics(options, address);
      return metrics == null ? null : new Server((HttpServerMetrics<Object, Object, Object>) metrics, this);
    }

    @SuppressWarnings("unchecked")
    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
      HttpClientMetrics<?, ?, ?> metrics = library.createHttpClientMetrics(options);
      return metrics == null ? null
        : new Client((HttpClientMetrics<Object, Object, Object>) metrics, this, options.getMetricsName());
    }

    @Override
    public EventBusMetrics<?> createEventBusMetrics() {
      EventBusMetrics<?> metrics = library.createEventBusMetrics();
      return metrics == null ? null : new EventBusMeters(registry, eventBus, labels, gauges);
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remote, String type, String namespace) {
      return library.createClientMetrics(remote, type, namespace);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress local) {
      return library.createNetServerMetrics(options, local);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
      return library.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return library.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
      return library.createPoolMetrics(type, name, maxSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
      library.vertxCreated(vertx);
    }

    @Override
    public boolean isMetricsEnabled() {
      return library.isMetricsEnabled();
    }

    @Override
    public void close() {
      library.close();
    }

    LongAdder gauge(String name, String description, Tags tags) {
      return gauges.get(name, description, tags);
    }
  }

  /** Gauges of counts kept in adders, one adder per name and tags however many meters of a Vert.x share it. */
  static final class Gauges {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, LongAdder> values = new ConcurrentHashMap<>();

    Gauges(MeterRegistry registry) {
      this.registry = registry;
    }

    /** Looked up by a key built on each call: for meters made once, not per request. */
    LongAdder get(String name, String description, Tags tags) {
      return values.computeIfAbsent(name + tags, k -> {
        LongAdder value = new LongAdder();
        Gauge.builder(name, value, LongAdder::doubleValue).description(description).tags(tags).strongReference(true)
          .register(registry);
        return value;
      });
    }
  }

  /** The meters of one method (and client name): those of its requests, and those of its answers by route and code. */
  private static final class PerMethod {
    final Tags tags;
    final LongAdder active;
    final DistributionSummary requestBytes;
    final Counter requests;
    final ConcurrentHashMap<String, Answers[]> byRoute = new ConcurrentHashMap<>();

    PerMethod(Tags tags, LongAdder active, DistributionSummary requestBytes, Counter requests) {
      this.tags = tags;
      this.active = active;
      this.requestBytes = requestBytes;
      this.requests = requests;
    }
  }

  /** The meters of the answers with one method, route and status code. */
  private record Answers(Counter count, Timer time, DistributionSummary bytes) {
  }

  /** What one request has seen so far; the active-requests gauge is let go once both ends are done. */
  private static final class Request {
    final PerMethod method;
    final long start = System.nanoTime();
    int code = -1;
    /** One route, or the routes joined by '>' as the library does. */
    String route;
    boolean requestEnded;
    boolean responseEnded;
    boolean reset;
    /** The server connection it came on (null for a client's request): where it waits if answered unread. */
    ServerConnection connection;

    Request(PerMethod method) {
      this.method = method;
    }

    void routed(String next, ConcurrentHashMap<String, ConcurrentHashMap<String, String>> joined) {
      if (next != null) {
        route = route == null ? next : joined.computeIfAbsent(route, r -> new ConcurrentHashMap<>())
          .computeIfAbsent(next, n -> route + '>' + n);
      }
    }

    boolean requestEnded() {
      requestEnded = true;
      return !reset && responseEnded;
    }

    boolean responseEnded() {
      responseEnded = true;
      return !reset && requestEnded;
    }

    /** Its connection closed after the answer, the request unread: the gauge lets it go, once. */
    void letGo() {
      if (!reset && !requestEnded) {
        reset = true;
        method.active.decrement();
      }
    }
  }

  /**
   * A server's or client's connections, left to the library's meters as they are; a subclass may hold its own
   * object per connection around the library's ({@link #wrap}, {@link #unwrap}).
   */
  private abstract static class LibraryConnections implements TCPMetrics<Object> {
    private final TCPMetrics<Object> connections;

    LibraryConnections(TCPMetrics<Object> connections) {
      this.connections = connections;
    }

    Object wrap(Object library) {
      return library;
    }

    Object unwrap(Object socket) {
      return socket;
    }

    @Override
    public Object connected(SocketAddress remote, String remoteName) {
      return wrap(connections.connected(remote, remoteName));
    }

    @Override
    public void disconnected(Object socket, SocketAddress remote) {
      connections.disconnected(unwrap(socket), remote);
    }

    @Override
    public void bytesRead(Object socket, SocketAddress remote, long bytes) {
      connections.bytesRead(unwrap(socket), remote, bytes);
    }

    @Override
    public void bytesWritten(Object socket, SocketAddress remote, long bytes) {
      connections.bytesWritten(unwrap(socket), remote, bytes);
    }

    @Override
    public void exceptionOccurred(Object socket, SocketAddress remote, Throwable t) {
      connections.exceptionOccurred(unwrap(socket), remote, t);
    }

    @Override
    public void close() {
      connections.close();
    }
  }

  /**
   * One server connection: the library's meters of it, and the requests answered on it before they were read to
   * their end (a refused upload, a request head over a limit). Vert.x reports neither an end nor a reset for such a
   * request when the connection then closes, so the active-requests gauge would keep it for good (as the library's
   * own does: one more for each such refusal); it is let go when the connection closes.
   */
  private static final class ServerConnection {
    final Object library;
    private List<Request> answeredUnread;

    ServerConnection(Object library) {
      this.library = library;
    }

    synchronized void answeredUnread(Request r) {
      if (answeredUnread == null) {
        answeredUnread = new ArrayList<>(1);
      }
      answeredUnread.add(r);
    }

    synchronized void read(Request r) {
      if (answeredUnread != null) {
        answeredUnread.remove(r);
      }
    }

    synchronized void closed() {
      if (answeredUnread != null) {
        answeredUnread.forEach(Request::letGo);
        answeredUnread = null;
      }
    }
  }

  /** A server's request meters; its connections' are the library's. */
  private static final class Server extends LibraryConnections implements HttpServerMetrics<Request, Object, Object> {
    private final HttpServerMetrics<Object, Object, Object> library;
    private final Decorated parent;
    private final ConcurrentHashMap<String, PerMethod> byMethod = new ConcurrentHashMap<>();
    /** The routes a request went through, joined once: route templates, as few as the router's routes. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, String>> joinedRoutes = new ConcurrentHashMap<>();

    Server(HttpServerMetrics<Object, Object, Object> library, Decorated parent) {
      super(library);
      this.library = library;
      this.parent = parent;
    }

    private PerMethod method(HttpMethod method) {
      return byMethod.computeIfAbsent(MetricsEndpoint.methodLabel(method.name()), name -> {
        Tags tags = parent.labels.contains(Label.HTTP_METHOD) ? Tags.of(Label.HTTP_METHOD.toString(), name) : Tags.empty();
        MetricsNaming names = parent.server;
        return new PerMethod(tags,
          parent.gauge(names.getHttpActiveRequests(), "Number of requests being processed", tags),
          DistributionSummary.builder(names.getHttpRequestBytes()).description("Size of requests in bytes").tags(tags)
            .register(parent.registry),
          null);
      });
    }

    private Answers answers(PerMethod method, String route, int code) {
      String key = route == null ? "" : route;
      if (code < FIRST_CODE || code >= FIRST_CODE + CODES) {
        return newAnswers(method, key, code);
      }
      Answers[] byCode = method.byRoute.computeIfAbsent(key, k -> new Answers[CODES]);
      Answers answers = byCode[code - FIRST_CODE];
      if (answers == null) {
        // a race makes the same meters twice: the registry hands both the ones registered first
        answers = newAnswers(method, key, code);
        byCode[code - FIRST_CODE] = answers;
      }
      return answers;
    }

    private Answers newAnswers(PerMethod method, String route, int code) {
      Tags tags = method.tags;
      if (parent.labels.contains(Label.HTTP_ROUTE)) {
        tags = tags.and(Label.HTTP_ROUTE.toString(), route);
      }
      if (parent.labels.contains(Label.HTTP_CODE)) {
        tags = tags.and(Label.HTTP_CODE.toString(), String.valueOf(code));
      }
      MetricsNaming names = parent.server;
      return new Answers(
        Counter.builder(names.getHttpRequestsCount()).description("Number of processed requests").tags(tags)
          .register(parent.registry),
        Timer.builder(names.getHttpResponseTime()).description("Request processing time").tags(tags)
          .register(parent.registry),
        DistributionSummary.builder(names.getHttpResponseBytes()).description("Size of responses in bytes").tags(tags)
          .register(parent.registry));
    }

    @Override
    Object wrap(Object library) {
      return new ServerConnection(library);
    }

    @Override
    Object unwrap(Object socket) {
      return socket instanceof ServerConnection connection ? connection.library : socket;
    }

    @Override
    public void disconnected(Object socket, SocketAddress remote) {
      if (socket instanceof ServerConnection connection) {
        connection.closed();
      }
      super.disconnected(socket, remote);
    }

    @Override
    public Request requestBegin(Object socket, HttpRequest request) {
      return begin(request.method(), socket);
    }

    @Override
    public Request responsePushed(Object socket, HttpMethod method, String uri, HttpResponse response) {
      return begin(method, socket);
    }

    private Request begin(HttpMethod method, Object socket) {
      Request r = new Request(method(method));
      r.connection = socket instanceof ServerConnection connection ? connection : null;
      r.method.active.increment();
      return r;
    }

    @Override
    public void requestEnd(Request r, HttpRequest request, long bytesRead) {
      r.method.requestBytes.record(bytesRead);
      if (r.requestEnded()) {
        r.method.active.decrement();
        if (r.connection != null) {
          r.connection.read(r);
        }
      }
    }

    @Override
    public void requestReset(Request r) {
      // rare: looked up when it happens, and so shown only once it has, as the library does
      Counter.builder(parent.server.getHttpRequestResetsCount()).description("Number of request resets")
        .tags(r.method.tags).register(parent.registry).increment();
      r.method.active.decrement();
      r.reset = true;
    }

    @Override
    public void requestRouted(Request r, String route) {
      r.routed(route, joinedRoutes);
    }

    @Override
    public void responseEnd(Request r, HttpResponse response, long bytesWritten) {
      Answers answers = answers(r.method, r.route, response.statusCode());
      answers.count().increment();
      answers.time().record(System.nanoTime() - r.start, TimeUnit.NANOSECONDS);
      answers.bytes().record(bytesWritten);
      if (r.responseEnded()) {
        r.method.active.decrement();
      } else if (!r.reset && r.connection != null) {
        r.connection.answeredUnread(r);
      }
    }

    @Override
    public Object connected(Object socket, Request request, ServerWebSocket webSocket) {
      return library.connected(unwrap(socket), null, webSocket);
    }

    @Override
    public void disconnected(Object webSocket) {
      library.disconnected(webSocket);
    }
  }

  /** A client's request meters, one set for all its endpoints as the library's; its connections' are the library's. */
  private static final class Client extends LibraryConnections implements HttpClientMetrics<Request, Object, Object> {
    private final HttpClientMetrics<Object, Object, Object> library;
    private final Decorated parent;
    private final Tags base;
    private final ConcurrentHashMap<String, PerMethod> byMethod = new ConcurrentHashMap<>();
    private final ClientMetrics<Request, HttpRequest, HttpResponse> endpoint = new Endpoint();

    Client(HttpClientMetrics<Object, Object, Object> library, Decorated parent, String name) {
      super(library);
      this.library = library;
      this.parent = parent;
      this.base = parent.labels.contains(Label.CLIENT_NAME)
        ? Tags.of(Label.CLIENT_NAME.toString(), name == null ? "?" : name) : Tags.empty();
    }

    private PerMethod method(HttpMethod method) {
      return byMethod.computeIfAbsent(MetricsEndpoint.methodLabel(method.name()), name -> {
        Tags tags = parent.labels.contains(Label.HTTP_METHOD) ? base.and(Label.HTTP_METHOD.toString(), name) : base;
        MetricsNaming names = parent.client;
        return new PerMethod(tags,
          parent.gauge(names.getHttpActiveRequests(), "Number of requests waiting for a response", tags),
          DistributionSummary.builder(names.getHttpRequestBytes()).description("Size of requests in bytes").tags(tags)
            .register(parent.registry),
          Counter.builder(names.getHttpRequestsCount()).description("Number of requests sent").tags(tags)
            .register(parent.registry));
      });
    }

    private Answers answers(PerMethod method, int code) {
      boolean byCode = code >= FIRST_CODE && code < FIRST_CODE + CODES;
      if (!byCode) {
        return newAnswers(method, code);
      }
      // the client's answers have no route: one array per method
      Answers[] codes = method.byRoute.computeIfAbsent("", k -> new Answers[CODES]);
      Answers answers = codes[code - FIRST_CODE];
      if (answers == null) {
        answers = newAnswers(method, code);
        codes[code - FIRST_CODE] = answers;
      }
      return answers;
    }

    private Answers newAnswers(PerMethod method, int code) {
      // no answer began (a reset): the library records it without a code
      Tags tags = parent.labels.contains(Label.HTTP_CODE) && code >= 0
        ? method.tags.and(Label.HTTP_CODE.toString(), String.valueOf(code)) : method.tags;
      MetricsNaming names = parent.client;
      return new Answers(
        Counter.builder(names.getHttpResponsesCount()).description("Response count with codes").tags(tags)
          .register(parent.registry),
        Timer.builder(names.getHttpResponseTime()).description("Response time").tags(tags).register(parent.registry),
        DistributionSummary.builder(names.getHttpResponseBytes()).description("Size of responses in bytes").tags(tags)
          .register(parent.registry));
    }

    @Override
    public ClientMetrics<Request, HttpRequest, HttpResponse> createEndpointMetrics(SocketAddress remote, int maxPoolSize) {
      return endpoint;
    }

    /** The requests to one endpoint; all endpoints share the client's meters (no remote label). */
    private final class Endpoint implements ClientMetrics<Request, HttpRequest, HttpResponse> {
      @Override
      public Request requestBegin(String uri, HttpRequest request) {
        Request r = new Request(method(request.method()));
        r.method.active.increment();
        r.method.requests.increment();
        return r;
      }

      @Override
      public void requestEnd(Request r, long bytesWritten) {
        r.method.requestBytes.record(bytesWritten);
        if (r.requestEnded()) {
          r.method.active.decrement();
        }
      }

      @Override
      public void requestReset(Request r) {
        r.method.active.decrement();
        r.reset = true;
      }

      @Override
      public void responseBegin(Request r, HttpResponse response) {
        r.code = response.statusCode();
      }

      @Override
      public void responseEnd(Request r, long bytesRead) {
        if (r.responseEnded()) {
          r.method.active.decrement();
        }
        Answers answers = answers(r.method, r.code);
        answers.count().increment();
        answers.time().record(System.nanoTime() - r.start, TimeUnit.NANOSECONDS);
        answers.bytes().record(bytesRead);
      }
    }

    @Override
    public Object connected(WebSocket webSocket) {
      return library.connected(webSocket);
    }

    @Override
    public void disconnected(Object webSocket) {
      library.disconnected(webSocket);
    }
  }
}
