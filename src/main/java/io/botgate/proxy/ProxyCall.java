package io.botgate.proxy;

import io.botgate.integration.CredentialGrant;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.PassThrough;
import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.internal.ContextInternal;

import java.util.concurrent.TimeUnit;

/**
 * One call through the proxy, from the caller's request to the last byte of the answer: where it goes,
 * its deadline, and whether its outcome has been recorded (exactly once).
 */
final class ProxyCall {

  final IntegrationDefinition definition;
  final PassThrough record;
  /** What the integration's credential added, or null. */
  CredentialGrant grant;
  String host;
  int port;
  boolean ssl;
  /** The request to the upstream, once a connection is had: what the deadline resets. */
  HttpClientRequest upstream;
  MeteredBody requestBody;
  /** When the deadline passes ({@link System#nanoTime()}), and what it does then, on {@link #context}. */
  long dueNanos;
  private Runnable expired;
  private ContextInternal context;
  /** The deadline fired or was cancelled: it does nothing more. */
  volatile boolean deadlineSettled;
  /** The list this call's deadline waits in, and its neighbours there; see {@link Deadlines}. */
  Deadlines deadlines;
  Deadlines.Lane lane;
  ProxyCall previousDue;
  ProxyCall nextDue;
  boolean timedOut;
  boolean recorded;

  ProxyCall(IntegrationDefinition definition, PassThrough record) {
    this.definition = definition;
    this.record = record;
  }

  /**
   * Runs {@code expired} on this context in {@code millis} unless cancelled first. Kept with the other
   * calls of this event loop ({@link Deadlines}) rather than as a task or a Vert.x timer of its own: a timer
   * is also an entry in a map shared by every thread, and a task a place in the loop's queue, each added
   * and removed again on each call, and nearly every call is answered in time.
   */
  void deadline(Vertx vertx, long millis, Runnable expired) {
    ContextInternal current = (ContextInternal) vertx.getOrCreateContext();
    this.context = current;
    this.expired = expired;
    long length = TimeUnit.MILLISECONDS.toNanos(millis);
    dueNanos = System.nanoTime() + length;
    EventLoop loop = current.nettyEventLoop();
    if (loop.inEventLoop()) {
      Deadlines.of(loop).add(this, length);
    } else {
      loop.execute(() -> Deadlines.of(loop).add(this, length));
    }
  }

  /** The deadline passed: runs what it does on the call's context, unless the call was answered meanwhile. */
  void expire() {
    context.runOnContext(v -> {
      if (!deadlineSettled) { // answered meanwhile: cancelling cannot stop an expiry already on its way
        deadlineSettled = true;
        expired.run();
      }
    });
  }

  void cancelDeadline() {
    if (deadlineSettled) {
      return;
    }
    deadlineSettled = true;
    Deadlines list = deadlines;
    if (list != null && list.owned()) {
      list.remove(this);
    }
  }

  String deadlineReason() {
    return "no complete answer within the deadline of " + definition.timeoutMs() + " ms";
  }

  /**
   * Why the call went wrong, as the result ({@code statusCode}, {@code reason}) and the caller's answer
   * ({@code httpStatus}, {@code code}) tell it.
   */
  record Failure(int httpStatus, String code, String statusCode, String reason) {
  }

  /** A failure known before or while connecting, carried through the proxy's futures. */
  static final class Refused extends RuntimeException {
    final Failure failure;

    Refused(Failure failure) {
      super(failure.reason(), null, false, false);
      this.failure = failure;
    }
  }
}
