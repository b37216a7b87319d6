package io.botgate.script;

import io.botgate.ShownText;

/**
 * The bounds of text that leaves a script for events, answers and logs, cut where the script hands it over
 * with a marker saying how much was cut: a string of millions of characters would otherwise become an
 * answer of as many bytes, a log line as long, and an event the event loop re-encodes.
 */
public final class ScriptText {

  /** A message sent or printed, a custom event's text ({@code sendMessage}, {@code printDebugMessage}...). */
  static final int MAX_MESSAGE = 65_536;
  /** An error's message, whatever the script threw. */
  static final int MAX_ERROR = 4_096;
  /** A name or value quoted in an event or a refusal (a variable's name, a namespace, an interaction). */
  static final int MAX_QUOTED = 200;

  private ScriptText() {
  }

  /** {@code text} if at most {@code max} characters, else its first {@code max} and "… (N characters cut)". */
  public static String bounded(String text, int max) {
    return ShownText.bounded(text, max);
  }
}
