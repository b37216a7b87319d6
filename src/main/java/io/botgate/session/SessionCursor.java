package io.botgate.session;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of the session list ended: the last row's activity time and id. The list is ordered by
 * activity, newest first, then by id, so the next page is every session after this key. A session
 * whose activity did not change keeps its key, so a walk neither repeats nor skips it; one that got
 * activity moves before every cursor and is not shown again in that walk.
 */
public record SessionCursor(long lastActivity, String id) {

  /** Whether the cursor comes before a session with this activity and id in the list's order. */
  boolean isBefore(long activity, String sessionId) {
    return activity < lastActivity || (activity == lastActivity && sessionId.compareTo(id) > 0);
  }

  /** Opaque text for the {@code cursor} parameter. */
  public String encode() {
    return Base64.getUrlEncoder().withoutPadding()
      .encodeToString((lastActivity + ":" + id).getBytes(StandardCharsets.UTF_8));
  }

  /** @throws IllegalArgumentException when the text is not a cursor this gateway made */
  public static SessionCursor parse(String text) {
    String decoded;
    try {
      decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a cursor from a previous page");
    }
    int colon = decoded.indexOf(':');
    if (colon < 1 || colon == decoded.length() - 1) {
      throw new IllegalArgumentException("not a cursor from a previous page");
    }
    try {
      return new SessionCursor(Long.parseLong(decoded.substring(0, colon)), decoded.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a cursor from a previous page");
    }
  }
}
