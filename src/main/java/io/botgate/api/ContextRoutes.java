package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.cb.context.ContextStore;
import io.botgate.cb.context.ConversationContext;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.JsonNesting;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static io.botgate.api.ApiRoutes.jsonBody;

/**
 * The Conversation Context Service over HTTP, for the systems around a bot to read and write what its
 * scripts do: {@code /api/context/namespaces[/{ns}]}, then under a namespace {@code global},
 * {@code users/{user}} and {@code conversations/{session}}, each whole or {@code /{property}}. The store
 * is called on a worker (a clustered one may wait on the network). Answers give the data as it was stored, known
 * secrets included: it is data shared with other systems, which read, change and write it back, not a view of what
 * botgate did (scrubbed, "production" read back as "****uction" for an env value "prod" would be stored so).
 */
public final class ContextRoutes {

  private static final String NS = "/api/context/namespaces/:ns";
  private static final Map<String, ContextStore.Scope> OWNED = Map.of("users", ContextStore.Scope.USER,
    "conversations", ContextStore.Scope.CONVERSATION);

  /**
   * How deeply a value written over HTTP may nest, as a definition's field: a clustered store keeps a property two
   * levels down in its owner's entry, and a value near the parser's 1,000 levels could not be written there (500).
   * A script's value nests 32 at most.
   */
  static final int MAX_NESTING = IntegrationDefinition.MAX_NESTING;

  private final ContextStore store;

  public ContextRoutes(ContextStore store) {
    this.store = store;
  }

  /** Mounts the routes; call after {@link ApiRoutes#mount}, whose auth, body and failure handlers cover them. */
  public void mount(Router router) {
    router.get("/api/context/namespaces").handler(ctx -> blocking(ctx, 200, () -> {
      JsonArray list = new JsonArray();
      store.namespaces().forEach((name, ttl) -> list.add(new JsonObject().put("name", name).put("ttlSeconds", ttl)));
      return new JsonObject().put("namespaces", list);
    }));
    router.put(NS).handler(this::register);
    router.delete(NS).handler(ctx -> blocking(ctx, 204, () -> {
      if (!store.deleteNamespace(name(ctx, "ns"))) {
        throw unknownNamespace(name(ctx, "ns"));
      }
      return null;
    }));
    mountScope(router, NS + "/global", ContextStore.Scope.GLOBAL, null);
    OWNED.forEach((path, scope) -> mountScope(router, NS + "/" + path + "/:owner", scope, path));
  }

  private void register(RoutingContext ctx) {
    String ns = name(ctx, "ns");
    String wrongName = ContextStore.namespaceProblem(ns);
    if (wrongName != null) {
      throw GatewayError.badRequest("invalid_request", wrongName);
    }
    JsonObject body = jsonBody(ctx);
    Object ttl = body == null ? null : body.getValue("ttlSeconds");
    if (body != null && (body.size() > (body.containsKey("ttlSeconds") ? 1 : 0)
      || ttl != null && !(ttl instanceof Number n && n.doubleValue() == n.longValue()
      && ContextStore.validNamespace(ns, n.longValue())))) {
      throw GatewayError.badRequest("invalid_request", "the body is optional: {\"ttlSeconds\": <whole seconds from 0 "
        + "to " + ContextStore.MAX_TTL_SECONDS + " (ten years)>}: " + (ttl == null || body.size() > 1
        ? unknownFields(body, "ttlSeconds") : "\"ttlSeconds\" is " + HostAllowList.shorten(Json.encode(ttl))));
    }
    Long seconds = ttl == null ? null : ((Number) ttl).longValue();
    blocking(ctx, 200, () -> {
      written(store.registerNamespace(ns, seconds), ns);
      return new JsonObject().put("name", ns).put("ttlSeconds", store.namespaces().get(ns));
    });
  }

  private void mountScope(Router router, String path, ContextStore.Scope scope, String kind) {
    router.get(path).handler(ctx -> blocking(ctx, 200, () -> {
      Map<String, Object> all = store.all(scope, name(ctx, "ns"), owner(ctx, scope));
      if (all == null) {
        throw unknownNamespace(name(ctx, "ns"));
      }
      return where(ctx, scope).put("data", new JsonObject(all));
    }));
    router.delete(path).handler(ctx -> blocking(ctx, 204, () ->
      written(store.deleteAll(scope, name(ctx, "ns"), owner(ctx, scope)), name(ctx, "ns"))));
    String one = path + "/:property";
    router.get(one).handler(ctx -> blocking(ctx, 200, () -> {
      String ns = name(ctx, "ns");
      Object value = store.get(scope, ns, owner(ctx, scope), name(ctx, "property"));
      if (value == null) {
        if (!store.namespaces().containsKey(ns)) {
          throw unknownNamespace(ns);
        }
        throw GatewayError.notFound("unknown_property", "no property '" + name(ctx, "property") + "' in "
          + describe(ctx, scope));
      }
      return where(ctx, scope).put("property", name(ctx, "property")).put("value", value);
    }));
    router.put(one).handler(ctx -> {
      JsonObject body = jsonBody(ctx);
      String wrong = valueProblem(body);
      if (wrong != null) {
        throw GatewayError.badRequest("invalid_request", "the body must be {\"value\": <any JSON value but null>}: "
          + wrong);
      }
      blocking(ctx, 200, () -> {
        written(store.set(scope, name(ctx, "ns"), owner(ctx, scope), name(ctx, "property"),
          body.getValue("value")), name(ctx, "ns"));
        return where(ctx, scope).put("property", name(ctx, "property")).put("value", body.getValue("value"));
      });
    });
    router.delete(one).handler(ctx -> blocking(ctx, 204, () -> written(store.delete(scope, name(ctx, "ns"),
      owner(ctx, scope), name(ctx, "property")), name(ctx, "ns"))));
  }

