package io.botgate.integration;

import io.vertx.core.Future;

/**
 * The credentials an integration names in its {@code credential} field, as the executor and the
 * pass-through proxy use them where a request is sent. Implemented by the credentials capability; a
 * credential that cannot be obtained fails with {@link CredentialUnavailable} (status "460").
 */
public interface UpstreamCredentials {

  /** No credentials at all: every name is unknown. */
  UpstreamCredentials NONE = new UpstreamCredentials() {
    @Override
    public boolean declared(String name) {
      return false;
    }

    @Override
    public Future<CredentialGrant> obtain(String name) {
      return Future.failedFuture(new CredentialUnavailable("credential '" + name + "' is not declared"));
    }
  };

  /** Whether a credential of this name exists (an integration naming another is invalid). */
  boolean declared(String name);

  /** What the credential adds to a request now: a cached token, or one fetched for the purpose. */
  Future<CredentialGrant> obtain(String name);

  /**
   * After the upstream answered 401 to {@code refused}: a fresh grant (an OAuth 2.0 token fetched again, one
   * fetch shared by every call refused the same token). By default, the grant obtained anew.
   */
  default Future<CredentialGrant> renew(String name, CredentialGrant refused) {
    return obtain(name);
  }
}
