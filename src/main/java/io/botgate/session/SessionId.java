package io.botgate.session;

/**
 * What may name a session, checked wherever an id comes in (the API's paths, the pass-through header, the
 * console's subscribe, the event bus): 1-200 characters, none of them a control character, so that an id
 * written into a log line, a header or an event cannot end it and forge another; not {@code *}, the
 * console's name for every session; and not {@code .} or {@code ..}, which no path can hold.
 */
public final class SessionId {

  public static final int MAX_LENGTH = 200;
  /** What the console subscribes to for every session; no session may be named so. */
  public static final String ALL = "*";

  private SessionId() {
  }

  /**
   * Where {@code text} holds half of a surrogate pair without the other half, or -1: such a string has no UTF-8
   * form (it is written as '?'), so a name holding one cannot be given back in a path, a file or a frame.
   */
  public static int loneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * What in {@code text} no name may hold, or null: a control character (U+2028 and U+2029 included), which would
   * end a log line or a header, or a lone surrogate ({@link #loneSurrogate}). Said as "control characters (U+000A at
   * position 3)" or "a lone surrogate (U+D800 at position 1), which has no UTF-8 form", after "... may not hold ".
   */
  public static String unsayable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        return String.format("control characters (U+%04X at position %d)", (int) c, i + 1);
      }
    }
    int lone = loneSurrogate(text);
    return lone < 0 ? null : String.format("a lone surrogate (U+%04X at position %d), which has no UTF-8 form",
      (int) text.charAt(lone), lone + 1);
  }

  /** Why {@code id} cannot name a session, or null when it can. */
  public static String problem(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return "a session id must be 1-" + MAX_LENGTH + " characters" + (id == null ? "" : ", not " + id.length());
    }
    if (id.equals(ALL)) {
      return "'*' cannot name a session: the console follows every session under it";
    }
    if (id.equals(".") || id.equals("..")) {
      // a path drops such a segment, even %-escaped: the session could not be read, deleted nor its events paged
      return "'" + id + "' cannot name a session: no path of the API could name it";
    }
    String unsayable = unsayable(id);
    if (unsayable != null) {
      return "a session id may not hold " + unsayable; // a lone surrogate: the id read back would be another
    }
    if (id.isBlank()) {
      return "a session id may not be only white space";
    }
    return null;
  }
}