  /** What is wrong with a property's body, or null when it is {"value": <not null>}. */
  private static String valueProblem(JsonObject body) {
    if (body == null) {
      return "no body was sent";
    }
    if (body.size() > (body.containsKey("value") ? 1 : 0)) {
      return unknownFields(body, "value");
    }
    if (!body.containsKey("value")) {
      return "it has no \"value\"";
    }
    if (body.getValue("value") == null) {
      return "\"value\" is null (DELETE the property to remove it)";
    }
    if (JsonNesting.deeperThan(body.getValue("value"), MAX_NESTING)) {
      return "\"value\" nests objects and arrays more than " + MAX_NESTING + " levels deep";
    }
    String lone = ContextStore.valueProblem(body.getValue("value"));
    return lone == null ? null : "\"value\" holds " + lone + " (it would be read back as '?'); nothing was written";
  }

  /** Names the body's fields other than the one expected (the first ten, each shortened). */
  private static String unknownFields(JsonObject body, String expected) {
    List<String> unknown = body.fieldNames().stream().filter(name -> !name.equals(expected)).sorted().toList();
    String named = unknown.stream().limit(10).map(HostAllowList::shorten).toList().toString();
    return (unknown.size() == 1 ? "unknown field " : "unknown fields ") + named
      + (unknown.size() > 10 ? " and " + (unknown.size() - 10) + " more" : "");
  }

  private static String owner(RoutingContext ctx, ContextStore.Scope scope) {
    if (scope == ContextStore.Scope.CONVERSATION) {
      return ApiRoutes.sessionId(ctx, "owner"); // a conversation is a session
    }
    if (scope == ContextStore.Scope.GLOBAL) {
      return "";
    }
    String user = ctx.pathParam("owner");
    String problem = ConversationContext.userProblem(user);
    if (problem != null) {
      // no conversation has such a user: a write there would keep data no script ever reads
      throw GatewayError.badRequest("invalid_user", "the user in the path " + problem + " (a conversation's user is "
        + "its context's userPlatformId, else its session id, and neither can be so)");
    }
    return user;
  }

  /** A name from the path: no control character (names go into answers, events and log lines). */
  private static String name(RoutingContext ctx, String param) {
    String name = ctx.pathParam(param);
    for (int i = 0; name != null && i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw GatewayError.badRequest("invalid_request", String.format("the %s in the path may not hold control "
          + "characters (U+%04X at position %d)", param, (int) name.charAt(i), i + 1));
      }
    }
    return name;
  }

  private static JsonObject where(RoutingContext ctx, ContextStore.Scope scope) {
    return new JsonObject().put("namespace", name(ctx, "ns")).put("scope", scope.name().toLowerCase())
      .put("owner", scope == ContextStore.Scope.GLOBAL ? null : ctx.pathParam("owner"));
  }

  private static String describe(RoutingContext ctx, ContextStore.Scope scope) {
    return "namespace '" + name(ctx, "ns") + "'" + (scope == ContextStore.Scope.GLOBAL ? " (global)"
      : " for " + scope.name().toLowerCase() + " '" + ctx.pathParam("owner") + "'");
  }

  /** Null when done; else throws the error the outcome means. */
  private static Object written(ContextStore.Outcome outcome, String ns) {
    return switch (outcome) {
      case DONE -> null;
      case UNKNOWN_NAMESPACE -> throw unknownNamespace(ns);
      case INVALID -> throw GatewayError.badRequest("invalid_request", "a namespace needs a name, and its ttlSeconds "
        + "must be whole seconds from 0 to " + ContextStore.MAX_TTL_SECONDS + " (ten years)");
      case FULL -> throw new GatewayError(507, "context_full", "context.maxBytes reached: the Context Service holds "
        + "as much as it may; nothing was written (delete data, or raise context.maxBytes)");
    };
  }

  private static GatewayError unknownNamespace(String ns) {
    return GatewayError.notFound("unknown_namespace", "no context namespace '" + ns + "'; register it with PUT "
      + "/api/context/namespaces/" + ns + " (or botContext.registerContextNamespace)");
  }

  /** Runs the store call on a worker; answers its JSON, or an empty body for 204. */
  private static void blocking(RoutingContext ctx, int status, Callable<Object> call) {
    ctx.vertx().executeBlocking(call, false).onSuccess(json -> {
      if (status == 204) {
        ctx.response().setStatusCode(204).end();
      } else {
        ApiRoutes.answer(ctx, status, json);
      }
    }).onFailure(ctx::fail);
  }
}
