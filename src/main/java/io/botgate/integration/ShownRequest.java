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
  private volatile List<String> secrets;
  /** The forms of a list of secrets searched for in free text, worked out when first needed. */
  private volatile Forms forms;

  private record Forms(List<String> of, List<String> forms) {
  }

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

  /**
   * What is searched for in free text: each secret long enough to search for, in the forms an upstream may echo it
   * in ({@link io.botgate.events.KnownSecrets#forms}: percent-encoded, escaped inside a JSON string, lower-cased,
   * re-encoded), and percent-encoded as a path segment. Matched exactly: a scan per form, as fast as
   * {@link String#indexOf}, where matching regardless of case compared every position.
   */
  private List<String> forms() {
    List<String> of = secrets;
    if (of.isEmpty()) {
      return of; // most requests: no env value, nothing worked out
    }
    Forms known = forms;
    if (known == null || known.of() != of) { // worked out again for secrets added since (two threads: the same)
      java.util.Set<String> all = new java.util.LinkedHashSet<>();
      for (String secret : of) {
        if (secret.length() >= MIN_SCRUBBED_LENGTH) {
          all.addAll(io.botgate.events.KnownSecrets.forms(secret)); // the forms every shown text is scrubbed of
          String path = RequestTemplate.pathEncode(secret); // and as a path placeholder writes it
          all.add(path);
          all.add(path.toLowerCase(java.util.Locale.ROOT));
        }
      }
      known = new Forms(of, List.copyOf(all));
      forms = known;
    }
    return known.forms();
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

  /**
   * Whether the body sent holds a secret: an {@code {$env.*}} value, or a value under a secret-looking field
   * name (what {@link #body} masks).
   */
  boolean bodyHoldsSecret() {
    return maskedBody != null && plainBody != null && !maskedBody.equals(plainBody.toString());
  }

  /** Whether {@link #scrub} may change any text: there is a secret long enough to scrub. */
  boolean scrubsAny() {
    return !forms().isEmpty();
  }

  /** Whether {@link #scrub} would change the text: it holds one of the secrets long enough to scrub. */
  boolean wouldScrub(String text) {
    for (String form : forms()) {
      if (text.contains(form)) {
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
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    for (String form : forms()) {
      text = text.replace(form, SecretMask.MASK);
    }
    return text;
  }
}
