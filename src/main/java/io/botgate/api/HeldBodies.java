package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.session.HeldTotal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Supplier;

/**
 * {@code body.held.bytes}: the most the API's requests may hold at once in request bodies, from the body read
 * until the request is answered and its work has ended, whichever comes later. A request waiting for its
 * session's turn keeps its body and what was parsed of it (about three times its bytes) however long the turns
 * before it take, and its client may have gone: up to {@code session.queue} of them on every session, 1 MiB each,
 * ran the heap out. Past the bound a request is answered 503 {@code gateway_busy} before its work starts; one
 * request is always taken when nothing is held, so a body of any allowed size can be sent. Requests on the event
 * bus (the TCP bridge's among them) are charged from the same bound ({@link #around}).
 */
public final class HeldBodies implements Handler<RoutingContext> {

  /** What a request is charged besides its body's bytes: its context, its parsed form's objects, its future. */
  static final int PER_REQUEST = 1024;
  /**
   * Bodies below this are not charged over HTTP: what they hold is bounded by the connections
   * ({@code http.connections}, a request at a time each), and an execution's few dozen bytes pay nothing for the
   * count.
   */
  static final int UNCOUNTED_BELOW = 8 * 1024;
  private static final String KEY = "botgate.held";

  private final HeldTotal held;

  /** {@code limit} 0: a sixteenth of the heap. */
  public HeldBodies(long limit) {
    this.held = new HeldTotal(limit > 0 ? limit : Runtime.getRuntime().maxMemory() / 16);
  }

  /** Charges {@code cost}; the refusal when it would pass the bound (nothing charged then), else null. */
  private GatewayError charge(long cost) {
    if (held.reserve(cost, true)) {
      return null;
    }
    return new GatewayError(503, "gateway_busy", "requests not yet answered hold " + held.held()
      + " bytes of request bodies, and this one would pass body.held.bytes (" + held.max() + "); try again later");
  }

  /**
   * Runs {@code work} for a request whose body takes about {@code bodyBytes}, charged until the work ends; a
   * failed future with 503 {@code gateway_busy}, the work not started, past the bound.
   */
  <T> Future<T> around(long bodyBytes, Supplier<Future<T>> work) {
    long cost = PER_REQUEST + bodyBytes;
    GatewayError refusal = charge(cost);
    if (refusal != null) {
      return Future.failedFuture(refusal);
    }
    Future<T> running;
    try {
      running = work.get();
    } catch (RuntimeException e) {
      running = Future.failedFuture(e);
    }
    return running.andThen(done -> held.release(cost));
  }

  private static boolean counted(RoutingContext ctx) {
    return ctx.body() != null && ctx.body().length() >= UNCOUNTED_BELOW;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!counted(ctx)) {
      ctx.next();
      return;
    }
    long cost = PER_REQUEST + ctx.body().length();
    GatewayError refusal = charge(cost);
    if (refusal != null) {
      ctx.fail(refusal);
      return;
    }
    Charge charge = new Charge(cost);
    ctx.put(KEY, charge);
    ctx.addEndHandler(v -> charge.answerEnded()); // Vert.x Web calls it on the end, an error or the close
    ctx.next();
  }

  /** Keeps the request's charge until {@code work} ends too, when it outlives the answer (a client gone). */
  static void until(RoutingContext ctx, Future<?> work) {
    if (!counted(ctx)) {
      return; // not charged: no look in the context's data, which Vert.x Web would make a map for
    }
    Charge charge = ctx.get(KEY);
    if (charge != null && !work.isComplete()) {
      charge.workStarted();
      work.onComplete(done -> charge.workEnded());
    }
  }

  /** One request's bytes, given back once, when both its answer and its work have ended. */
  private final class Charge {
    private final long bytes;
    private boolean answerEnded;
    private boolean working;
    private boolean released;

    Charge(long bytes) {
      this.bytes = bytes;
    }

    synchronized void workStarted() {
      working = true;
    }

    synchronized void workEnded() {
      working = false;
      releaseIfDone();
    }

    synchronized void answerEnded() {
      answerEnded = true;
      releaseIfDone();
    }

    private void releaseIfDone() {
      if (answerEnded && !working && !released) {
        released = true;
        held.release(bytes);
      }
    }
  }
}
