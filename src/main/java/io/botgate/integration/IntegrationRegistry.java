package io.botgate.integration;

import io.botgate.JsonText;
import io.botgate.Typos;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** The declared integrations of this gateway, by name. */
public final class IntegrationRegistry {

  /** The declared integrations ({@code integrations.file}); the jar's copy when the file is absent. */
  public static final String DEFAULT_FILE = "conf/integrations.json";

  private static final Logger LOG = LoggerFactory.getLogger(IntegrationRegistry.class);

  private final Map<String, IntegrationDefinition> byName = new ConcurrentSkipListMap<>();
  /** Told each name removed (a DELETE, a bot's import removed, either through another node). */
  private final List<Consumer<String>> removals = new CopyOnWriteArrayList<>();
  /** Which credential names exist, for the {@code credential} field; any until told. */
  private volatile Predicate<String> credentialDeclared = name -> true;

  /** Checks every definition's {@code credential} against these names from now on. */
  public void checkCredentials(Predicate<String> declared) {
    this.credentialDeclared = declared;
  }

  /**
   * Validates and compiles one definition (a PUT's), its credential checked.
   *
   * @throws DefinitionException listing every problem found
   */
  public IntegrationDefinition read(JsonObject json, String fallbackName) {
    return IntegrationDefinition.fromJson(json, fallbackName, credentialDeclared);
  }

  /**
   * Validates and compiles a definition already saved (the file's at start, another node's), which may name a
   * credential this node does not have: deleted on one node while another took a PUT naming it, or taken out of
   * the file by hand. Such a definition is kept, with a warning, rather than refused: refusing it would keep the
   * gateway from starting or leave the cluster's nodes with different sets. Its calls end {@code "460"}, the
   * reason naming the missing credential, until one of that name is declared.
   *
   * @throws DefinitionException listing every other problem found
   */
  public IntegrationDefinition readSaved(JsonObject json, String fallbackName) {
    IntegrationDefinition definition = IntegrationDefinition.fromJson(json, fallbackName, name -> true);
    if (definition.credential() != null && !credentialDeclared.test(definition.credential())) {
      LOG.warn("integration '{}' names credential '{}', which is not declared: its calls end \"460\" until it is "
        + "(PUT /api/credentials/{})", definition.name(), definition.credential(), definition.credential());
    }
    return definition;
  }

  /**
   * Loads a JSON array of saved definitions ({@link #readSaved}), replacing nothing unless every definition is
   * valid.
   *
   * @param where names the source in messages, e.g. the file path
   * @throws DefinitionException with every problem of every definition
   */
  public void load(String text, String where) {
    Object parsed;
    try {
      parsed = JsonText.decode(text.getBytes(StandardCharsets.UTF_8));
    } catch (DecodeException e) {
      // where the parser stopped, not the token it quotes: a file of definitions may hold secrets
      throw new DefinitionException(where, List.of(new DefinitionException.Problem("*", "*",
        "not valid JSON: " + JsonText.withoutQuotedText(e.getMessage()))));
    }
    if (!(parsed instanceof JsonArray array)) {
      throw new DefinitionException(where, List.of(new DefinitionException.Problem("*", "*",
        "must be a JSON array of definitions, not " + (parsed instanceof JsonObject ? "an object" : "a single value")
          + " (an empty file holds [])")));
    }
    List<DefinitionException.Problem> problems = new ArrayList<>();
    List<IntegrationDefinition> loaded = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject obj)) {
        problems.add(new DefinitionException.Problem("[" + i + "]", "*", "must be a JSON object"));
        continue;
      }
      try {
        IntegrationDefinition d = readSaved(obj, null);
        if (loaded.stream().anyMatch(other -> other.name().equals(d.name()))) {
          problems.add(new DefinitionException.Problem(d.name(), "name", "is declared twice"));
        }
        loaded.add(d);
      } catch (DefinitionException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new DefinitionException(where, problems);
    }
    loaded.forEach(this::put);
  }

  public void put(IntegrationDefinition definition) {
    byName.put(definition.name(), definition);
  }

  /** Puts {@code definition} under {@code name}, or removes that name when it is null. */
  public void install(String name, IntegrationDefinition definition) {
    if (definition == null) {
      remove(name);
    } else {
      byName.put(name, definition);
    }
  }

  public Optional<IntegrationDefinition> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * What to tell a caller who named an integration that does not exist: the name, and the one declared that it
   * is a typo of, if any.
   */
  public String unknown(String name) {
    String near = Typos.closest(name, byName.keySet()).orElse(null);
    return "no integration named '" + name + "'"
      + (near == null ? "; GET /api/integrations lists them" : " (did you mean '" + near + "'?)");
  }

  public boolean remove(String name) {
    boolean removed = byName.remove(name) != null;
    if (removed) {
      removals.forEach(listener -> listener.accept(name));
    }
    return removed;
  }

  /** Calls {@code listener} with each name removed, once it is. */
  public void onRemoved(Consumer<String> listener) {
    removals.add(listener);
  }

  public Collection<IntegrationDefinition> all() {
    return byName.values();
  }
}
