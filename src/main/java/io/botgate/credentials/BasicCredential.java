package io.botgate.credentials;

import io.botgate.integration.CredentialGrant;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** HTTP Basic: {@code Authorization: Basic base64(user:password)}. */
final class BasicCredential extends Credential {

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
    String p = password.value(context.env());
    String encoded = Base64.getEncoder().encodeToString((u + ":" + p).getBytes(StandardCharsets.UTF_8));
    String header = "Basic " + encoded;
    return Future.succeededFuture(new CredentialGrant(name(), List.of(Map.entry("Authorization", header)),
      List.of(header, encoded, p, u), null, null, false));
  }
}
