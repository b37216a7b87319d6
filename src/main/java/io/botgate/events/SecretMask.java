package io.botgate.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Hides secrets before anything reaches the console, an answer, an error or a log: URL user info, and
 * the values of headers, query parameters and JSON or form fields whose names say they hold a secret
 * (the rule in {@link #isSecret}), plus the names added in {@code mask.headers}. Values that came from
 * {@code {$env.*}} are masked where they are rendered (the integration package knows where they land).
 */
public final class SecretMask {

  public static final List<String> DEFAULT_HEADERS = List.of("Authorization", "Proxy-Authorization", "Cookie",
    "Set-Cookie", "X-Api-Key", "Api-Key");
  public static final String MASK = "****";
  /** Secret wherever they stand in a name, even run together with other words ("refreshtoken"). */
  private static final List<String> SECRET_STEMS = List.of("token", "secret", "passw", "passphrase", "passcode",
    "credential", "signature", "cookie", "session", "sessid", "apikey", "authoriz", "authent", "oauth", "bearer",
    "privatekey", "jwt");
  /** Secret as a whole word of a name ("X-Client-Pass", "apiKey", "auth_code"), never inside a word ("keyword"). */
  private static final Set<String> SECRET_WORDS = Set.of("pw", "pwd", "pass", "passwd", "key", "keys", "auth",
    "sig", "sid", "otp", "pin", "csrf", "xsrf", "mfa", "totp");
  /** "code" is an OAuth or one-time code alone or after these words, but not in countryCode or statusCode. */
  private static final Set<String> CODE_QUALIFIERS = Set.of("verification", "verify", "access", "security",
    "recovery", "reset", "confirmation", "confirm", "activation", "login", "sms", "grant");
  private static final Pattern CAMEL = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
  /**
   * A JSON string is matched unrolled and possessive ({@code [^"\\]*+(?:\\.[^"\\]*+)*+}): the plain
   * {@code (?:[^"\\]|\\.)*} recurses once per character and overflows the stack on a value of ~10 k.
   */
  private static final Pattern JSON_PAIR = Pattern.compile(
    "\"([^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+)\"\\s*:\\s*(\"([^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+)\"|-?\\d[\\d.eE+\\-]*)");
  private static final Pattern FORM_PAIR = Pattern.compile("(?:^|&)([^=&]+)=([^&]*)");

  private static final int MAX_REMEMBERED = 10_000;

  private final Set<String> headers;
  /** Names are few (they come from definitions), so each verdict is worked out once. */
  private final ConcurrentHashMap<String, Boolean> verdicts = new ConcurrentHashMap<>();

  /** Masks the default headers plus {@code extraHeaderNames} (as any header, query or body field name). */
  public SecretMask(List<String> extraHeaderNames) {
    this.headers = Stream.concat(DEFAULT_HEADERS.stream(), extraHeaderNames.stream())
      .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Whether a header, query parameter or body field of this name holds a secret: a name listed in
   * {@code mask.headers} or {@link #DEFAULT_HEADERS}; a name containing one of {@link #SECRET_STEMS}; a name
   * with a word (split at '-', '_', '.', and camelCase) in {@link #SECRET_WORDS}; or a code that is one
   * ("code", "auth_code", "verificationCode", not "countryCode").
   */
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
    for (String stem : SECRET_STEMS) {
      if (n.contains(stem)) {
        return true;
      }
    }
    List<String> words = words(name);
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (SECRET_WORDS.contains(word)) {
        return true;
      }
      if (word.equals("code") && (words.size() == 1 || (i > 0 && CODE_QUALIFIERS.contains(words.get(i - 1))))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> words(String name) {
    List<String> out = new ArrayList<>();
    for (String part : name.split("[^A-Za-z0-9]+")) {
      for (String word : CAMEL.split(part)) {
        if (!word.isEmpty()) {
          out.add(word.toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  /** The URL with its user info and the values of secret-looking query parameters replaced. */
  public String url(String url) {
    return query(withoutUserInfo(url), value -> false);
  }

  /**
   * The URL with the values of its secret-looking query parameters replaced, except those {@code shown}
   * accepts (a definition keeps its {@code {$env.*}} references readable).
   */
  public String query(String url, Predicate<String> shown) {
    int q = url.indexOf('?');
    if (q < 0 || !anySecretName(url, q + 1)) {
      return url; // nothing to hide (most URLs): the URL as it is, not rebuilt
    }
    StringBuilder out = new StringBuilder(url.length()).append(url, 0, q + 1);
    String[] pairs = url.substring(q + 1).split("&", -1);
    for (int i = 0; i < pairs.length; i++) {
      int eq = pairs[i].indexOf('=');
      boolean hide = eq >= 0 && isSecretParameter(pairs[i].substring(0, eq)) && !shown.test(pairs[i].substring(eq + 1));
      out.append(i > 0 ? "&" : "").append(hide ? pairs[i].substring(0, eq + 1) + MASK : pairs[i]);
    }
    return out.toString();
  }

  /**
   * Whether a query parameter's name, as written in a URL, is secret-looking: as it is, or percent-decoded, as
   * the upstream reads it ({@code api%5Fkey} is {@code api_key}).
   */
  private boolean isSecretParameter(String rawName) {
    if (isSecret(rawName)) {
      return true;
    }
    if (rawName.indexOf('%') < 0 && rawName.indexOf('+') < 0) {
      return false;
    }
    try {
      return isSecret(java.net.URLDecoder.decode(rawName, java.nio.charset.StandardCharsets.UTF_8));
    } catch (IllegalArgumentException malformed) {
      return false; // not an escape: the name as written was judged above
    }
  }

  /** Whether a parameter of the query starting at {@code from} has a secret-looking name and a value. */
  private boolean anySecretName(String url, int from) {
    for (int start = from; start <= url.length(); ) {
      int end = url.indexOf('&', start);
      end = end < 0 ? url.length() : end;
      int eq = start; // looked for within this parameter only: '?a&a&a...' would scan the rest of the URL each time
      while (eq < end && url.charAt(eq) != '=') {
        eq++;
      }
      if (eq < end && isSecretParameter(url.substring(start, eq))) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  /** The URL with the user info of its authority (user and password) replaced by {@link #MASK}. */
  public static String withoutUserInfo(String url) {
    int[] span = userInfo(url);
    return span == null ? url : url.substring(0, span[0]) + MASK + url.substring(span[1]);
  }

  /** Where the user info of an absolute URL is, {start, end} before the '@', or null when it has none. */
  public static int[] userInfo(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return null;
    }
    int start = scheme + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    int at = url.lastIndexOf('@', end - 1);
    return at < start ? null : new int[] {start, at};
  }

  /** Headers in order, secret values replaced. */
  public Map<String, String> headers(Iterable<Map.Entry<String, String>> headers) {
    Map<String, String> out = new LinkedHashMap<>();
    headers.forEach(h -> out.put(h.getKey(), isSecret(h.getKey()) ? MASK : h.getValue()));
    return out;
  }

  /** A text body (JSON or a form) with the values of secret-looking fields replaced. */
  public String text(String body) {
    return text(body, value -> false);
  }

  /**
   * A text body with the values of secret-looking fields replaced, except those {@code keep} accepts:
   * {@code "name": "value"} pairs (and numbers) when it looks like JSON, {@code name=value} pairs otherwise.
   */
  public String text(String body, Predicate<String> keep) {
    String trimmed = body.stripLeading();
    boolean json = trimmed.startsWith("{") || trimmed.startsWith("[");
    Matcher m = (json ? JSON_PAIR : FORM_PAIR).matcher(body);
    StringBuilder out = null;
    int last = 0;
    while (m.find()) {
      int valueGroup = json ? (m.group(3) != null ? 3 : 2) : 2;
      if (!isSecret(m.group(1)) || keep.test(m.group(valueGroup))) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(body.length());
      }
      boolean quotedNumber = json && m.group(3) == null;
      out.append(body, last, m.start(valueGroup)).append(quotedNumber ? "\"" + MASK + "\"" : MASK);
      last = m.end(valueGroup);
    }
    return out == null ? body : out.append(body, last, body.length()).toString();
  }
}
