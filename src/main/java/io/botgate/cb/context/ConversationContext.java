package io.botgate.cb.context;

import io.botgate.GatewayError;
import io.botgate.OnLoop;
import io.botgate.session.HeldBytes;
import io.botgate.session.RequestScope;
import io.botgate.session.Session;
import io.botgate.session.SessionId;
import io.botgate.session.SessionLimitExceeded;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code context} a request may carry (what CB knows of the conversation from LivePerson):
 * {@code accountId}, {@code userPlatformId}, {@code channel}, {@code dialogStarterIntent} (strings) and
 * {@code engagementAttributes}, {@code customerInfo}, {@code personalInfo}, {@code webViewVariables},
 * {@code userLocation} (objects). A session keeps it; a later request's context is merged into the kept
 * one key by key (a key given as null removes it).
 */
public final class ConversationContext {

  public static final Set<String> TEXTS = Set.of("accountId", "userPlatformId", "channel", "dialogStarterIntent");
  public static final Set<String> OBJECTS = Set.of("engagementAttributes", "customerInfo", "personalInfo",
    "webViewVariables", "userLocation");

  private ConversationContext() {
  }

  /**
   * Checks a request's {@code context} field; null when absent.
   *
   * @throws GatewayError 400 listing every wrong key
   */
  public static JsonObject check(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject context)) {
      throw GatewayError.badRequest("invalid_request", "'context' must be a JSON object");
    }
    List<String> problems = new ArrayList<>();
    for (String key : context.fieldNames()) {
      Object v = context.getValue(key);
      if (TEXTS.contains(key)) {
        if (v != null && !(v instanceof String)) {
          problems.add("context." + key + " must be a string");
        } else if (key.equals("userPlatformId") && v != null && userProblem((String) v) != null) {
          problems.add("context.userPlatformId " + userProblem((String) v)
            + (((String) v).isBlank() ? " (leave it out, and the session id names the user)" : ""));
        }
      } else if (OBJECTS.contains(key)) {
        if (v != null && !(v instanceof JsonObject)) {
          problems.add("context." + key + " must be a JSON object");
        }
      } else {
        Set<String> known = new TreeSet<>(TEXTS);
        known.addAll(OBJECTS);
        problems.add("unknown field 'context." + key + "'; known fields are " + known);
      }
    }
    if (!problems.isEmpty()) {
      throw new GatewayError(400, "invalid_request", String.join("; ", problems),
        new JsonObject().put("problems", new JsonArray(problems)));
    }
    return context;
  }

  /**
   * Why a {@code userPlatformId} cannot name a user, or null, said after the thing named ("... may not be empty").
   * The user's Context Service data is keyed by it: a blank one (a field the caller's system left empty) would make
   * every such conversation share one user's data, and one with a control character or a lone surrogate could not be
   * named over HTTP (nor, in a cluster, kept apart from '?'), nor one of '.' and '..'. No conversation has a user named so (the session id,
   * its user without a {@code userPlatformId}, follows rules as strict), so the HTTP API refuses such a user too.
   */
  public static String userProblem(String id) {
    if (id.isBlank()) {
      return "may not be empty or only white space";
    }
    if (id.equals(".") || id.equals("..")) {
      return "may not be '" + id + "': no path of the API could name the user (a path drops such a segment)";
    }
    String unsayable = SessionId.unsayable(id);
    return unsayable == null ? null : "may not hold " + unsayable;
  }

  /** The kept context with the given one merged in key by key; null keys removed; null when empty. */
  public static JsonObject merge(JsonObject kept, JsonObject given) {
    if (given == null) {
      return kept;
    }
    JsonObject out = kept == null ? new JsonObject() : kept.copy();
    given.forEach(e -> {
      if (e.getValue() == null) {
        out.remove(e.getKey());
      } else {
        out.put(e.getKey(), e.getValue() instanceof JsonObject o ? o.copy() : e.getValue());
      }
    });
    return out.isEmpty() ? null : out;
  }

  /**
   * Whether {@link #keep} of {@code given} is work for an event loop: nothing given (most requests), or the context kept
   * and the one given each within {@link OnLoop#MAX_BYTES} (the given one counted no further). A larger one is copied
   * and counted on a worker: a 3 MB context held the event loop about 20 ms.
   */
  public static boolean keptOnLoop(Session session, JsonObject given) {
    return given == null || session.contextBytes() <= OnLoop.MAX_BYTES
      && HeldBytes.of(given, OnLoop.MAX_BYTES) <= OnLoop.MAX_BYTES;
  }

  /**
   * A request's scope over the session, the request's context kept in the session, made here when both are small (the
   * usual request: no hop, no future); null when the context or the variables are large, nothing done then:
   * {@link #scopeElsewhere} makes it.
   *
   * @throws GatewayError 413 when the session cannot hold the context ({@code session.maxBytes})
   */
  public static RequestScope scopeOnLoop(Session session, JsonObject context, JsonObject variables, JsonObject slots,
                                         String userMessage) {
    if (!keptOnLoop(session, context)) {
      return null;
    }
    RequestScope scope = RequestScope.onLoop(session, variables, slots, userMessage);
    if (scope != null) {
      keep(session, context);
    }
    return scope;
  }

  /**
   * As {@link #scopeOnLoop}, on {@code elsewhere} (a worker, inside the session's turn, which keeps its place among the
   * session's requests and waits meanwhile): for a large context or large variables (a 3 MB request's took the event
   * loop 10 to 20 ms).
   */
  public static Future<RequestScope> scopeElsewhere(OnLoop.Elsewhere elsewhere, Session session, JsonObject context,
                                                    JsonObject variables, JsonObject slots, String userMessage) {
    return elsewhere.run(() -> {
      keep(session, context);
      return new RequestScope(session, variables, slots, userMessage);
    });
  }

  /**
   * Merges a request's (checked) context into the session's.
   *
   * @throws GatewayError 413 when the session cannot hold it ({@code session.maxBytes})
   */
  public static void keep(Session session, JsonObject given) {
    if (given == null) {
      return;
    }
    synchronized (session) {
      try {
        session.context(merge(session.context(), given));
      } catch (SessionLimitExceeded e) {
        throw new GatewayError(413, "session_limit", e.getMessage());
      }
    }
  }

  /** The user a conversation belongs to: the context's {@code userPlatformId}, else the session id (CB keys sessions by user). */
  public static String user(Session session) {
    JsonObject context = session.context();
    return context != null && context.getValue("userPlatformId") instanceof String id ? id : session.id();
  }
}
