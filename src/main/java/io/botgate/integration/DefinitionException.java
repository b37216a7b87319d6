package io.botgate.integration;

import io.botgate.Problems;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Every problem found in one or more integration definitions, reported together. */
public final class DefinitionException extends RuntimeException {

  /** One problem: which integration, which field, what is wrong. */
  public record Problem(String integration, String field, String message) {
    JsonObject toJson() {
      return new JsonObject().put("integration", integration).put("field", field).put("message", message);
    }

    @Override
    public String toString() {
      // "*.*" is the whole file or body (not JSON, not an array): the message alone says it
      return "*".equals(integration) && "*".equals(field) ? message : integration + "." + field + ": " + message;
    }
  }

  private final List<Problem> problems;

  public DefinitionException(String where, List<Problem> problems) {
    super(Problems.summary(where, problems));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  public JsonArray problemsJson() {
    JsonArray out = new JsonArray();
    problems.forEach(p -> out.add(p.toJson()));
    return out;
  }
}
