package io.botgate.integration;

import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.client.impl.WebClientInternal;

/**
 * The Web Clients integration calls go through (the plain ones per event loop, an mTLS credential's own): each
 * hands the request of a {@link BoundedBody} over to it as it is sent, so that a body past its limit or a call
 * past its deadline can cut the transfer instead of the client reading it to the end.
 */
public final class UpstreamClients {

  private UpstreamClients() {
  }

  /** A Web Client over {@code http} whose requests a {@link BoundedBody} can cut. */
  public static WebClient wrap(HttpClient http) {
    WebClientInternal client = (WebClientInternal) WebClient.wrap(http);
    client.addInterceptor(UpstreamClients::handOver);
    return client;
  }

  private static void handOver(HttpContext<?> call) {
    if (call.phase() == ClientPhase.SEND_REQUEST && call.request().bodyCodec() instanceof BoundedBody body) {
      body.sending(call.clientRequest());
    }
    call.next();
  }
}
