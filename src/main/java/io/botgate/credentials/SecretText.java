package io.botgate.credentials;

import io.botgate.integration.CredentialUnavailable;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A credential's value as written: literal text, or text with {@code {$env.NAME}} placeholders filled from the
 * bot's environment when the credential is used. No other placeholder may appear: a credential never depends
 * on a conversation.
 */
final class SecretText {

  private static final Pattern ENV = Pattern.compile("\\{\\$env\\.([A-Za-z_][\\w.\\-]*)}");
  private static final Pattern ANY_PLACEHOLDER = Pattern.compile("\\{\\$[^}]*}");

  private final String credential;
  private final String field;
  private final String source;

  SecretText(String credential, String field, String source) {
    this.credential = credential;
    this.field = field;
    this.source = source;
  }

  /** What is wrong with a value as written (a placeholder other than {@code {$env.NAME}}), or null. */
  static String problem(String source) {
    Matcher m = ANY_PLACEHOLDER.matcher(source);
    while (m.find()) {
      if (!ENV.matcher(m.group()).matches()) {
        return "only {$env.NAME} placeholders may stand in a credential, not " + m.group();
      }
    }
    return null;
  }

  /** Whether {@code text}, a value as written, takes something from the env variable {@code envName}. */
  static boolean refersTo(String text, String envName) {
    Matcher m = ENV.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(envName)) {
        return true;
      }
    }
    return false;
  }

  boolean fromEnv() {
    return ENV.matcher(source).find();
  }

  String source() {
    return source;
  }

  /**
   * The value with its placeholders filled.
   *
   * @throws CredentialUnavailable naming the variable when it is not set
   */
  String value(Map<String, String> env) {
    Matcher m = ENV.matcher(source);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null) {
        throw new CredentialUnavailable("credential '" + credential + "': its " + field + " comes from {$env."
          + m.group(1) + "}, which is not set (the \"env\" object of the configuration or BOTGATE_ENV_" + m.group(1) + ")");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
