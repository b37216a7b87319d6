package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.Timestamps;
import io.botgate.console.DebugEvent;
import io.botgate.console.DebugStream;
import io.botgate.script.SessionScripts;
import io.botgate.session.IntegrationResult;
import io.botgate.session.Session;
import io.botgate.session.SessionStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static io.botgate.api.ApiRoutes.answer;
import static io.botgate.api.ApiRoutes.jsonBody;
import static io.botgate.api.ApiRoutes.reply;
import static io.botgate.api.ApiRoutes.sessionId;

/** {@code /api/sessions}: list, state, reset, debug history, and scripts run on their own. */
final class SessionRoutes {

  private final SessionStore sessions;
  private final SessionScripts scripts;
  private final DebugStream stream;

  SessionRoutes(SessionStore sessions, SessionScripts scripts, DebugStream stream) {
    this.sessions = sessions;
    this.scripts = scripts;
    this.stream = stream;
  }

  void mount(Router router) {
    router.get("/api/sessions").handler(ctx -> answer(ctx, 200, list()));
    router.post("/api/sessions/:session/scripts").handler(ctx -> reply(ctx, scripts.run(sessionId(ctx), jsonBody(ctx))));
    router.get("/api/sessions/:session/events").handler(this::events);
    router.get("/api/sessions/:session").handler(ctx -> answer(ctx, 200, sessions.find(sessionId(ctx))
      .orElseThrow(() -> GatewayError.notFound("unknown_session", "no session '" + ctx.pathParam("session")
        + "' (sessions start with their first execution or script)")).toJson()));
    router.delete("/api/sessions/:session").handler(ctx -> {
      sessions.reset(sessionId(ctx));
      ctx.response().setStatusCode(204).end();
    });
  }

  /** Every session with state or kept events, most recently active first. */
  private JsonArray list() {
    Set<String> ids = new TreeSet<>(stream.sessions());
    sessions.all().forEach(s -> ids.add(s.id()));
    List<JsonObject> rows = new ArrayList<>();
    for (String id : ids) {
      Optional<Session> session = sessions.find(id);
      IntegrationResult last = session.map(Session::lastResult).orElse(null);
      rows.add(new JsonObject().put("session", id).put("lastSeq", stream.lastSeq(id))
        .put("lastResult", last == null ? null : last.toJson())
        .put("lastActivity", session.map(s -> Timestamps.iso(s.lastActivity())).orElse(null)));
    }
    rows.sort(Comparator.comparing((JsonObject r) -> r.getString("lastActivity"),
      Comparator.nullsLast(Comparator.reverseOrder())));
    return new JsonArray(new ArrayList<>(rows));
  }

  private void events(RoutingContext ctx) {
    String session = sessionId(ctx);
    long after = number(ctx, "after", 0, Long.MAX_VALUE, 0);
    int limit = (int) number(ctx, "limit", 1, 1000, 1000);
    answer(ctx, 200, new JsonObject().put("session", session).put("lastSeq", stream.lastSeq(session))
      .put("events", DebugEvent.array(stream.history(session, after, limit))));
  }

  private static long number(RoutingContext ctx, String name, long min, long max, long dflt) {
    String text = ctx.request().getParam(name);
    if (text == null || text.isEmpty()) {
      return dflt;
    }
    try {
      long value = Long.parseLong(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw GatewayError.badRequest("invalid_parameter", "'" + name + "' must be a whole number from " + min
      + " to " + max + ", not '" + text + "'");
  }
}
