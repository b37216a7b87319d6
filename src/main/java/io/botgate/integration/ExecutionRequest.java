package io.botgate.integration;

import io.botgate.JsonFields;
import io.botgate.cb.context.ConversationContext;
import io.vertx.core.json.JsonObject;

import java.util.Set;

import static io.botgate.JsonFields.object;
import static io.botgate.JsonFields.string;

/**
 * What a caller sends with an execution: {@code variables} (request scope), {@code slots},
 * {@code userMessage}, optional {@code preProcess} / {@code postProcess} scripts, and the CB
 * {@code context} to keep on the session (see {@link ConversationContext}).
 */
public record ExecutionRequest(JsonObject variables, JsonObject slots, String userMessage, String preProcess,
                               String postProcess, JsonObject context) {

  private static final Set<String> KNOWN = Set.of("variables", "slots", "userMessage", "preProcess",
    "postProcess", "session", "integration", "context");

  public ExecutionRequest(JsonObject variables, JsonObject slots, String userMessage, String preProcess,
                          String postProcess) {
    this(variables, slots, userMessage, preProcess, postProcess, null);
  }

  public static ExecutionRequest empty() {
    return new ExecutionRequest(null, null, null, null, null, null);
  }

  /** Reads and checks a request body; a wrong field answers 400 naming it. */
  public static ExecutionRequest fromJson(JsonObject json) {
    if (json == null) {
      return empty();
    }
    JsonFields.onlyKnown(json, KNOWN);
    return new ExecutionRequest(object(json, "variables"), object(json, "slots"), string(json, "userMessage"),
      string(json, "preProcess"), string(json, "postProcess"), ConversationContext.check(json.getValue("context")));
  }
}
