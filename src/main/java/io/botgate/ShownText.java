package io.botgate;

import java.util.Locale;

/**
 * A text from outside (a script's, a request's) cut where it is shown, with a marker saying how much was cut: for
 * every package that shows one, the session's refusals below the scripts included.
 */
public final class ShownText {

  private ShownText() {
  }

  /** {@code text} if at most {@code max} characters, else its first {@code max} and "… (N characters cut)". */
  public static String bounded(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max; // never half a character
    return text.substring(0, end) + String.format(Locale.ROOT, "… (%,d characters cut)", text.length() - end);
  }
}
