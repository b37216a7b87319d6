package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.cb.BotRegistry;
import io.botgate.cb.CbBot;
import io.botgate.cb.CbImporter;
import io.botgate.cb.InteractionRunner;
import io.botgate.cb.SavedImports;
import io.botgate.cluster.ReplicatedDefinitions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import static io.botgate.api.ApiRoutes.answer;
import static io.botgate.api.ApiRoutes.callerGone;
import static io.botgate.api.ApiRoutes.jsonBody;
import static io.botgate.api.ApiRoutes.reply;
import static io.botgate.api.ApiRoutes.sessionId;

/**
 * Conversation Builder compatibility over HTTP: {@code POST /api/import/cb}, the imported bots
 * ({@code GET /api/bots}, {@code GET|DELETE /api/bots/{bot}}) and their interactions
 * ({@code POST /api/sessions/{session}/bots/{bot}/interactions/{name}}).
 */
public final class CbRoutes {

  private final CbImporter importer;
  private final BotRegistry bots;
  private final ReplicatedDefinitions<CbImporter.Checked> saved;
  private final InteractionRunner interactions;

  /** @param saved where an import goes: {@code imports.file} and every node */
  public CbRoutes(CbImporter importer, BotRegistry bots, ReplicatedDefinitions<CbImporter.Checked> saved,
                  InteractionRunner interactions) {
    this.importer = importer;
    this.bots = bots;
    this.saved = saved;
    this.interactions = interactions;
  }

  /** Mounts the routes; call after {@link ApiRoutes#mount}, whose auth, body and failure handlers cover them. */
  public void mount(Router router) {
    router.post("/api/sessions/:session/bots/:bot/interactions/:name").handler(ctx -> reply(ctx,
      interactions.run(sessionId(ctx), ctx.pathParam("bot"), ctx.pathParam("name"), jsonBody(ctx),
        callerGone(ctx, "interaction", ctx.pathParam("name")))));
    // On a worker: checking the export's scripts compiles them, which can take a while for a large bot.
    router.post("/api/import/cb").blockingHandler(this::importExport, false);
    router.get("/api/bots").handler(ctx -> {
      JsonArray out = new JsonArray();
      bots.all().forEach(b -> out.add(b.summary()));
      answer(ctx, 200, out);
    });
    router.get("/api/bots/:bot").handler(ctx -> answer(ctx, 200, bot(ctx).summary()));
    router.delete("/api/bots/:bot").handler(this::deleteBot);
  }

  private void importExport(RoutingContext ctx) {
    JsonObject request = jsonBody(ctx);
    CbImporter.Checked checked = importer.check(request);
    // Saved, then installed here (and on every node) by importing it: nothing changes when it cannot be saved.
    saved.put(checked.bot(), SavedImports.saved(checked.bot(), request), checked).onSuccess(replaced -> {
      CbImporter.Imported imported = checked.imported();
      answer(ctx, imported.created() ? 201 : 200, imported.answer());
    }).onFailure(ctx::fail);
  }

  private CbBot bot(RoutingContext ctx) {
    String name = ctx.pathParam("bot");
    return bots.find(name).orElseThrow(() -> GatewayError.notFound("unknown_bot", "no imported bot named '" + name
      + "'"));
  }

  /**
   * Forgets the bot: its interactions, global functions and integrations (each goes back to what the bot's
   * import had replaced, as a restart would make it). A bot imported through the API is forgotten on every node
   * and in {@code imports.file}; one of {@code imports.cb} only here (it comes back at the next start).
   */
  private void deleteBot(RoutingContext ctx) {
    String name = bot(ctx).name();
    saved.remove(name).onSuccess(removed -> {
      if (removed || importer.remove(name)) {
        ctx.response().setStatusCode(204).end();
      } else {
        ctx.fail(GatewayError.notFound("unknown_bot", "no imported bot named '" + name + "'"));
      }
    }).onFailure(ctx::fail);
  }
}
