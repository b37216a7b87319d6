package io.botgate.integration;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A request ready to send: absolute URL, headers in order, optional body; and the form it may be shown in. */
record RenderedRequest(String url, List<Map.Entry<String, String>> headers, Buffer body, ShownRequest shown) {

  /** The request with a credential's headers (replacing any of the same name) and its secrets masked when shown. */
  RenderedRequest with(CredentialGrant grant) {
    if (grant.headers().isEmpty() && grant.secrets().isEmpty()) {
      return this;
    }
    return new RenderedRequest(url, withHeaders(grant), body, shown.withCredential(grant.headers(), grant.secrets()));
  }

  /** The headers as sent with the grant's. */
  List<Map.Entry<String, String>> withHeaders(CredentialGrant grant) {
    List<Map.Entry<String, String>> out = new ArrayList<>(headers.size() + grant.headers().size());
    for (Map.Entry<String, String> h : headers) {
      if (grant.headers().stream().noneMatch(g -> g.getKey().equalsIgnoreCase(h.getKey()))) {
        out.add(h);
      }
    }
    out.addAll(grant.headers());
    return out;
  }
}
