package io.botgate.session;

/**
 * What may name a session, checked wherever an id comes in (the API's paths, the pass-through header, the
 * console's subscribe, the event bus): 1-200 characters, none of them a control character, so that an id
 * written into a log line, a header or an event cannot end it and forge another; and not {@code *}, the
 * console's name for every session.
 */
public final class SessionId {

  public static final int MAX_LENGTH = 200;
  /** What the console subscribes to for every session; no session may be named so. */
  public static final String ALL = "*";

  private SessionId() {
  }

  /** Why {@code id} cannot name a session, or null when it can. */
  public static String problem(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return "a session id must be 1-" + MAX_LENGTH + " characters" + (id == null ? "" : ", not " + id.length());
    }
    if (id.equals(ALL)) {
      return "'*' cannot name a session: the console follows every session under it";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        return String.format("a session id may not hold control characters (U+%04X at position %d)", (int) c, i + 1);
      }
    }
    if (id.isBlank()) {
      return "a session id may not be only white space";
    }
    return null;
  }
}
