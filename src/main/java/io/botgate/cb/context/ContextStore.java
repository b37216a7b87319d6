package io.botgate.cb.context;

import io.botgate.JsonText;
import io.botgate.session.SessionId;

import java.util.Collections;
import java.util.Map;

/**
 * CB's Conversation Context Service: key/value data in registered namespaces, each with an optional
 * time to live, in three scopes: global, per user ({@code userPlatformId}) and per conversation (the
 * session). Calls are synchronous, as botContext's are (scripts run on worker threads, never on an event
 * loop). {@link LocalContextStore} keeps the data in this JVM; a clustered store implements the same.
 */
public interface ContextStore {

  /**
   * The longest time to live a namespace may have: ten years. Longer ones are refused rather than stored, so
   * an expiry time (milliseconds since the epoch) always fits in a long.
   */
  long MAX_TTL_SECONDS = 10L * 365 * 24 * 60 * 60;

  /** Where a property lives; GLOBAL ignores the owner. */
  enum Scope { GLOBAL, USER, CONVERSATION }

  /** How a write went. */
  enum Outcome {
    DONE,
    /** The namespace is not registered: nothing was written. */
    UNKNOWN_NAMESPACE,
    /** The store would hold more than its bound in bytes: nothing was written. */
    FULL,
    /** An empty namespace name, or a time to live below 0 or above {@link #MAX_TTL_SECONDS}: nothing changed. */
    INVALID
  }

  /**
   * Registers a namespace, or changes its time to live (for writes from now on). A bot registers its namespaces
   * wherever it may use them first, often without a time to live: that keeps the one the namespace has.
   *
   * @param ttlSeconds how long a property lives after it was written, at most {@link #MAX_TTL_SECONDS}; 0 = until
   *                   deleted; null = the namespace's own (none for a new one)
   * @return {@link Outcome#INVALID} for an empty name or a time to live out of range
   */
  Outcome registerNamespace(String namespace, Long ttlSeconds);

  /** Whether a namespace may be registered with that time to live. */
  static boolean validNamespace(String namespace, Long ttlSeconds) {
    return namespaceProblem(namespace) == null
      && (ttlSeconds == null || ttlSeconds >= 0 && ttlSeconds <= MAX_TTL_SECONDS);
  }

  /**
   * Why a namespace cannot be named so, or null when it can: not only white space, no control character (nor U+2028,
   * U+2029) and no lone surrogate. A clustered store keys its data by the namespace and a NUL, so a NUL in a name
   * would make another namespace's data its own (deleting "a" removed the data of "a\u0000b"), and a lone
   * surrogate is written as '?' there, making '\uD800' and '?' one namespace; the HTTP API could not name either.
   */
  static String namespaceProblem(String namespace) {
    if (namespace == null || namespace.isBlank()) {
      return "a namespace needs a name that is not only white space";
    }
    String unsayable = SessionId.unsayable(namespace);
    return unsayable == null ? null : "a namespace may not hold " + unsayable;
  }

  /**
   * Why a property cannot be named so, or null when it can: no control character (nor U+2028, U+2029) and no lone
   * surrogate, as for a namespace. A clustered store writes its names as UTF-8, where '\uD800' became '?' and
   * overwrote the owner's property "?"; the HTTP API could name neither.
   */
  static String propertyProblem(String property) {
    String unsayable = SessionId.unsayable(property);
    return unsayable == null ? null : "a property may not hold " + unsayable;
  }

  /**
   * Where a value (a JSON value) holds a lone surrogate, in a string or a member's name, said after "... holds " as
   * "a lone surrogate (half of a UTF-16 pair) in value.a[0], which has no UTF-8 form"; null when it holds none. Such
   * text cannot be kept: a clustered store writes its data as UTF-8, where it became '?', and every JSON answer writes
   * it so, on one node too; a value that would come back as another is refused rather than changed.
   */
  static String valueProblem(Object value) {
    String at = JsonText.loneSurrogate(Collections.singletonMap("value", value));
    return at == null ? null : "a lone surrogate (half of a UTF-16 pair) in " + at + ", which has no UTF-8 form";
  }

  /**
   * When a property written at {@code now} expires; {@link Long#MAX_VALUE} (never) without a time to live.
   * Saturates rather than overflows, so no time to live, however it was stored, makes a write expire at once.
   */
  static long expiresAt(long now, Long ttlSeconds) {
    if (ttlSeconds == null || ttlSeconds <= 0) {
      return Long.MAX_VALUE;
    }
    return ttlSeconds >= (Long.MAX_VALUE - now) / 1000 ? Long.MAX_VALUE : now + ttlSeconds * 1000;
  }

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
