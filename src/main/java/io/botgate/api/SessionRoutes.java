package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.OnLoop;
import io.botgate.Timestamps;
import io.botgate.events.ClusterEvents;
import io.botgate.events.DebugEvent;
import io.botgate.events.DebugStream;
import io.botgate.events.EventPage;
import io.botgate.events.Gap;
import io.botgate.script.SessionScripts;
import io.botgate.session.IntegrationResult;
import io.botgate.session.Session;
import io.botgate.session.SessionCursor;
import io.botgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

import static io.botgate.api.ApiRoutes.answer;
import static io.botgate.api.ApiRoutes.callerGone;
import static io.botgate.api.ApiRoutes.jsonBody;
import static io.botgate.api.ApiRoutes.reply;
import static io.botgate.api.ApiRoutes.sessionId;

/** {@code /api/sessions}: list, state, reset, debug history, and scripts run on their own. */
final class SessionRoutes {

  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;
  /**
   * The most event text a page of {@code GET /api/sessions/{session}/events} holds (its first event whatever its
   * size): a thousand events of 130 KB each (a message quotes its text twice) made one answer of 130 MB, and a
   * few such requests at once ran the heap out.
   */
  static final long EVENTS_PAGE_BYTES = 4L << 20;

  private final SessionStore sessions;
  private final SessionScripts scripts;
  private final DebugStream stream;

  SessionRoutes(SessionStore sessions, SessionScripts scripts, DebugStream stream) {
    this.sessions = sessions;
    this.scripts = scripts;
    this.stream = stream;
  }

  void mount(Router router) {
    router.get("/api/sessions").handler(this::list);
    router.post("/api/sessions/:session/scripts").handler(ctx -> reply(ctx, scripts.run(sessionId(ctx), jsonBody(ctx),
      callerGone(ctx, "script", null))));
    router.get("/api/sessions/:session/events").handler(this::events);
    router.get("/api/sessions/:session").handler(this::describe);
    router.delete("/api/sessions/:session").handler(ctx -> sessions.reset(sessionId(ctx))
      .onSuccess(gone -> ctx.response().setStatusCode(204).end())
      .onFailure(ctx::fail));
  }

  /**
   * A session's variables, last result and recent results, scrubbed of the secrets botgate sent (the variables may
   * hold what an upstream echoed). Those of a session holding more than {@link OnLoop#MAX_BYTES} are scrubbed and
   * written out on a worker ({@link ShownSessions}).
   */
  private void describe(RoutingContext ctx) {
    reply(ctx, sessions.describe(sessionId(ctx)).compose(state -> {
      if (state == null) {
        throw GatewayError.notFound("unknown_session", "no session '" + ctx.pathParam("session")
          + "' (sessions start with their first execution or script)");
      }
      if (ShownSessions.onLoop(state)) {
        return Future.succeededFuture(stream.secrets().scrub(state));
      }
      return ShownSessions.text(ctx.vertx(), stream.secrets(), state);
    }));
  }

  /**
   * One page of live sessions, newest activity first: {@code {"sessions": [...], "next": cursor or null,
   * "total": n}}. The walk over every session runs on a worker, so a million of them never stall an
   * event loop.
   */
  private void list(RoutingContext ctx) {
    int limit = (int) number(ctx, "limit", 1, MAX_PAGE, DEFAULT_PAGE);
    SessionCursor after = cursor(ctx);
    reply(ctx, ctx.vertx().executeBlocking(() -> sessions.page(after, limit), false).compose(f -> f).map(page -> {
      JsonArray rows = new JsonArray(new ArrayList<>(page.rows().size()));
      for (SessionStore.Listed listed : page.rows()) {
        rows.add(row(listed));
      }
      return new JsonObject().put("sessions", rows)
        .put("next", page.next() == null ? null : page.next().encode())
        .put("total", page.total());
    }));
  }

  private JsonObject row(SessionStore.Listed listed) {
    Session session = listed.session();
    IntegrationResult last = session.lastResult();
    // in a cluster the session's state carries the last number any node gave; this node's history may have none
    long lastSeq = Math.max(stream.lastSeq(session.id()), session.lastSeq());
    return new JsonObject().put("session", session.id()).put("lastSeq", lastSeq)
      .put("lastResult", last == null ? null : last.toJson())
      .put("lastActivity", Timestamps.iso(listed.lastActivity()));
  }

  private static SessionCursor cursor(RoutingContext ctx) {
    String text = ctx.request().getParam("cursor");
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return SessionCursor.parse(text);
    } catch (IllegalArgumentException e) {
      throw GatewayError.badRequest("invalid_parameter", "'cursor' must be the 'next' of a previous page: "
        + e.getMessage());
    }
  }

  private void events(RoutingContext ctx) {
    String session = sessionId(ctx);
    long after = number(ctx, "after", 0, Long.MAX_VALUE, 0);
    int limit = (int) number(ctx, "limit", 1, 1000, 1000);
    // in a cluster every member's history, merged by seq
    stream.page(session, after, limit, EVENTS_PAGE_BYTES).onSuccess(page -> answer(ctx, 200, new JsonObject()
      .put("session", session).put("lastSeq", page.lastSeq()).put("events", DebugEvent.array(page.events()))
      .put("gaps", gaps(page, after)).put("unanswered", new JsonArray(page.unanswered()))))
      .onFailure(ctx::fail);
  }

  /** What the page skips, as a console's gap frames say it: the client pages on after the last one's {@code to}. */
  private JsonArray gaps(EventPage page, long after) {
    ClusterEvents cluster = stream.cluster();
    // as a console's replay: a member that left within the history's keep time may have held them
    List<String> left = cluster == null ? List.of() : cluster.leftSince(System.currentTimeMillis() - stream.keepMillis());
    JsonArray gaps = new JsonArray();
    for (Gap gap : page.gaps(after, left)) {
      gaps.add(gap.toJson());
    }
    return gaps;
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
