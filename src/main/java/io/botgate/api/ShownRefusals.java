package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.session.RefusalEvents;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * The refusal of a request made for a session (an execution, a script, a CB interaction) shown in that session's
 * console as well as answered: a body that is not JSON, a media type other than JSON, an unknown field, a body
 * over the limit, a value of the wrong type, a busy session... reached the bot's HTTP answer only, while the
 * developer watched the console. Which refusals, where and how is {@link RefusalEvents}'s to say, for every way in.
 * A failure handler in front of the API's own, which then answers as ever.
 */
final class ShownRefusals implements Handler<RoutingContext> {

  private static final List<String> PATHS = List.of("/api/sessions/:session/integrations/:name",
    "/api/sessions/:session/scripts", "/api/sessions/:session/bots/:bot/interactions/:name");

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
      GatewayError error = ApiRoutes.toError(ctx.failure(), ctx.statusCode());
      refusals.show(ctx.pathParam("session"), error, about(ctx));
    } finally {
      ctx.next();
    }
  }

  private static JsonObject about(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    String bot = ctx.pathParam("bot");
    return bot != null ? new JsonObject().put("bot", bot).put("interaction", name)
      : new JsonObject().put("integration", name);
  }
}
