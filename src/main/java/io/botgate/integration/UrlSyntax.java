package io.botgate.integration;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * Whether an absolute URL template can ever give a URL the upstream call accepts, checked at declaration:
 * placeholders stand for a plain value of the same length (so positions stay right): letters, or digits
 * where they fill the port ({@code http://127.0.0.1:{$botContext.port}/}); then the URL must parse as the
 * call parses it, with a host. The URL itself is never repeated in the answer: it may carry
 * a secret.
 */
final class UrlSyntax {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^{}]*}");

  private UrlSyntax() {
  }

  /** What is wrong with {@code template} (starting with http:// or https://), or null when it is fine. */
  static String problem(String template) {
    String sample = withPortDigits(template, PLACEHOLDER.matcher(template).replaceAll(m -> "x".repeat(m.group().length())));
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
    int start = sample.indexOf("://") + 3;
    int end = start;
    while (end < sample.length() && "/?#".indexOf(sample.charAt(end)) < 0) {
      end++;
    }
    int host = sample.lastIndexOf('@', end - 1) + 1;
    host = Math.max(host, start);
    int bracket = sample.charAt(Math.min(host, sample.length() - 1)) == '[' ? sample.indexOf(']', host) : host;
    int colon = bracket < 0 || bracket >= end ? -1 : sample.indexOf(':', bracket);
    if (colon < 0 || colon >= end || template.substring(colon + 1, end).equals(sample.substring(colon + 1, end))) {
      return sample;
    }
    return sample.substring(0, colon + 1) + "0".repeat(end - colon - 1) + sample.substring(end);
  }

  private static String lowerFirst(String text) {
    return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
  }
}
