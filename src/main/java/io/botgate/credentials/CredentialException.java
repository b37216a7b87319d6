package io.botgate.credentials;

import io.botgate.Problems;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Every problem found in one or more credentials, reported together; never quoting a secret value. */
public final class CredentialException extends RuntimeException {

  /** One problem: which credential, which field, what is wrong. */
  public record Problem(String credential, String field, String message) {
    JsonObject toJson() {
      return new JsonObject().put("credential", credential).put("field", field).put("message", message);
    }

    @Override
    public String toString() {
      // "*.*" is the whole file or body (not JSON, not an array): the message alone says it
      return "*".equals(credential) && "*".equals(field) ? message : credential + "." + field + ": " + message;
    }
  }

  private final List<Problem> problems;

  public CredentialException(String where, List<Problem> problems) {
    super(Problems.summary(where, problems), null, false, false);
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
