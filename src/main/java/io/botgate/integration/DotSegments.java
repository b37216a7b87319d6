package io.botgate.integration;

/**
 * Path segments that would move a URL's path: {@code .} and {@code ..}, also percent-encoded once or twice, and
 * also where a server reads one inside the segment: after an encoded slash or a backslash ({@code ..%2Fadmin},
 * {@code a%5C..}: nginx and others decode {@code %2F} before resolving dot segments, IIS takes {@code \} for a
 * slash) or before a {@code ;} parameter ({@code ..;}, as Tomcat reads it). One rule for a template's path
 * placeholders and the pass-through's path, so neither lets through what the other refuses.
 */
public final class DotSegments {

  private DotSegments() {
  }

  /** Whether {@code path[from, to)}, one segment of a path, is a dot segment ({@link #isDotSegment(String)}). */
  public static boolean isDotSegment(CharSequence path, int from, int to) {
    for (int i = from; i < to; i++) { // a dot segment holds a '.' or its escape: most segments stop here
      char c = path.charAt(i);
      if (c == '.' || c == '%') {
        return isDotSegment(path.subSequence(from, to).toString());
      }
    }
    return false;
  }

  /**
   * Whether the segment, as sent or once or twice percent-decoded (servers and proxies that decode twice exist),
   * holds a part '.' or '..' between slashes, backslashes and the start of a {@code ;} parameter.
   */
  static boolean isDotSegment(String segment) {
    String s = segment;
    for (int round = 0; round < 3; round++) {
      if (holdsDotPart(s)) {
        return true;
      }
      if (s.indexOf('%') < 0) {
        return false;
      }
      String decoded = percentDecode(s);
      if (decoded.equals(s)) {
        return false;
      }
      s = decoded;
    }
    return holdsDotPart(s);
  }

  private static boolean holdsDotPart(String s) {
    int start = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '/';
      if (c == '/' || c == '\\') {
        int end = s.indexOf(';', start);
        end = end < 0 || end > i ? i : end;
        if (end - start == 1 && s.charAt(start) == '.' || end - start == 2 && s.startsWith("..", start)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
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
