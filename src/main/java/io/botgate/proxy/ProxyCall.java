package io.botgate.proxy;

import io.botgate.Deadline;
import io.botgate.integration.CredentialGrant;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.PassThrough;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;

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
  /** Authorization from the URL's user info, sent unless the request has its own; null without user info. */
  String basic;
  /** The request to the upstream, once a connection is had: what the deadline resets. */
  HttpClientRequest upstream;
  MeteredBody requestBody;
  /** The answer's Content-Encoding, or null: a captured copy is decoded from it. */
  String contentEncoding;
  /** Whether a JSON answer is kept for {@code api_<rdv>} ({@code "capture": true}, within upstream.limit.bytes). */
  boolean capture;
  /** Record mode: the method and target the call was sent with, to keep its answer as a mock; null otherwise. */
  HttpMethod recordedMethod;
  String recordedTarget;
  /** Record mode: the answer's headers as the upstream sent them (hop-by-hop ones aside). */
  MultiMap recordedHeaders;
  /** Set when the call starts; what it does runs on the call's context. */
  private Deadline deadline;
  boolean timedOut;
  boolean recorded;

  /**
   * When the call came in (epoch ms): its deadline counts from here, opening its session in a cluster and a
   * credential's fetch included.
   */
  private final long began;

  ProxyCall(IntegrationDefinition definition, PassThrough record, long began) {
    this.definition = definition;
    this.record = record;
    this.began = began;
  }

  /** Whether its answer is to be kept as a mock (record mode, and not given up on). */
  boolean recording() {
    return recordedTarget != null;
  }

  /** What is left of the integration's {@code timeoutMs} since the call began; 1 ms at least. */
  long remainingMs() {
    return Math.max(1, definition.timeoutMs() - (System.currentTimeMillis() - began));
  }

  /** Runs {@code expired} on the calling context in {@code millis} ms, unless cancelled first. */
  void deadline(Vertx vertx, long millis, Runnable expired) {
    deadline = Deadline.start(vertx, millis, expired);
  }

  void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel();
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
