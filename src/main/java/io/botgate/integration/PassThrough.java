package io.botgate.integration;

import io.botgate.session.IntegrationResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.util.Map;

/**
 * A call the pass-through proxy streams itself, recorded as an execution is: the console's start event,
 * then one outcome that becomes the session's most recent result, is published on {@code botgate.results},
 * sets {@code api_<rdv>}, {@code api_<rdv>Status} and the custom data fields, and ends with the finish event.
 * Retries and the pre/post scripts do not apply; the transform script runs on a captured body only.
 */
public interface PassThrough {

  /**
   * The integration's {@code url} for this session (placeholders filled, a path on this gateway made
   * absolute), without its declared {@code query} parameters: the caller sends its own.
   *
   * @throws TemplateRejection when a placeholder cannot be filled
   */
  String baseUrl();

  /**
   * The integration's credential went into the request: its secrets are scrubbed from whatever the call's
   * events show (an answer that echoes them). Call after {@link #baseUrl()}.
   */
  default void credential(CredentialGrant grant) {
  }

  /** Shows the request on the console: method, URL and headers, secrets masked. */
  void started(HttpMethod method, String url, Iterable<Map.Entry<String, String>> headers);

  /**
   * Upstream answered {@code httpStatus} and the body went to the caller.
   *
   * @param captured the JSON body kept for {@code api_<rdv>} and the fields, or null when none was kept
   */
  Future<IntegrationResult> answered(int httpStatus, Buffer captured);

  /**
   * Record mode: keeps the answer passed on as one of the integration's recorded mocks, masked as an execution's is,
   * so that mock mode answers the same request with it. Completes once it is written, or refused with a warning
   * saying why; the call's answer stands either way.
   *
   * @param url  the target the call was sent to
   * @param body the body as the integration reads it (decoded from a gzip or deflate Content-Encoding); null for none
   */
  Future<Void> keepAsMock(HttpMethod method, String url, int httpStatus, MultiMap headers, Buffer body);

  /** No usable answer: {@code statusCode} is "440", "460", "502" or "504", {@code reason} says why. */
  Future<IntegrationResult> failed(String statusCode, String reason);

  /**
   * Text about the call as it may be shown to its caller: a reason may quote what a token endpoint or the upstream
   * sent, so it is scrubbed of the secrets botgate knows and of this call's own, as the call's events are.
   */
  default String shown(String text) {
    return text;
  }

  /** A warning on the session's console, beside the call's events. */
  void warning(String text);
}
