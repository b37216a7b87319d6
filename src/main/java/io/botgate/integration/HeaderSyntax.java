package io.botgate.integration;

/**
 * What an HTTP header field may hold (RFC 9110 5.1, 5.5): a name is a token, a value holds no control
 * character but a tab. Anything else can never be sent.
 */
final class HeaderSyntax {

  private HeaderSyntax() {
  }

  /** The index of the first control character (C0 but tab, or DEL) in {@code value}, or -1. */
  static int controlAt(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        return i;
      }
    }
    return -1;
  }

  /** A control character as it may be shown: its code point, and a name for the common ones. */
  static String describe(char c) {
    String code = String.format("U+%04X", (int) c);
    return switch (c) {
      case '\r' -> code + " (carriage return)";
      case '\n' -> code + " (line feed)";
      case 0 -> code + " (NUL)";
      case 0x7f -> code + " (DEL)";
      default -> code;
    };
  }
}
