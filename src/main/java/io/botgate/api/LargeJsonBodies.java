package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.OnLoop;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Consumer;

/**
 * Decodes an API request's JSON body of more than {@link OnLoop#MAX_BYTES} on a worker before its route runs, which
 * then takes it from {@link ApiRoutes#jsonBody} as it would have decoded it: an execute body of 20,000 variables (a
 * megabyte) held the event loop up to 200 ms while it was decoded there. The usual body of a few dozen bytes is
 * decoded where its route reads it, as before, no hop added. A body that does not decode is kept as its refusal,
 * given where the route reads it, so every route answers as before.
 */
final class LargeJsonBodies implements Handler<RoutingContext> {

  /** Where a decoded body (a JsonObject, or the GatewayError refusing it) waits for its route. */
  static final String DECODED = "botgate.decodedBody";

  /** Called with the thread that decodes a large body, as it begins (for tests). */
  static volatile Consumer<Thread> whileDecoding = thread -> { };

  @Override
  public void handle(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    if (raw == null || raw.length() <= OnLoop.MAX_BYTES || !JsonMediaType.isJson(ctx.request().getHeader("Content-Type"))) {
      ctx.next();
      return;
    }
    ctx.vertx().executeBlocking(() -> {
      whileDecoding.accept(Thread.currentThread());
      try {
        return (Object) ApiRoutes.decodedBody(raw);
      } catch (GatewayError refused) {
        return refused;
      }
    }, false).onComplete(decoded -> {
      if (decoded.failed()) {
        ctx.fail(decoded.cause());
        return;
      }
      ctx.put(DECODED, decoded.result());
      ctx.next();
    });
  }
}
