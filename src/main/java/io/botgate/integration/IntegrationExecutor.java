package io.botgate.integration;

import io.botgate.GatewayError;
import io.botgate.session.IntegrationResult;
import io.botgate.session.RequestScope;
import io.botgate.session.Session;
import io.botgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Executes a named integration for a session in CB's order: render, call, store {@code api_<rdv>},
 * decide success, record and publish the result, map custom data fields.
 */
public final class IntegrationExecutor {

  public static final String RESULTS_ADDRESS = "botgate.results";

  private final Vertx vertx;
  private final IntegrationRegistry registry;
  private final SessionStore sessions;
  private final UpstreamCaller upstream;
  private final Map<String, String> env;
  private final java.util.function.Supplier<String> selfBaseUrl;
  private final String node;

  public IntegrationExecutor(Vertx vertx, IntegrationRegistry registry, SessionStore sessions, EgressGuard guard,
                             Settings settings) {
    this.vertx = vertx;
    this.registry = registry;
    this.sessions = sessions;
    this.upstream = new UpstreamCaller(vertx, guard, settings.maxResponseBytes());
    this.env = Map.copyOf(settings.env());
    this.selfBaseUrl = settings.selfBaseUrl();
    this.node = settings.node();
  }

  /** What the executor needs from the configuration. */
  public record Settings(long maxResponseBytes, Map<String, String> env,
                         java.util.function.Supplier<String> selfBaseUrl, String node) {
  }

  public Future<ExecutionReport> execute(String sessionId, String integration, ExecutionRequest request) {
    IntegrationDefinition definition = registry.find(integration).orElse(null);
    if (definition == null) {
      return Future.failedFuture(GatewayError.notFound("unknown_integration",
        "no integration named '" + integration + "'; GET /api/integrations lists them"));
    }
    Session session = sessions.open(sessionId);
    RequestScope scope = new RequestScope(session, request.variables(), request.slots(), request.userMessage());
    return new Execution(definition, scope).run();
  }

  public void close() {
    upstream.close();
  }

  /** The state of one execution, from render to reply. */
  private final class Execution {
    private final IntegrationDefinition definition;
    private final RequestScope scope;
    private final long started = System.nanoTime();
    private final Instant at = Instant.now();
    private RenderedRequest rendered;

    Execution(IntegrationDefinition definition, RequestScope scope) {
      this.definition = definition;
      this.scope = scope;
    }

    Future<ExecutionReport> run() {
      try {
        rendered = definition.request().render(this::valueOf, selfBaseUrl.get());
      } catch (TemplateRejection e) {
        return Future.succeededFuture(finish(UpstreamResponse.failure("440", e.getMessage(), 0), null));
      }
      long upstreamStart = System.nanoTime();
      return upstream.call(definition, rendered).map(response -> {
        long upstreamMs = (System.nanoTime() - upstreamStart) / 1_000_000;
        return finish(response, upstreamMs);
      });
    }

    private ExecutionReport finish(UpstreamResponse response, Long upstreamMs) {
      Session session = scope.session();
      Object body = null;
      String status = response.statusCode();
      String reason = response.reason();
      if (response.body() != null && response.body().length() > 0) {
        try {
          body = Json.decodeValue(response.body());
        } catch (DecodeException e) {
          if (definition.isSuccess(response.httpStatus())) {
            status = "502";
            reason = "upstream answered " + response.httpStatus() + " with a body that is not JSON: "
              + e.getMessage();
          } else {
            body = response.body().toString();
          }
        }
      }
      String api = definition.apiVariable();
      session.clearLastResult();
      // Always replaced, so a failed call never leaves the previous run's data looking current.
      session.setVariable(api, new JsonObject().put("jsonData", jsonData(api, body, response.body())));
      session.setVariable(api + "Status", status);
      boolean success = reason == null && definition.isSuccess(response.httpStatus());
      long durationMs = (System.nanoTime() - started) / 1_000_000;
      IntegrationResult result = new IntegrationResult(session.id(), definition.name(), success, status, at,
        durationMs, response.attempts(), node);
      session.record(result);
      vertx.eventBus().publish(RESULTS_ADDRESS, result.toJson());
      Map<String, Object> fields = mapFields(session, body);
      return new ExecutionReport(result, reason, rendered == null ? null : definition.method() + " " + rendered.url(),
        fields, upstreamMs);
    }

    /** {@code {"api_<rdv>": body}} as text; a body that parsed as JSON is spliced in as received. */
    private String jsonData(String api, Object parsed, io.vertx.core.buffer.Buffer raw) {
      if (parsed == null || parsed instanceof String) {
        return new JsonObject().put(api, parsed).encode();
      }
      return "{\"" + api + "\":" + raw.toString() + "}";
    }

    private Map<String, Object> mapFields(Session session, Object body) {
      String prefix = definition.name() + ".";
      session.removeVariablesStartingWith(prefix);
      Map<String, Object> out = new LinkedHashMap<>();
      if (definition.customDataFields().isEmpty()) {
        return out;
      }
      Map<String, Object> document = new LinkedHashMap<>();
      document.put(definition.apiVariable(), body instanceof JsonObject o ? o.getMap()
        : body instanceof io.vertx.core.json.JsonArray a ? a.getList() : body);
      definition.customDataFields().forEach((field, path) -> {
        Object value = path.evaluate(document);
        String name = prefix + field;
        session.setVariable(name, value);
        session.setVariable(name + ".count", FieldPath.count(value));
        out.put(name, value);
        out.put(name + ".count", FieldPath.count(value));
      });
      return out;
    }

    private String valueOf(Template.Placeholder p) {
      return switch (p.kind()) {
        case BOT_VARIABLE, FIELD -> RequestScope.asText(scope.variable(p.name()));
        case SLOT -> RequestScope.asText(scope.slot(p.name()));
        case ENV -> env.get(p.name());
        case CONVERSATION_ID -> scope.session().id();
        case USER_MESSAGE -> scope.userMessage();
        case UNKNOWN -> null;
      };
    }
  }
}
