package io.botgate.integration;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * What an HTTP header field may hold (RFC 9110 5.1, 5.5): a name is a token, a value holds no control
 * character but a tab. Anything else can never be sent.
 */
public final class HeaderSyntax {

  /**
   * Headers the gateway sets itself: the framing of the body it sends (Content-Length, Transfer-Encoding),
   * the connection's own (RFC 9110 7.6.1: Connection and the hop-by-hop headers), and Host, which is the
   * URL's host, the name the egress guard checked and TLS verifies. Set by a definition, they would
   * contradict what is sent (both Content-Length and Transfer-Encoding) or what was checked.
   */
  static final Set<String> SET_BY_GATEWAY = Set.of("connection", "content-length", "host", "keep-alive",
    "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

  private HeaderSyntax() {
  }

  /**
   * Reports, under {@code headers.<name>}, what makes a declared header one that can never be sent: a name
   * that is not a token, one the gateway sets itself, a control character written into the value. The value
   * is never quoted: a header may carry a secret.
   */
  static void problems(String name, String value, BiConsumer<String, String> problem) {
    String field = "headers." + shown(name);
    if (!isToken(name)) {
      problem.accept(field, name.isEmpty() ? "a header name cannot be empty"
        : "is not a header name: a name is letters, digits and !#$%&'*+-.^_`|~ only (RFC 9110 token)");
    } else if (isSetByGateway(name)) {
      problem.accept(field, "is set by the gateway itself and cannot be declared; headers it sets are "
        + new TreeSet<>(SET_BY_GATEWAY));
    }
    String wrong = valueProblem(value);
    if (wrong != null) {
      problem.accept(field, "the value " + wrong);
    }
  }

  /** What makes {@code value} one no header may carry (a control character, named, never the value), or null. */
  public static String valueProblem(String value) {
    int at = controlAt(value);
    if (at >= 0) {
      return "contains the control character " + describe(value.charAt(at)) + " at character " + (at + 1)
        + "; a header value may hold no control character but a tab";
    }
    int wide = pastLatin1At(value);
    return wide < 0 ? null : pastLatin1(value, wide);
  }

  /** The index of the first character past Latin-1 in {@code value}, or -1: such a character is sent as '?'. */
  public static int pastLatin1At(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) > 0xFF) {
        return i;
      }
    }
    return -1;
  }

  /** Why a value holding a character past Latin-1 at {@code at} cannot be sent as it is (the value unquoted). */
  static String pastLatin1(CharSequence value, int at) {
    return String.format("contains U+%04X at character %d, past Latin-1: a header value goes as bytes, and it would "
      + "reach the upstream as '?'; percent-encode it, or send it in the body", Character.codePointAt(value, at), at + 1);
  }

  /** Whether the gateway sets a header of this name itself, so that no definition or credential may. */
  public static boolean isSetByGateway(String name) {
    return SET_BY_GATEWAY.contains(name.toLowerCase(Locale.ROOT));
  }

  /** Whether {@code name} is an RFC 9110 token: one or more of letters, digits and {@code !#$%&'*+-.^_`|~}. */
  public static boolean isToken(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean tchar = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!tchar) {
        return false;
      }
    }
    return !name.isEmpty();
  }

  /** A name as the field of a problem, each control character in it written as a Java escape: one line. */
  static String shown(String name) {
    if (controlAt(name) < 0) {
      return name;
    }
    StringBuilder out = new StringBuilder(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }

  /** The index of the first control character (C0 but tab, or DEL) in {@code value}, or -1. */
  public static int controlAt(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        return i;
      }
    }
    return -1;
  }

  /** A control character as it may be shown: its code point, and a name for the common ones. */
  public static String describe(char c) {
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
