package io.botgate.proxy;

import io.botgate.integration.CredentialGrant;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.PassThrough;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.internal.ContextInternal;

import java.util.concurrent.ScheduledFuture;
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
  /** The deadline's task on the event loop, until the outcome is recorded. */
  private ScheduledFuture<?> deadline;
  boolean timedOut;
  boolean recorded;

  ProxyCall(IntegrationDefinition definition, PassThrough record) {
    this.definition = definition;
    this.record = record;
  }

  /**
   * Runs {@code expired} on this event loop's context in {@code millis} unless cancelled first. Scheduled on
   * the event loop itself rather than as a Vert.x timer: a timer is also an entry in a map shared by every
   * thread, added and removed again on each call, and nearly every call is answered in time.
   */
  void deadline(Vertx vertx, long millis, Runnable expired) {
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    deadline = context.nettyEventLoop().schedule(() -> context.runOnContext(v -> {
      if (deadline != null) { // not answered meanwhile: cancelling cannot stop a task that already fired
        deadline = null;
        expired.run();
      }
    }), millis, TimeUnit.MILLISECONDS);
  }

  void cancelDeadline() {
    ScheduledFuture<?> scheduled = deadline;
    if (scheduled != null) {
      deadline = null;
      scheduled.cancel(false);
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
