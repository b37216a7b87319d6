package io.botgate.integration;

import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.client.impl.WebClientInternal;

/**
 * The Web Clients integration calls go through (the plain ones per event loop, an mTLS credential's own): each
 * hands the request of a {@link BoundedBody} over to it as it is sent, so that a body past its limit or a call
 * past its deadline can cut the transfer instead of the client reading it to the end; and each fails a call answered
 * with an interim status that no final answer can follow ({@link NoFinalAnswer}).
 */
public final class UpstreamClients {

  private UpstreamClients() {
  }

  /** A Web Client over {@code http} whose requests a {@link BoundedBody} can cut. */
  public static WebClient wrap(HttpClient http) {
    return wrap(http, new WebClientOptions());
  }

  /** As {@link #wrap(HttpClient)}, with the Web Client's own options (its User-Agent...). */
  public static WebClient wrap(HttpClient http, WebClientOptions options) {
    WebClientInternal client = (WebClientInternal) WebClient.wrap(http, options);
    client.addInterceptor(UpstreamClients::handOver);
    return client;
  }

  private static void handOver(HttpContext<?> call) {
    if (call.phase() == ClientPhase.SEND_REQUEST && call.request().bodyCodec() instanceof BoundedBody body) {
      body.sending(call.clientRequest());
    } else if (call.phase() == ClientPhase.RECEIVE_RESPONSE && !isFinal(call.clientResponse().statusCode())) {
      // A 101 (the Upgrade these calls never send), or an interim answer UpstreamFraming let through: no final
      // answer follows it, and after a 101 the connection no longer speaks HTTP, so it is closed, never pooled for
      // the next call (a 101 was taken for the answer and its connection left to hang the next call on it).
      // A number past 599 or below 100 (Netty reads "2000" or "42" as a status) is no HTTP status at all: a peer
      // that writes one is not trusted with the next call either.
      int status = call.clientResponse().statusCode();
      call.clientResponse().request().connection().close();
      call.fail(status >= 100 && status < 200 ? UnusableStatus.interim(status) : UnusableStatus.outOfRange(status));
      return;
    }
    call.next();
  }

  /** Whether a status is a final HTTP one: 200 to 599 (RFC 9110 15: every valid status is 100 to 599). */
  private static boolean isFinal(int status) {
    return status >= 200 && status <= 599;
  }

  /**
   * An upstream answered with a status no call can take for its own: an interim one that no final answer can
   * follow, or one outside 100-599. Either is the upstream's protocol error ("502"); another attempt would get the same.
   */
  static final class UnusableStatus extends RuntimeException {

    private UnusableStatus(String message) {
      super(message, null, false, false);
    }

    static UnusableStatus interim(int status) {
      return new UnusableStatus("the upstream answered " + status + ", an interim status, and no final answer could "
        + "follow it");
    }

    static UnusableStatus outOfRange(int status) {
      return new UnusableStatus("the upstream answered " + status + ", which is not an HTTP status (100-599)");
    }
  }
}
