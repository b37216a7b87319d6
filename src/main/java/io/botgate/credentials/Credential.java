package io.botgate.credentials;

import io.botgate.integration.CredentialGrant;
import io.botgate.integration.HeaderSyntax;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A named credential an integration is called with, as CB's: {@code basic}, {@code token}, {@code oauth2}
 * (client-credentials grant) or {@code mtls}. Built only through {@link #fromJson}, which checks every field
 * and reports all problems at once. Its secret values are never shown: {@link #summary} gives the name and type.
 */
public abstract sealed class Credential permits BasicCredential, TokenCredential, OAuth2Credential, MtlsCredential {

  private static final Logger LOG = LoggerFactory.getLogger(Credential.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_\\-]{0,99}");
  private static final Set<String> COMMON = Set.of("name", "type", "description");
  private static final Map<String, Set<String>> FIELDS = Map.of(
    "basic", Set.of("user", "password"),
    "token", Set.of("header", "value"),
    "oauth2", Set.of("tokenUrl", "clientId", "clientSecret", "scope", "clientAuth"),
    "mtls", Set.of("cert", "key", "ca"));

  private final String name;
  private final JsonObject source;

  Credential(String name, JsonObject source) {
    this.name = name;
    this.source = source;
  }

  public String name() {
    return name;
  }

  public abstract String type();

  /** Fields that hold no secret, though they may come from the environment: where the token is asked for. */
  private static final Set<String> NOT_SECRET = Set.of("name", "type", "description", "tokenUrl", "header",
    "clientAuth", "scope");

  /** Whether a secret of it ({@code password}, {@code clientSecret}, {@code key}...) comes from this env name. */
  public boolean takesSecretFrom(String envName) {
    for (Map.Entry<String, Object> field : source) {
      if (!NOT_SECRET.contains(field.getKey()) && field.getValue() instanceof String text
        && SecretText.refersTo(text, envName)) {
        return true;
      }
    }
    return false;
  }

  /** What may be shown of it: the name and the type, never a value. */
  public JsonObject summary() {
    return new JsonObject().put("name", name).put("type", type());
  }

  /**
   * The credential as given, secrets included: for keeping it (a file, the cluster's store), never for an
   * answer, an event or a log.
   */
  public JsonObject toJson() {
    return source.copy();
  }

  /** What it adds to a request now; fails with {@code CredentialUnavailable} when it cannot be had. */
  abstract Future<CredentialGrant> obtain(CredentialContext context);

  /** After a 401 to {@code refused}: by default the same as {@link #obtain}. */
  Future<CredentialGrant> renew(CredentialContext context, CredentialGrant refused) {
    return obtain(context);
  }

  /** Releases what it holds (a client with a certificate); calls in flight may still finish. */
  void close() {
  }

  /**
   * Validates a credential and builds it.
   *
   * @param fallbackName the name to use when the JSON has none (the name in a PUT path), may be null
   * @throws CredentialException listing every problem found
   */
  public static Credential fromJson(JsonObject json, String fallbackName) {
    return fromJson(json, fallbackName, true);
  }

  /**
   * As {@link #fromJson(JsonObject, String)} for a credential already saved (the file's at start, another
   * node's): a PEM file it names that this node cannot read, or that holds no PEM, is logged as a warning
   * instead of refused. Files are this node's own: one moved, or a mount not there yet, must neither stop the
   * start nor leave the cluster's nodes with different sets; calls with it end {@code "460"} until it is right.
   */
  public static Credential fromSaved(JsonObject json, String fallbackName) {
    return fromJson(json, fallbackName, false);
  }

  private static Credential fromJson(JsonObject json, String fallbackName, boolean filesChecked) {
    Fields f = new Fields(json, fallbackName, filesChecked);
    String type = f.type();
    Set<String> known = new TreeSet<>(COMMON);
    known.addAll(type == null ? Set.of() : FIELDS.get(type));
    for (String key : json.fieldNames()) {
      if (!known.contains(key) && type != null) {
        f.problem(key, "unknown field for a " + type + " credential; known fields are " + known);
      }
    }
    f.optional("description");
    if ("basic".equals(type) && json.getValue("user") instanceof String user && !user.contains("{$env.")
      && user.contains(":")) {
      f.problem("user", "may not contain ':': " + BasicCredential.NO_COLON);
    }
    Credential built = type == null ? null : switch (type) {
      case "basic" -> new BasicCredential(f.name, json.copy(), f.secret("user", true), f.secret("password", true));
      case "token" -> new TokenCredential(f.name, json.copy(), f.headerName(), f.headerValue("value"));
      case "oauth2" -> new OAuth2Credential(f.name, json.copy(), f.url("tokenUrl"), f.secret("clientId", true),
        f.secret("clientSecret", true), f.optional("scope"), f.clientAuth());
      case "mtls" -> new MtlsCredential(f.name, json.copy(), f.pem("cert", MtlsCredential::certificateProblem),
        f.pem("key", null), f.optionalPem("ca"));
      default -> null;
    };
    if (!f.problems.isEmpty()) {
      throw new CredentialException("credential '" + f.displayName() + "' is invalid", f.problems);
    }
    return built;
  }

  /** Reads and checks fields one by one, collecting problems instead of stopping at the first. */
  private static final class Fields {
    final JsonObject json;
    final List<CredentialException.Problem> problems = new ArrayList<>();
    /** Whether a PEM file's problems are the definition's (a PUT's) or warnings (a saved one's). */
    final boolean filesChecked;
    String name;

    Fields(JsonObject json, String fallbackName, boolean filesChecked) {
      this.json = json;
      this.filesChecked = filesChecked;
      Object value = json.getValue("name");
      if (value == null && fallbackName != null) {
        value = fallbackName;
      }
      if (!(value instanceof String s) || s.isBlank()) {
        problem("name", "is required (a string)");
        return;
      }
      name = s;
      if (!NAME.matcher(s).matches()) {
        problem("name", "must be 1-100 letters, digits, '_' or '-', starting with a letter or '_'");
      }
      if (fallbackName != null && !fallbackName.equals(s)) {
        problem("name", "'" + s + "' does not match the name in the path, '" + fallbackName + "'");
      }
    }

    String displayName() {
      return name != null ? name : "?";
    }

    void problem(String field, String message) {
      problems.add(new CredentialException.Problem(displayName(), field, message));
    }

    String type() {
      Object value = json.getValue("type");
      if (value instanceof String s && FIELDS.containsKey(s)) {
        return s;
      }
      problem("type", "is required, one of " + new TreeSet<>(FIELDS.keySet())
        + (value == null ? "" : ", not " + (value instanceof String s ? "'" + s + "'" : value)));
      return null;
    }

    String optional(String key) {
      Object value = json.getValue(key);
      if (value == null || value instanceof String) {
        return (String) value;
      }
      problem(key, "must be a string");
      return null;
    }

    /** A string that may hold {@code {$env.NAME}}; its value is never quoted in a problem. */
    SecretText secret(String key, boolean required) {
      Object value = json.getValue(key);
      if (value == null && !required) {
        return null;
      }
      if (!(value instanceof String s) || s.isEmpty()) {
        problem(key, "is required (a string, or {$env.NAME})");
        return new SecretText(displayName(), key, "");
      }
      String wrong = SecretText.problem(s);
      if (wrong != null) {
        problem(key, wrong);
      }
      return new SecretText(displayName(), key, s);
    }

    /** A secret sent as a header value as it is: no control character but a tab may stand in it. */
    SecretText headerValue(String key) {
      SecretText value = secret(key, true);
      String wrong = HeaderSyntax.valueProblem(value.source());
      if (wrong != null) {
        problem(key, wrong);
      }
      return value;
    }

    String headerName() {
      String header = optional("header");
      if (header == null) {
        return "Authorization";
      }
      if (!HeaderSyntax.isToken(header)) {
        problem("header", "must be a header name (letters, digits and -), such as X-Api-Key");
      } else if (HeaderSyntax.isSetByGateway(header)) {
        problem("header", "'" + header + "' is set by the gateway itself (Host is the URL's host, the one the egress "
          + "guard checked); name another header, such as X-Api-Key");
      }
      return header;
    }

    SecretText url(String key) {
      SecretText url = secret(key, true);
      if (!url.fromEnv() && !url.source().isEmpty()) {
        try {
          java.net.URI uri = new java.net.URI(url.source());
          if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            problem(key, "must be an absolute http(s) URL, or {$env.NAME}");
          }
        } catch (java.net.URISyntaxException e) {
          problem(key, "is not a valid URL: " + e.getReason());
        }
      }
      return url;
    }

    String clientAuth() {
      String auth = optional("clientAuth");
      if (auth != null && !auth.equals("basic") && !auth.equals("body")) {
        problem("clientAuth", "must be \"basic\" (HTTP Basic, the default) or \"body\" (client_id and client_secret in the form)");
      }
      return auth == null ? "basic" : auth;
    }

    /** PEM text (inline or from {@code {$env.NAME}}) or the path of a PEM file. */
    SecretText pem(String key, Function<String, String> check) {
      SecretText pem = secret(key, true);
      if (pem.fromEnv() || pem.source().isEmpty()) {
        return pem;
      }
      String text = pem.source();
      boolean file = !MtlsCredential.isPem(text);
      if (file) { // the path of a PEM file: read now, so a wrong one is told at once
        try {
          text = MtlsCredential.readPemFile(text);
        } catch (IOException | RuntimeException e) {
          fileProblem(key, "names no PEM file the gateway can read (a regular file of at most "
            + MtlsCredential.MAX_PEM_FILE_BYTES + " bytes); give the PEM text, {$env.NAME}, or such a file's path");
          return pem;
        }
      }
      String wrong = check == null ? (MtlsCredential.isPem(text) ? null : "is not PEM text") : check.apply(text);
      if (wrong != null && file) {
        fileProblem(key, "names a file that " + wrong);
      } else if (wrong != null) {
        problem(key, wrong);
      }
      return pem;
    }

    /** A problem of a PEM file this node reads: the definition's in a PUT, a warning in a saved credential. */
    private void fileProblem(String key, String message) {
      if (filesChecked) {
        problem(key, message);
      } else {
        LOG.warn("credential '{}': {} {}; its calls end \"460\" until that is put right", displayName(), key, message);
      }
    }

    SecretText optionalPem(String key) {
      if (json.getValue(key) == null) {
        return null;
      }
      return pem(key, MtlsCredential::certificateProblem);
    }
  }
}
