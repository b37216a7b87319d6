package io.botgate.integration;

/**
 * Path segments that would move a URL's path: {@code .} and {@code ..}, also percent-encoded once or twice.
 * One rule for a template's path placeholders and the pass-through's path, so neither lets through what the
 * other refuses.
 */
public final class DotSegments {

  private DotSegments() {
  }

  /** Whether {@code path[from, to)}, one segment of a path, is a dot segment ({@link #isDotSegment(String)}). */
  public static boolean isDotSegment(CharSequence path, int from, int to) {
    if (to - from == 0 || to - from > 12) {
      return false;
    }
    for (int i = from; i < to; i++) { // only dots and escapes can make a dot segment: most segments stop here
      char c = path.charAt(i);
      if (c != '.' && c != '%' && hex(c) < 0) {
        return false;
      }
    }
    return isDotSegment(path.subSequence(from, to).toString());
  }

  /**
   * '.' or '..', also once or twice percent-decoded: the segment as sent holds the value encoded, so a
   * value such as {@code %2e%2e} is refused too (servers and proxies that decode twice exist).
   */
  static boolean isDotSegment(String segment) {
    String s = segment;
    for (int round = 0; round < 3; round++) {
      if (s.equals(".") || s.equals("..")) {
        return true;
      }
      if (s.isEmpty() || s.length() > 12 || s.indexOf('%') < 0) {
        return false;
      }
      String decoded = percentDecode(s);
      if (decoded.equals(s)) {
        return false;
      }
      s = decoded;
    }
    return s.equals(".") || s.equals("..");
  }

  private static String percentDecode(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        out.append((char) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2))));
        i += 2;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
