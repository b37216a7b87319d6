package io.botgate.cb.context;

import java.util.Map;

/**
 * CB's Conversation Context Service: key/value data in registered namespaces, each with an optional
 * time to live, in three scopes: global, per user ({@code userPlatformId}) and per conversation (the
 * session). Calls are synchronous, as botContext's are (scripts run on worker threads, never on an event
 * loop). {@link LocalContextStore} keeps the data in this JVM; a clustered store implements the same.
 */
public interface ContextStore {

  /** Where a property lives; GLOBAL ignores the owner. */
  enum Scope { GLOBAL, USER, CONVERSATION }

  /** How a write went. */
  enum Outcome {
    DONE,
    /** The namespace is not registered: nothing was written. */
    UNKNOWN_NAMESPACE,
    /** The store would hold more than its bound in bytes: nothing was written. */
    FULL
  }

  /**
   * Registers a namespace, or changes its time to live (for writes from now on).
   *
   * @param ttlSeconds how long a property lives after it was written; null or 0 = until deleted
   */
  Outcome registerNamespace(String namespace, Long ttlSeconds);

  /** Removes the namespace and all its data; false when it was not registered. */
  boolean deleteNamespace(String namespace);

  /** The registered namespaces, name to time to live in seconds (null when none). */
  Map<String, Long> namespaces();

  Outcome set(Scope scope, String namespace, String owner, String property, Object value);

  /** The property's value (a JSON value), or null when absent, expired or the namespace is unknown. */
  Object get(Scope scope, String namespace, String owner, String property);

  /** Every live property of the owner in the namespace (possibly none), or null when the namespace is unknown. */
  Map<String, Object> all(Scope scope, String namespace, String owner);

  Outcome delete(Scope scope, String namespace, String owner, String property);

  Outcome deleteAll(Scope scope, String namespace, String owner);

  /** The bytes held now, as {@link io.botgate.session.HeldBytes} counts them. */
  long bytes();

  /** Drops every expired property (reads never see them; this gives their bytes back). */
  void expire();
}
