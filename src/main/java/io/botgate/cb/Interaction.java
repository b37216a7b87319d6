package io.botgate.cb;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A runnable interaction of an imported CB bot: its code panels (pre-process, process user response,
 * post-process), the integration it calls (for {@code API_INTEGRATION}), and where CB would go next: the
 * rules on the integration's result, else the interaction after it.
 *
 * @param integration     the responder's name, or null when the interaction calls none
 * @param next            the name of the interaction after this one, or null
 * @param rules           CB's response rules on an integration result, in order
 * @param delayMs         the interaction's own delay ({@code interactionDelay}), or null
 */
public record Interaction(String id, String name, String type, String integration, String preProcess,
                          String processUserResponse, String postProcess, String next, List<Rule> rules,
                          Long delayMs) {

  /**
   * A response rule: when the result is {@code status} ("SUCCESS" / "FAILURE", null for any), go to {@code next}.
   */
  public record Rule(String status, String next) {
    JsonObject toJson() {
      return new JsonObject().put("status", status).put("next", next);
    }

    static Rule fromJson(JsonObject json) {
      return new Rule(json.getString("status"), json.getString("next"));
    }
  }

  public Interaction {
    rules = List.copyOf(rules);
  }

  /** Where to go after a run: the first rule the outcome matches, else the next interaction. */
  public String nextAfter(Boolean success) {
    if (success != null) {
      for (Rule rule : rules) {
        if (rule.status() == null || rule.status().equals(success ? "SUCCESS" : "FAILURE")) {
          return rule.next();
        }
      }
    }
    return next;
  }

  /**
   * Whether it has a failure rule (an {@code API_RESULT} FAILURE condition). Without one CB's bot answers a failed
   * call with its own "Sorry" message, whatever the interaction's next action; a rule without conditions is that.
   */
  public boolean handlesFailure() {
    return rules.stream().anyMatch(rule -> "FAILURE".equals(rule.status()));
  }

  /** The code panels it has, by CB's names. */
  public List<String> code() {
    List<String> out = new ArrayList<>();
    if (preProcess != null) {
      out.add("preProcessMessage");
    }
    if (processUserResponse != null) {
      out.add("processUserResponse");
    }
    if (postProcess != null) {
      out.add("postProcessMessage");
    }
    return out;
  }

  public JsonObject toJson() {
    JsonArray ruleArray = new JsonArray();
    rules.forEach(r -> ruleArray.add(r.toJson()));
    return new JsonObject().put("id", id).put("name", name).put("type", type).put("integration", integration)
      .put("preProcessMessage", preProcess).put("processUserResponse", processUserResponse)
      .put("postProcessMessage", postProcess).put("next", next).put("rules", ruleArray).put("delayMs", delayMs);
  }

  public static Interaction fromJson(JsonObject json) {
    List<Rule> rules = new ArrayList<>();
    json.getJsonArray("rules", new JsonArray()).forEach(r -> rules.add(Rule.fromJson((JsonObject) r)));
    return new Interaction(json.getString("id"), json.getString("name"), json.getString("type"),
      json.getString("integration"), json.getString("preProcessMessage"), json.getString("processUserResponse"),
      json.getString("postProcessMessage"), json.getString("next"), rules, json.getLong("delayMs"));
  }
}
