package io.botgate.credentials;

import io.botgate.integration.CredentialGrant;
import io.botgate.integration.CredentialUnavailable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** HTTP Basic: {@code Authorization: Basic base64(user:password)}. */
final class BasicCredential extends Credential {

  /** Why a user may not hold ':', whether written in the credential or filled in by {@code {$env.…}}. */
  static final String NO_COLON = "Basic authentication sends user:password, and the upstream splits them at the "
    + "first ':'";

  private final SecretText user;
  private final SecretText password;

  BasicCredential(String name, JsonObject source, SecretText user, SecretText password) {
    super(name, source);
    this.user = user;
    this.password = password;
  }

  @Override
  public String type() {
    return "basic";
  }

  @Override
  Future<CredentialGrant> obtain(CredentialContext context) {
    String u = user.value(context.env());
    if (u.indexOf(':') >= 0) { // a literal one is refused when the credential is saved; this one came from {$env.…}
      throw new CredentialUnavailable("credential '" + name() + "': its user, as {$env.…} fills it, contains ':' ("
        + NO_COLON + ")");
    }
    String p = password.value(context.env());
    List<String> secrets = CredentialGrant.basicSecrets(u + ":" + p);
    return Future.succeededFuture(new CredentialGrant(name(), List.of(Map.entry("Authorization", secrets.get(0))),
      secrets, null, null, false));
  }
}
