package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.cluster.ReplicatedDefinitions;
import io.botgate.credentials.Credential;
import io.botgate.credentials.CredentialRegistry;
import io.botgate.integration.IntegrationDefinition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /api/credentials}: list (names and types only, never a value), declare or replace, delete. A PUT is
 * validated as an integration's is, every problem listed; a credential an integration still names is not deleted.
 */
public final class CredentialRoutes {

  private final CredentialRegistry credentials;
  private final ReplicatedDefinitions<Credential> saved;
  /** The integrations that may call: the gateway's, and the definitions imported bots set aside until they go. */
  private final Supplier<Collection<IntegrationDefinition>> integrations;
  /** Credential DELETEs, one at a time with integration PUTs (each checks the other kind). */
  private final DefinitionChanges changes;

  /**
   * @param saved where a change goes: {@code credentials.file} and every node
   * @param integrations every definition that may name a credential: the registry's, and those an imported bot
   *                     replaced, which come back when it is removed
   */
  public CredentialRoutes(CredentialRegistry credentials, ReplicatedDefinitions<Credential> saved,
                          Supplier<Collection<IntegrationDefinition>> integrations, DefinitionChanges changes) {
    this.changes = changes;
    this.credentials = credentials;
    this.saved = saved;
    this.integrations = integrations;
  }

  /** Mounts the routes; the API's auth, body and failure handlers (ApiRoutes) apply to them. */
  public void mount(Router router) {
    router.get("/api/credentials").handler(ctx -> {
      JsonArray out = new JsonArray();
      credentials.all().forEach(c -> out.add(c.summary()));
      ApiRoutes.answer(ctx, 200, out);
    });
    router.get("/api/credentials/:name").handler(ctx -> ApiRoutes.answer(ctx, 200, credential(ctx.pathParam("name")).summary()));
    // On a worker: a certificate is parsed to be checked.
    router.put("/api/credentials/:name").blockingHandler(this::put, false);
    // On a worker: the imports' set-aside definitions are read under the importer's lock, which an import holds
    // while it compiles the bot's scripts.
    router.delete("/api/credentials/:name").blockingHandler(this::delete, false);
  }

  private Credential credential(String name) {
    return credentials.find(name).orElseThrow(() -> GatewayError.notFound("unknown_credential",
      "no credential named '" + name + "'; GET /api/credentials lists them"));
  }

  private void put(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    JsonObject body = ApiRoutes.jsonBody(ctx);
    if (body == null) {
      throw GatewayError.badRequest("invalid_request", "PUT needs the credential as a JSON object");
    }
    Credential credential = credentials.read(body, name);
    // The file keeps what the user sent: a {$env.NAME} stays a reference.
    saved.put(name, body.copy().put("name", name), credential)
      .onSuccess(replaced -> ApiRoutes.answer(ctx, replaced ? 200 : 201, credential.summary()))
      .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    credential(name);
    changes.next(() -> {
      List<String> users = integrations.get().stream().filter(d -> name.equals(d.credential()))
        .map(IntegrationDefinition::name).distinct().toList();
      if (!users.isEmpty()) {
        throw new GatewayError(409, "credential_in_use", "credential '" + name + "' is named by " + users
          + "; change or delete those integrations first");
      }
      return saved.remove(name);
    }).onSuccess(removed -> {
      if (removed) {
        ctx.response().setStatusCode(204).end();
      } else {
        ctx.fail(GatewayError.notFound("unknown_credential", "no credential named '" + name + "'"));
      }
    }).onFailure(ctx::fail);
  }
}
