package io.botgate.integration;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * Whether an absolute URL template can ever give a URL the upstream call accepts, checked at declaration:
 * placeholders stand for a plain value of the same length (so positions stay right), then the URL must
 * parse as the call parses it, with a host. The URL itself is never repeated in the answer: it may carry
 * a secret.
 */
final class UrlSyntax {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^{}]*}");

  private UrlSyntax() {
  }

  /** What is wrong with {@code template} (starting with http:// or https://), or null when it is fine. */
  static String problem(String template) {
    String sample = PLACEHOLDER.matcher(template).replaceAll(m -> "x".repeat(m.group().length()));
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

  private static String lowerFirst(String text) {
    return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
  }
}
