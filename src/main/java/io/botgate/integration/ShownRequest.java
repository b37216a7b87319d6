package io.botgate.integration;

import io.botgate.events.SecretMask;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.Map;

/**
 * A rendered request as events, answers, errors and logs may show it: every value rendered from
 * {@code {$env.*}} masked where it landed, URL user info masked, and the values of headers, query
 * parameters and body fields under secret-looking names masked. What is sent is never this.
 */
final class ShownRequest {

  /** Values shorter than this are masked where they land but not searched for in free text. */
  private static final int MIN_SCRUBBED_LENGTH = 4;

  private final String url;
  private final Map<String, String> headers;
  private final String maskedBody;
  private final Buffer plainBody;
  /** Replaced, never changed in place: a renewed credential adds its new secrets ({@link #hide}). */
  private List<String> secrets;

  /**
   * @param maskedBody the body with its secrets masked, or null when {@code plainBody} holds none
   * @param secrets    texts to scrub from free text whose structure is unknown (env values, a host that
   *                   came from the environment): network errors, redirect targets
   */
  ShownRequest(String url, Map<String, String> headers, String maskedBody, Buffer plainBody, List<String> secrets) {
    this.url = url;
    this.headers = headers;
    this.maskedBody = maskedBody;
    this.plainBody = plainBody;
    this.secrets = secrets;
  }

  /** The same request shown at another URL (a rewritten prefix). */
  ShownRequest withUrl(String shownUrl) {
    return new ShownRequest(shownUrl, headers, maskedBody, plainBody, secrets);
  }

  /**
   * The request with a credential's headers added, each shown as the mask whatever its name (the values come
   * from the credential, as {@code {$env.*}} values do), and its secrets scrubbed from free text.
   */
  ShownRequest withCredential(List<Map.Entry<String, String>> credentialHeaders, List<String> credentialSecrets) {
    Map<String, String> shownHeaders = new java.util.LinkedHashMap<>(headers);
    credentialHeaders.forEach(h -> {
      shownHeaders.keySet().removeIf(name -> name.equalsIgnoreCase(h.getKey()));
      shownHeaders.put(h.getKey(), SecretMask.MASK);
    });
    List<String> all = new java.util.ArrayList<>(secrets);
    all.addAll(credentialSecrets);
    return new ShownRequest(url, shownHeaders, maskedBody, plainBody, all);
  }

  /** Adds texts to scrub: the secrets of a credential renewed after this request was shown. */
  synchronized void hide(List<String> more) {
    List<String> all = new java.util.ArrayList<>(secrets);
    all.addAll(more);
    secrets = all;
  }

  String url() {
    return url;
  }

  /** The texts {@link #scrub} replaces (some may be too short to be searched for). */
  List<String> secrets() {
    return secrets;
  }

  Map<String, String> headers() {
    return headers;
  }

  /** The body as text, secrets masked; null without a body. Worked out when asked for. */
  String body() {
    return maskedBody != null ? maskedBody : plainBody == null ? null : plainBody.toString();
  }

  /** Whether {@link #scrub} may change any text: there is a secret long enough to scrub. */
  boolean scrubsAny() {
    for (String secret : secrets) {
      if (secret.length() >= MIN_SCRUBBED_LENGTH) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@link #scrub} would change the text: it holds one of the secrets long enough to scrub. */
  boolean wouldScrub(String text) {
    for (String secret : secrets) {
      if (secret.length() >= MIN_SCRUBBED_LENGTH && text.contains(secret)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Free text that may quote the request (a network error, a redirect target) with every known secret
   * text replaced: used only where the positions of values are unknown.
   */
  String scrub(String text) {
    List<String> secrets = this.secrets;
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    for (String secret : secrets) {
      if (secret.length() >= MIN_SCRUBBED_LENGTH) {
        text = text.replace(secret, SecretMask.MASK);
      }
    }
    return text;
  }
}
