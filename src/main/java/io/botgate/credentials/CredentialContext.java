package io.botgate.credentials;

import io.botgate.integration.EgressGuard;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What credentials need to be obtained: the bot's environment for {@code {$env.NAME}}, the egress guard and a
 * client for token endpoints (made at the first token request, not at start), and a clock (token expiry).
 */
record CredentialContext(Vertx vertx, Map<String, String> env, EgressGuard guard, Supplier<WebClient> tokenClients,
                         LongSupplier clock) {

  WebClient tokenClient() {
    return tokenClients.get();
  }
}
