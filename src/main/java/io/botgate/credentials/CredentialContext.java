package io.botgate.credentials;

import io.botgate.integration.EgressGuard;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What credentials need to be obtained: the bot's environment for {@code {$env.NAME}}, the egress guard and a
 * client for token endpoints, and a clock (token expiry).
 */
record CredentialContext(Vertx vertx, Map<String, String> env, EgressGuard guard, WebClient tokenClient,
                         LongSupplier clock) {
}
