package io.botgate.credentials;

import io.botgate.JsonText;
import io.botgate.PerEventLoop;
import io.botgate.UpstreamFraming;
import io.botgate.integration.CredentialGrant;
import io.botgate.integration.CredentialUnavailable;
import io.botgate.integration.EgressGuard;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.UpstreamClients;
import io.botgate.integration.UpstreamCredentials;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/**
 * The named credentials of this gateway ({@code credentials.file}, then {@code PUT /api/credentials/{name}}),
 * and what integrations obtain from them. The one place they are kept: {@link #load}, {@link #put},
 * {@link #remove}, {@link #all}.
 */
public final class CredentialRegistry implements UpstreamCredentials {

  private final Map<String, Credential> byName = new ConcurrentSkipListMap<>();
  private final CredentialContext context;
  /** For token endpoints: most gateways have no OAuth2 credential, so each is made at the first token request. */
  private final PerEventLoop<WebClient> tokenClient;
  /** Told of the secrets each credential holds now (its values, its current token); none once it is gone. */
  private volatile BiConsumer<String, List<String>> holds = (name, secrets) -> { };

  public CredentialRegistry(Vertx vertx, Map<String, String> env, EgressGuard guard) {
    // Wrapped as the upstreams' clients are, so that an answer past its bound or its deadline is cut, not read on.
    this.tokenClient = new PerEventLoop<>(() -> UpstreamClients.wrap(vertx.httpClientBuilder()
      .with(new HttpClientOptions().setKeepAlive(true).setConnectTimeout((int) OAuth2Credential.TOKEN_TIMEOUT_MS))
      .withConnectHandler(UpstreamFraming::install).build(), new WebClientOptions().setUserAgentEnabled(false)),
      WebClient::close);
    this.context = new CredentialContext(vertx, Map.copyOf(env), guard, tokenClient::get, System::currentTimeMillis);
  }

  /**
   * Loads a JSON array of saved credentials ({@link Credential#fromSaved}), replacing nothing unless every one is
   * valid.
   *
   * @param where names the source in messages, e.g. the file path
   * @throws CredentialException with every problem of every credential
   */
  public void load(String text, String where) {
    Object parsed;
    try {
      parsed = JsonText.decode(text.getBytes(StandardCharsets.UTF_8));
    } catch (DecodeException e) {
      // where the parser stopped, not the token it quotes: a file of credentials may hold secrets
      throw new CredentialException(where, List.of(new CredentialException.Problem("*", "*",
        "not valid JSON: " + JsonText.withoutQuotedText(e.getMessage()))));
    }
    if (!(parsed instanceof JsonArray array)) {
      throw new CredentialException(where, List.of(new CredentialException.Problem("*", "*",
        "must be a JSON array of credentials, not " + (parsed instanceof JsonObject ? "an object" : "a single value")
          + " (an empty file holds [])")));
    }
    List<CredentialException.Problem> problems = new ArrayList<>();
    List<Credential> loaded = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject obj)) {
        problems.add(new CredentialException.Problem("[" + i + "]", "*", "must be a JSON object"));
        continue;
      }
      try {
        Credential c = Credential.fromSaved(obj, null);
        if (loaded.stream().anyMatch(other -> other.name().equals(c.name()))) {
          problems.add(new CredentialException.Problem(c.name(), "name", "is declared twice"));
        }
        loaded.add(c);
      } catch (CredentialException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new CredentialException(where, problems);
    }
    loaded.forEach(this::put);
  }

  /**
   * Validates one credential (a PUT's) and builds it.
   *
   * @throws CredentialException listing every problem found
   */
  public Credential read(JsonObject json, String fallbackName) {
    return Credential.fromJson(json, fallbackName);
  }

  /**
   * Validates one saved credential (another node's) and builds it: a PEM file it names that this node cannot
   * read is a warning ({@link Credential#fromSaved}).
   *
   * @throws CredentialException listing every other problem found
   */
  public Credential readSaved(JsonObject json, String fallbackName) {
    return Credential.fromSaved(json, fallbackName);
  }

  /**
   * Who is told, at each grant, of the secrets a credential holds (the same ones again, most times), and of none
   * once it is removed or replaced: the gateway keeps them masked however many other values come and go.
   */
  public void onHeld(BiConsumer<String, List<String>> listener) {
    holds = listener;
  }

  /** The credential a secret of which comes from this env name (which scripts may then not read), or null. */
  public String secretFrom(String envName) {
    for (Credential c : byName.values()) {
      if (c.takesSecretFrom(envName)) {
        return c.name();
      }
    }
    return null;
  }

  /** Adds or replaces a credential; a replaced one's cached token or client is dropped. */
  public void put(Credential credential) {
    retire(byName.put(credential.name(), credential));
  }

  /** Installs a credential under {@code name}, or removes the one of that name when null. */
  public void install(String name, Credential credential) {
    if (credential == null) {
      remove(name);
    } else {
      put(credential);
    }
  }

  public Optional<Credential> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public boolean remove(String name) {
    Credential removed = byName.remove(name);
    retire(removed);
    return removed != null;
  }

  public Collection<Credential> all() {
    return byName.values();
  }

  /** Calls still using a replaced credential's client finish first: it closes after the longest deadline. */
  private void retire(Credential old) {
    if (old != null) {
      holds.accept(old.name(), List.of());
      context.vertx().setTimer(IntegrationDefinition.MAX_TIMEOUT_MS, id -> old.close());
    }
  }

  @Override
  public boolean declared(String name) {
    return byName.containsKey(name);
  }

  @Override
  public Future<CredentialGrant> obtain(String name) {
    Credential c = byName.get(name);
    if (c == null) {
      return Future.failedFuture(notDeclared(name));
    }
    try {
      return c.obtain(context).onSuccess(grant -> holds.accept(name, grant.secrets()));
    } catch (CredentialUnavailable e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<CredentialGrant> renew(String name, CredentialGrant refused) {
    Credential c = byName.get(name);
    if (c == null) {
      return Future.failedFuture(notDeclared(name));
    }
    try {
      return c.renew(context, refused).onSuccess(grant -> holds.accept(name, grant.secrets()));
    } catch (CredentialUnavailable e) {
      return Future.failedFuture(e);
    }
  }

  private static CredentialUnavailable notDeclared(String name) {
    return new CredentialUnavailable("credential '" + name + "' is not declared; GET /api/credentials lists them");
  }

  public void close() {
    byName.values().forEach(Credential::close);
    tokenClient.close();
  }
}
