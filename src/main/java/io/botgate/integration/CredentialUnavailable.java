package io.botgate.integration;

/**
 * A credential could not be obtained (token endpoint down or refusing, an answer without a token, a
 * certificate expired, an {@code {$env.*}} value missing): the call fails with status "460". The message
 * names the credential and never holds its secret.
 */
public final class CredentialUnavailable extends RuntimeException {

  public CredentialUnavailable(String message) {
    super(message, null, false, false);
  }
}
