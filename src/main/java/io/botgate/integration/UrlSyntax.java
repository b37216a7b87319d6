package io.botgate.integration;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * Whether an absolute URL template can ever give a URL the upstream call accepts, checked at declaration:
 * placeholders stand for a plain value of the same length (so positions stay right): letters, or digits
 * where they fill the port ({@code http://127.0.0.1:{$botContext.port}/}); then the URL must parse as the
 * call parses it, with a host, and a port written out must be from 1 to 65535. The URL itself is never
 * repeated in the answer: it may carry a secret.
 */
final class UrlSyntax {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^{}]*}");

  private UrlSyntax() {
  }

  /** What is wrong with {@code template} (starting with http:// or https://), or null when it is fine. */
  static String problem(String template) {
    String sample = withPortDigits(template, PLACEHOLDER.matcher(template).replaceAll(m -> "x".repeat(m.group().length())));
    int[] port = portSpan(template);
    if (port != null && isDigits(template, port[0] + 1, port[1]) && !isPort(template, port[0] + 1, port[1])) {
      // Written out in digits, so no secret; a port with a placeholder is checked when the call is made.
      return "has port " + template.substring(port[0] + 1, port[1]) + "; a port is a number from 1 to 65535";
    }
    try {
      URI uri = new URI(sample);
      if (uri.getHost() == null) {
        return "is not a valid URL: it has no host name or address after " + uri.getScheme() + "://";
      }
      return null;
    } catch (URISyntaxException e) {
      String where = e.getIndex() < 0 ? "" : e.getIndex() >= sample.length() ? " at the end"
        : " at character " + (e.getIndex() + 1);
      return "is not a valid URL: " + lowerFirst(e.getReason()) + where;
    }
  }

  /**
   * The sample with a port that placeholders fill (wholly or in part) written as zeros: a port of letters
   * would not parse, and its value is only known when the call is made, which checks it then.
   */
  private static String withPortDigits(String template, String sample) {
    int[] port = portSpan(sample);
    if (port == null || template.substring(port[0] + 1, port[1]).equals(sample.substring(port[0] + 1, port[1]))) {
      return sample;
    }
    return sample.substring(0, port[0] + 1) + "0".repeat(port[1] - port[0] - 1) + sample.substring(port[1]);
  }

  /**
   * Whether the port of an absolute URL as it is sent is absent (the scheme's) or a number from 1 to 65535:
   * what the call accepts.
   */
  static boolean hasValidPort(String url) {
    int[] port = portSpan(url);
    return port == null || port[1] == port[0] + 1 || isPort(url, port[0] + 1, port[1]);
  }

  /**
   * Where the port of an absolute URL is written: the index of the ':' before it and the end of the authority,
   * or null when the URL names no port (or has no "://").
   */
  private static int[] portSpan(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return null;
    }
    int start = scheme + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    int host = Math.max(url.lastIndexOf('@', end - 1) + 1, start);
    int bracket = host < end && url.charAt(host) == '[' ? url.indexOf(']', host) : host;
    int colon = bracket < 0 || bracket >= end ? -1 : url.indexOf(':', bracket);
    return colon < 0 || colon >= end ? null : new int[] {colon, end};
  }

  private static boolean isDigits(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return to > from;
  }

  /** Whether {@code text[from, to)} is a port number, 1 to 65535 (leading zeros allowed, as URI reads them). */
  private static boolean isPort(String text, int from, int to) {
    if (!isDigits(text, from, to)) {
      return false;
    }
    while (from < to - 1 && text.charAt(from) == '0') {
      from++;
    }
    if (to - from > 5) {
      return false;
    }
    int port = Integer.parseInt(text, from, to, 10);
    return port >= 1 && port <= 65535;
  }

  private static String lowerFirst(String text) {
    return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
  }
}
