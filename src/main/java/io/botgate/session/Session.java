package io.botgate.session;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One conversation: its session-scope bot variables, its most recent integration result and a short
 * history of results. Methods are synchronized because event loops and script workers share a session.
 */
public final class Session {

  private final String id;
  private final int historySize;
  private final Map<String, Object> variables = new LinkedHashMap<>();
  private final Deque<IntegrationResult> results = new ArrayDeque<>();
  private final Map<String, IntegrationResult> lastByIntegration = new LinkedHashMap<>();
  private IntegrationResult lastResult;
  private volatile long lastActivity;

  Session(String id, int historySize, long now) {
    this.id = id;
    this.historySize = historySize;
    this.lastActivity = now;
  }

  public String id() {
    return id;
  }

  /** When the session was last used, in epoch milliseconds. */
  public long lastActivity() {
    return lastActivity;
  }

  void touch(long now) {
    lastActivity = now;
  }

  public synchronized Object variable(String name) {
    return variables.get(name);
  }

  /** Sets a session-scope variable; a null value removes it. */
  public synchronized void setVariable(String name, Object value) {
    if (value == null) {
      variables.remove(name);
    } else {
      variables.put(name, value);
    }
  }

  /** Removes every variable whose name starts with the prefix (a previous run's mapped fields). */
  public synchronized void removeVariablesStartingWith(String prefix) {
    variables.keySet().removeIf(name -> name.startsWith(prefix));
  }

  /** Forgets the most recent result: during a transform script it must read as unsuccessful (CB). */
  public synchronized void clearLastResult() {
    lastResult = null;
  }

  public synchronized void record(IntegrationResult result) {
    lastResult = result;
    lastByIntegration.put(result.integration(), result);
    results.addFirst(result);
    while (results.size() > historySize) {
      results.removeLast();
    }
  }

  public synchronized IntegrationResult lastResult() {
    return lastResult;
  }

  public synchronized IntegrationResult lastResultOf(String integration) {
    return lastByIntegration.get(integration);
  }

  public synchronized JsonObject toJson() {
    JsonArray recent = new JsonArray();
    results.forEach(r -> recent.add(r.toJson()));
    return new JsonObject()
      .put("session", id)
      .put("variables", new JsonObject(new LinkedHashMap<>(variables)).copy())
      .put("lastResult", lastResult == null ? null : lastResult.toJson())
      .put("recentResults", recent);
  }
}
