package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.JsonText;
import io.botgate.script.ScriptText;
import io.botgate.session.CallerGone;
import io.botgate.session.RefusalEvents;
import io.botgate.session.SessionId;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Set;

/**
 * The refusal of a request made for a session (an execution, a script, a CB interaction) shown in that session's
 * console as well as answered: a body that is not JSON, a media type other than JSON, an unknown field, a body
 * over the limit, a value of the wrong type, a busy session... reached the bot's HTTP answer only, while the
 * developer watched the console. Shown only where a developer can be watching, a session with events already
 * ({@link RefusalEvents}). A failure handler in front of the API's own, which then answers as ever.
 * <p>
 * Not shown: a request the gateway's checks refused (401 without the token, 403 for a foreign origin or host),
 * which may not write into any console; refusals that show themselves ({@code unknown_integration},
 * {@code caller_gone}); and the gateway's own failures (5xx), which are logged. The event's text is the answer's
 * message, as every event's scrubbed of known secrets, without a token Jackson quotes from the body (a secret
 * cut at a '.' or '-' escapes the scrubbing), and cut at {@link #SHOWN_CHARS}: a message may quote a field name
 * the body made up, of any length.
 */
final class ShownRefusals implements Handler<RoutingContext> {

  /** The longest text of a refusal's event: a few lines of the console. */
  static final int SHOWN_CHARS = 1_000;

  private static final List<String> PATHS = List.of("/api/sessions/:session/integrations/:name",
    "/api/sessions/:session/scripts", "/api/sessions/:session/bots/:bot/interactions/:name");
  private static final Set<String> SHOWN_ALREADY = Set.of("unknown_integration", "caller_gone");

  private final RefusalEvents refusals;

  ShownRefusals(RefusalEvents refusals) {
    this.refusals = refusals;
  }

  /** Mounts the handler on the session routes; before the API's failure handler, which answers after it. */
  void mount(Router router) {
    for (String path : PATHS) {
      router.post(path).failureHandler(this);
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    try {
      String session = ctx.pathParam("session");
      GatewayError error = ApiRoutes.toError(ctx.failure(), ctx.statusCode());
      if (shown(error) && session != null && SessionId.problem(session) == null) {
        refusals.show(session, text(error), data(ctx, error));
      }
    } finally {
      ctx.next();
    }
  }

  static boolean shown(GatewayError error) {
    int status = error.httpStatus();
    return status >= 400 && status < 500 && status != 401 && status != 403 && status != CallerGone.STATUS
      && !SHOWN_ALREADY.contains(error.code());
  }

  static String text(GatewayError error) {
    return ScriptText.bounded(JsonText.withoutQuotedText(error.getMessage()), SHOWN_CHARS);
  }

  private static JsonObject data(RoutingContext ctx, GatewayError error) {
    JsonObject data = new JsonObject().put("code", error.code()).put("status", error.httpStatus());
    String name = ctx.pathParam("name"); // the names are as the path gave them: at most http's line length
    String bot = ctx.pathParam("bot");
    if (bot != null) {
      data.put("bot", bot).put("interaction", name);
    } else if (name != null) {
      data.put("integration", name);
    }
    return data;
  }
}
