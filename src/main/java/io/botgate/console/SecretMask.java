package io.botgate.console;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Hides secrets before anything reaches the console or an answer: values of the usual secret headers
 * (Authorization, cookies, API keys), of those added in {@code mask.headers}, and of any header or query
 * parameter whose name says it holds a secret (token, secret, password, key).
 */
public final class SecretMask {

  public static final List<String> DEFAULT_HEADERS = List.of("Authorization", "Proxy-Authorization", "Cookie",
    "Set-Cookie", "X-Api-Key", "Api-Key");
  public static final String MASK = "****";
  private static final List<String> SECRET_WORDS = List.of("token", "secret", "password", "passwd", "apikey",
    "api_key", "api-key", "key", "signature", "sig", "auth");

  private static final int MAX_REMEMBERED = 10_000;

  private final Set<String> headers;
  /** Names are few (they come from definitions), so each verdict is worked out once. */
  private final ConcurrentHashMap<String, Boolean> verdicts = new ConcurrentHashMap<>();

  /** Masks the default headers plus {@code extraHeaderNames}. */
  public SecretMask(List<String> extraHeaderNames) {
    this.headers = Stream.concat(DEFAULT_HEADERS.stream(), extraHeaderNames.stream())
      .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }

  public boolean isSecret(String name) {
    Boolean known = verdicts.get(name);
    if (known != null) {
      return known;
    }
    boolean secret = judge(name);
    if (verdicts.size() < MAX_REMEMBERED) {
      verdicts.put(name, secret);
    }
    return secret;
  }

  private boolean judge(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (headers.contains(n)) {
      return true;
    }
    for (String word : SECRET_WORDS) {
      if (n.equals(word) || n.endsWith("_" + word) || n.endsWith("-" + word) || n.startsWith(word + "_")
        || n.startsWith(word + "-") || (word.length() > 4 && n.contains(word))) {
        return true;
      }
    }
    return false;
  }

  /** The URL with the values of secret-looking query parameters replaced. */
  public String url(String url) {
    int q = url.indexOf('?');
    if (q < 0) {
      return url;
    }
    StringBuilder out = new StringBuilder(url.length()).append(url, 0, q + 1);
    String[] pairs = url.substring(q + 1).split("&", -1);
    for (int i = 0; i < pairs.length; i++) {
      if (i > 0) {
        out.append('&');
      }
      int eq = pairs[i].indexOf('=');
      String name = eq < 0 ? pairs[i] : pairs[i].substring(0, eq);
      out.append(eq >= 0 && isSecret(name) ? name + "=" + MASK : pairs[i]);
    }
    return out.toString();
  }

  /** Headers in order, secret values replaced. */
  public Map<String, String> headers(List<Map.Entry<String, String>> headers) {
    Map<String, String> out = new LinkedHashMap<>();
    headers.forEach(h -> out.put(h.getKey(), isSecret(h.getKey()) ? MASK : h.getValue()));
    return out;
  }
}
