package io.botgate.api;

import io.botgate.GatewayError;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Requires {@code Authorization: Bearer <auth.token>} when a token is configured. */
public final class BearerAuth implements Handler<RoutingContext> {

  private final byte[] expected;

  public BearerAuth(String token) {
    this.expected = token == null || token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (expected == null || accepted(ctx.request().getHeader("Authorization"))
      || accepted(ctx.request().getParam("access_token") == null ? null : "Bearer " + ctx.request().getParam("access_token"))) {
      ctx.next();
      return;
    }
    ctx.fail(new GatewayError(401, "unauthorized", "this gateway requires 'Authorization: Bearer <auth.token>'"));
  }

  private boolean accepted(String header) {
    return header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8));
  }
}
