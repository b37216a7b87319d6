package io.botgate.credentials;

import io.botgate.integration.CredentialGrant;
import io.botgate.integration.CredentialUnavailable;
import io.botgate.integration.HeaderSyntax;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An access token sent as it is in one header ({@code Authorization} unless named): {@code "Bearer abc"}, an API key. */
final class TokenCredential extends Credential {

  private final String header;
  private final SecretText value;

  TokenCredential(String name, JsonObject source, String header, SecretText value) {
    super(name, source);
    this.header = header;
    this.value = value;
  }

  @Override
  public String type() {
    return "token";
  }

  @Override
  Future<CredentialGrant> obtain(CredentialContext context) {
    String v = value.value(context.env());
    int at = HeaderSyntax.controlAt(v);
    if (at >= 0) { // written so in the environment: a header cannot carry it
      return Future.failedFuture(new CredentialUnavailable("credential '" + name() + "': its value holds the control "
        + "character " + HeaderSyntax.describe(v.charAt(at)) + ", which no header may carry"));
    }
    List<String> secrets = new ArrayList<>(List.of(v));
    int space = v.lastIndexOf(' ');
    if (space > 0) {
      secrets.add(v.substring(space + 1)); // the token without its scheme, as an echo may quote it
    }
    return Future.succeededFuture(new CredentialGrant(name(), List.of(Map.entry(header, v)), secrets, null, null,
      false));
  }
}
