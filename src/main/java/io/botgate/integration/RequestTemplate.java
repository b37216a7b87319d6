package io.botgate.integration;

import io.botgate.events.SecretMask;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * The templated parts of a definition: URL, headers, query and body. Each placeholder value is encoded
 * for where it lands: a URL path segment, a query component, a header (as is), a JSON string.
 * {@code {$env.x}} values in the URL before '?' go in verbatim, so a base URL can come from the
 * environment; env values are configuration, never user input.
 */
final class RequestTemplate {

  static final String JSON_TYPE = "application/json;charset=UTF-8";

  private final Template urlPath;
  private final Template urlQuery;
  private final Map<String, Template> headers;
  private final Map<String, Template> query;
  private final Object body;
  private final boolean jsonBody;
  /** A string body sent as {@code application/x-www-form-urlencoded}: its values are encoded as form fields. */
  private final boolean formBody;
  /** Whether placeholders fill the URL's authority, so its port is only known, and checked, when rendered. */
  private final boolean portRendered;
  /** {@link #url} when it has no placeholders, once rendered; null before. */
  private volatile ConstantUrl constantUrl;
  /** Derived from the templates and the mask on first use; a new mask (a test's) derives it again. */
  private volatile MaskPlan plan;

  private RequestTemplate(Template urlPath, Template urlQuery, Map<String, Template> headers,
                          Map<String, Template> query, Object body, boolean jsonBody, boolean formBody) {
    this.urlPath = urlPath;
    this.urlQuery = urlQuery;
    this.headers = headers;
    this.query = query;
    this.body = body;
    this.jsonBody = jsonBody;
    this.formBody = formBody;
    String head = urlPath.literals().get(0); // the URL up to its first placeholder
    int authority = head.indexOf("://") + 3;
    this.portRendered = !urlPath.isConstant() && !head.startsWith("/") && (authority < 3
      || head.indexOf('/', authority) < 0 && head.indexOf('?', authority) < 0 && head.indexOf('#', authority) < 0);
  }

  static RequestTemplate read(JsonObject json, boolean defaultHeaders, BiConsumer<String, String> problem) {
    Template path = Template.parse("/");
    Template urlQuery = null;
    Object url = json.getValue("url");
    if (!(url instanceof String u) || u.isBlank()) {
      problem.accept("url", "is required: an absolute http(s) URL, or a path such as /demo/faq on this gateway");
    } else {
      int q = u.indexOf('?');
      path = checked(problem, "url", u.substring(0, q < 0 ? u.length() : q));
      urlQuery = q < 0 ? null : checked(problem, "url", u.substring(q + 1));
      if (q >= 0 && ("&" + u.substring(q + 1)).contains("&=")) {
        problem.accept("url", "has a query parameter with an empty name (\"?=...\" or \"&=...\"); name it, e.g. \"q\"");
      }
      boolean fromEnv = u.startsWith("{$env.");
      if (!fromEnv && !u.startsWith("http://") && !u.startsWith("https://") && !u.startsWith("/")) {
        // Quoted up to its query, without user info: either may carry a secret, and no mask's names are at hand here.
        String shown = SecretMask.withoutUserInfo(q < 0 ? u : u.substring(0, q) + "?…");
        problem.accept("url", "'" + shown + "' must start with http://, https://, / (this gateway) or {$env.name}");
      }
      String invalid = u.startsWith("http://") || u.startsWith("https://") ? UrlSyntax.problem(u) : null;
      if (invalid != null) {
        problem.accept("url", invalid);
      }
    }
    Map<String, Template> headers = new LinkedHashMap<>();
    if (defaultHeaders) {
      headers.put("Accept", Template.parse(JSON_TYPE));
      headers.put("Content-Type", Template.parse(JSON_TYPE));
    }
    stringMap(json, "headers", problem).forEach((k, v) -> {
      headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(k));
      headers.put(k, checked(problem, "headers." + HeaderSyntax.shown(k), v));
      HeaderSyntax.problems(k, v, problem);
    });
    Map<String, Template> query = new LinkedHashMap<>();
    stringMap(json, "query", problem).forEach((k, v) -> {
      if (k.isEmpty()) {
        problem.accept("query", "has a parameter with an empty name; name it, e.g. \"q\"");
      }
      query.put(k, checked(problem, "query." + k, v));
    });
    Object body = json.getValue("body");
    if (body != null && !(body instanceof String || body instanceof JsonObject || body instanceof JsonArray)) {
      problem.accept("body", "must be a string template or a JSON object or array");
      body = null;
    }
    Object compiledBody = compileBody(body, problem);
    Template contentType = headers.entrySet().stream()
      .filter(e -> e.getKey().equalsIgnoreCase("Content-Type")).map(Map.Entry::getValue).findFirst().orElse(null);
    boolean jsonBody = contentType != null && contentType.source().toLowerCase().contains("json");
    boolean formBody = contentType != null && contentType.source().toLowerCase().contains("x-www-form-urlencoded");
    return new RequestTemplate(path, urlQuery, headers, query, compiledBody, jsonBody, formBody);
  }

  private static Template checked(BiConsumer<String, String> problem, String field, String text) {
    Template t = Template.parse(text);
    for (Template.Placeholder p : t.placeholders()) {
      if (p.kind() == Template.Placeholder.Kind.UNKNOWN) {
        problem.accept(field, "unknown placeholder " + p + "; use {$botContext.name}, {$botContext.slot.name}, "
          + "{$env.name}, {$conversationId}, {$userMessage}, {$query} or {Integration.field}");
      }
    }
    return t;
  }

  /** Strings become templates; objects and arrays keep their shape with templates inside. */
  private static Object compileBody(Object body, BiConsumer<String, String> problem) {
    if (body instanceof String s) {
      return checked(problem, "body", s);
    }
    if (body instanceof JsonObject obj) {
      Map<String, Object> out = new LinkedHashMap<>();
      obj.forEach(e -> out.put(e.getKey(), compileBody(e.getValue(), problem)));
      return out;
    }
    if (body instanceof JsonArray arr) {
      List<Object> out = new ArrayList<>();
      arr.forEach(v -> out.add(compileBody(v, problem)));
      return out;
    }
    return body;
  }

  private static Map<String, String> stringMap(JsonObject json, String key, BiConsumer<String, String> problem) {
    Object value = json.getValue(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof JsonObject obj)) {
      problem.accept(key, "must be an object of name to string template");
      return out;
    }
    obj.forEach(e -> {
      if (e.getValue() instanceof String s) {
        out.put(e.getKey(), s);
      } else {
        problem.accept(key + "." + e.getKey(), "must be a string");
      }
    });
    return out;
  }

  /**
   * Renders the request for one call, and the form it may be shown in.
   *
   * @param selfBaseUrl the gateway's own base URL, for URLs that are paths on this gateway
   * @throws TemplateRejection when a placeholder cannot be resolved, its value has a newline (in a header, any
   *                           control character but a tab), a path placeholder would make a '.' or '..'
   *                           segment, or placeholders fill the port with something other than 1 to 65535
   */
  RenderedRequest render(PlaceholderValues given, String selfBaseUrl, SecretMask mask) {
    PlaceholderValues values = bounded(given);
    MaskPlan plan = plan(mask);
    List<String> secrets = plan.anyEnv || plan.userInfo || !plan.written.isEmpty() ? new ArrayList<>(plan.written)
      : List.of();
    PlaceholderValues v = plan.anyEnv ? p -> {
      String value = values.valueOf(p);
      if (value != null && p.kind() == Template.Placeholder.Kind.ENV) {
        secrets.add(value);
      }
      return value;
    } : values;
    StringBuilder url = new StringBuilder(128);
    StringBuilder shown = plan.urlDiffers ? new StringBuilder(128) : null;
    renderPath(v, url, shown);
    if (url.length() > 0 && url.charAt(0) == '/') {
      url.insert(0, selfBaseUrl);
      if (shown != null) {
        shown.insert(0, selfBaseUrl);
      }
    }
    char sep = '?';
    if (urlQuery != null) {
      url.append('?');
      if (shown != null) {
        shown.append('?');
      }
      if (plan.shownUrlQuery != null) { // written out in the definition: its shown form is made once
        url.append(urlQuery.source());
        shown.append(plan.shownUrlQuery);
      } else {
        urlQuery.render(v, RequestTemplate::queryEncode, "url", url, shown);
      }
      sep = '&';
    }
    int i = 0;
    for (Map.Entry<String, Template> e : query.entrySet()) {
      String name = queryEncode(e.getKey());
      String[] value = renderPair(v, e.getValue(), plan.secretQuery[i++], shown != null, false,
        "query '" + e.getKey() + "'");
      url.append(sep).append(name).append('=').append(queryEncode(value[0]));
      if (shown != null) {
        shown.append(sep).append(name).append('=').append(queryEncode(value[1]));
      }
      sep = '&';
    }
    String realUrl = url.toString();
    checkPort(realUrl);
    if (plan.userInfo) {
      addUserInfo(realUrl, secrets);
    }
    String shownUrl = shown == null ? realUrl : plan.scanUrlQuery ? mask.url(shown.toString())
      : plan.userInfo ? SecretMask.withoutUserInfo(shown.toString()) : shown.toString();
    List<Map.Entry<String, String>> renderedHeaders = new ArrayList<>(headers.size());
    Map<String, String> shownHeaders = new LinkedHashMap<>();
    int j = 0;
    for (Map.Entry<String, Template> e : headers.entrySet()) {
      String[] value = renderPair(v, e.getValue(), plan.secretHeader[j++], true, true, "header '" + e.getKey() + "'");
      renderedHeaders.add(Map.entry(e.getKey(), value[0]));
      shownHeaders.put(e.getKey(), value[1]);
    }
    Buffer renderedBody = body == null ? null : renderBody(v);
    // the shown copy renders the same values again: counted once, above
    String shownBody = body != null && plan.bodyDiffers ? shownBody(given, mask) : null;
    if (plan.hostMayDiffer) {
      String host = hostOf(realUrl);
      if (!host.equals(hostOf(shownUrl))) {
        secrets.add(host);
      }
    }
    return new RenderedRequest(realUrl, renderedHeaders, renderedBody,
      new ShownRequest(shownUrl, shownHeaders, shownBody, renderedBody, secrets));
  }

  /**
   * The {@code url} field alone, its own query included and the declared query parameters not (what the
   * pass-through proxy appends a caller's path to): as sent, and as it may be shown.
   */
  RenderedRequest url(PlaceholderValues values, String selfBaseUrl, SecretMask mask) {
    ConstantUrl constant = constantUrl;
    if (constant != null && Objects.equals(constant.selfBaseUrl(), selfBaseUrl) && constant.mask() == mask) {
      return new RenderedRequest(constant.real(), List.of(), null, new ShownRequest(constant.shown(), Map.of(), null,
        null, constant.secrets()));
    }
    RenderedRequest rendered = renderUrl(values, selfBaseUrl, mask);
    if (urlPath.isConstant() && (urlQuery == null || urlQuery.isConstant())) {
      // Without placeholders the URL is the same on every call (a pass-through call renders it each time).
      constantUrl = new ConstantUrl(selfBaseUrl, mask, rendered.url(), rendered.shown().url(),
        List.copyOf(rendered.shown().secrets()));
    }
    return rendered;
  }

  /**
   * The secrets of the URL's user info, sent as Basic {@code Authorization} unless the request has its own
   * (UpstreamCaller, the pass-through): hidden wherever an upstream echoes them, as a basic credential's are.
   */
  private static void addUserInfo(String url, List<String> secrets) {
    int[] span = SecretMask.userInfo(url);
    if (span == null) {
      return;
    }
    String raw = url.substring(span[0], span[1]);
    String userInfo = raw;
    try { // decoded by java.net.URI, as the callers that send it decode it for the header
      String decoded = new URI(url).getUserInfo();
      userInfo = decoded == null ? raw : decoded;
    } catch (URISyntaxException e) {
      // not sent either: UpstreamCaller refuses such a URL; the raw text stays a secret
    }
    secrets.addAll(CredentialGrant.basicSecrets(userInfo));
    if (!raw.equals(userInfo)) {
      secrets.add(raw);
    }
  }

  /**
   * Values under a secret-looking name shorter than this are masked where they land but not searched for in what
   * an upstream echoes: a name such as "key" or "pin" may hold a common word, which would then be masked in every
   * session's text.
   */
  static final int MIN_LEARNT_BY_NAME = 8;

  /**
   * A value written out in the definition under a secret-looking header or query name (a key), to be scrubbed
   * wherever an upstream echoes it, as an env value is; with a scheme ({@code Bearer <token>}), the credentials
   * after it too, which an upstream may echo alone. Only values without placeholders: one filled from the bot's
   * variables or the conversation (a session id under {@code X-Session-Id}) is the bot's own data, and learning it
   * would mask it in every session's text and push the configured secrets out of the bounded set.
   */
  private static void learnByName(String value, List<String> secrets) {
    if (value == null || value.length() < MIN_LEARNT_BY_NAME || value.equals(SecretMask.MASK)) {
      return;
    }
    if (!secrets.contains(value)) {
      secrets.add(value);
    }
    int space = value.indexOf(' ');
    if (space > 0 && value.indexOf(' ', space + 1) < 0) {
      learnByName(value.substring(space + 1), secrets);
    }
  }

  /** The values of the secret-looking parameters of a query ({@code ?a=b&...}), as {@link #learnByName}. */
  private static void learnQueryByName(String query, SecretMask mask, List<String> secrets) {
    if (query.indexOf('?') >= 0) {
      mask.query(query, value -> {
        learnByName(value, secrets);
        String decoded = percentDecoded(value);
        if (!decoded.equals(value)) {
          learnByName(decoded, secrets);
        }
        return false;
      });
    }
  }

  private static String percentDecoded(String value) {
    if (value.indexOf('%') < 0 && value.indexOf('+') < 0) {
      return value;
    }
    try {
      return java.net.URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return value; // a stray '%': echoed as it is, if at all
    }
  }

  /** The most characters the placeholders' values of one request may add up to (4 times the API's body limit). */
  static final long MAX_RENDERED_CHARS = 4L << 20;

  /**
   * The values, their total length bounded for one request: a template repeating a placeholder (2,000 times a
   * variable of 1 MB) built gigabytes on the event loop, blocked it 40 s and ended in an OutOfMemoryError.
   */
  private static PlaceholderValues bounded(PlaceholderValues values) {
    long[] total = {0};
    return p -> {
      String value = values.valueOf(p);
      if (value != null && (total[0] += value.length()) > MAX_RENDERED_CHARS) {
        throw new TemplateRejection("the placeholders' values in this request add up to more than "
          + MAX_RENDERED_CHARS + " characters (" + p + " among them); nothing was sent");
      }
      return value;
    };
  }

  /** The rendering of a {@code url} without placeholders, for the mask and self URL it was rendered with. */
  private record ConstantUrl(String selfBaseUrl, SecretMask mask, String real, String shown, List<String> secrets) {
  }

  private RenderedRequest renderUrl(PlaceholderValues given, String selfBaseUrl, SecretMask mask) {
    PlaceholderValues values = bounded(given);
    List<String> secrets = new ArrayList<>(4);
    PlaceholderValues v = p -> {
      String value = values.valueOf(p);
      if (value != null && p.kind() == Template.Placeholder.Kind.ENV) {
        secrets.add(value);
      }
      return value;
    };
    StringBuilder url = new StringBuilder(128);
    StringBuilder shown = new StringBuilder(128);
    renderPath(v, url, shown);
    if (url.length() > 0 && url.charAt(0) == '/') {
      url.insert(0, selfBaseUrl);
      shown.insert(0, selfBaseUrl);
    }
    if (urlQuery != null) {
      url.append('?');
      shown.append('?');
      urlQuery.render(v, RequestTemplate::queryEncode, "url", url, shown);
    }
    String real = url.toString();
    checkPort(real);
    addUserInfo(real, secrets);
    secrets.addAll(plan(mask).writtenInUrl);
    String host = hostOf(real);
    if (!host.isEmpty() && !host.equals(hostOf(shown.toString()))) {
      secrets.add(host);
    }
    return new RenderedRequest(real, List.of(), null, new ShownRequest(mask.url(shown.toString()), Map.of(), null,
      null, secrets));
  }

  /**
   * A header or query value, sent and shown: masked whole under a secret name, its env values otherwise. A
   * header's value with a control character rejects the call.
   */
  private static String[] renderPair(PlaceholderValues values, Template t, boolean secret, boolean wantShown,
                                     boolean header, String where) {
    if (!t.hasEnv() || secret || !wantShown) {
      String value = header ? t.renderHeader(values, where) : t.render(values, v -> v, where);
      return new String[] {value, secret ? SecretMask.MASK : value};
    }
    StringBuilder sent = new StringBuilder(t.source().length() + 32);
    StringBuilder shown = new StringBuilder(t.source().length() + 32);
    if (header) {
      t.renderHeader(values, where, sent, shown);
    } else {
      t.render(values, v -> v, where, sent, shown);
    }
    return new String[] {sent.toString(), shown.toString()};
  }

  /**
   * The URL before '?'. A placeholder other than {@code {$env.x}} fills exactly one path segment: its value
   * is percent-encoded, so '/' cannot split it, and a segment it makes '.' or '..' (even encoded, as
   * {@code %2e%2e}) rejects the call. Env values go in verbatim, so a base URL can come from the environment.
   */
  private void renderPath(PlaceholderValues values, StringBuilder url, StringBuilder shown) {
    if (shown != null) {
      shown.append(urlPath.literals().get(0));
    }
    if (urlPath.isConstant()) {
      url.append(urlPath.source());
      return;
    }
    List<String> literals = urlPath.literals();
    List<Template.Placeholder> placeholders = urlPath.placeholders();
    int segment = url.length();
    Template.Placeholder filler = null; // the last bot-supplied value in the current segment
    for (int i = 0; ; i++) {
      String literal = literals.get(i);
      int slash = literal.indexOf('/');
      int at = url.length();
      url.append(literal); // before the check: the segment a value filled may end inside this literal ({id}.json/)
      if (slash >= 0 && filler != null) {
        checkSegment(url, segment, at + slash, filler);
        filler = null;
      }
      if (slash >= 0) {
        segment = url.length() - literal.length() + literal.lastIndexOf('/') + 1;
      }
      if (shown != null && i > 0) {
        shown.append(literal);
      }
      if (i == placeholders.size()) {
        break;
      }
      Template.Placeholder p = placeholders.get(i);
      String value = Template.checkedValue(values, p, "url");
      if (p.kind() == Template.Placeholder.Kind.ENV) {
        int valueSlash = value.indexOf('/');
        int valueAt = url.length();
        url.append(value);
        if (valueSlash >= 0 && filler != null) {
          checkSegment(url, segment, valueAt + valueSlash, filler);
          filler = null;
        }
        if (valueSlash >= 0) {
          segment = url.length() - value.length() + value.lastIndexOf('/') + 1;
        }
        if (shown != null) {
          shown.append(SecretMask.MASK);
        }
      } else {
        String encoded = pathEncode(value);
        url.append(encoded);
        if (shown != null) {
          shown.append(encoded);
        }
        filler = p;
      }
    }
    if (filler != null) {
      checkSegment(url, segment, url.length(), filler);
    }
  }

  private static void checkSegment(CharSequence url, int from, int to, Template.Placeholder filler) {
    if (DotSegments.isDotSegment(url, from, to)) {
      throw new TemplateRejection("the value of " + filler + " in url makes a path segment '.' or '..'; "
        + "a path placeholder fills exactly one segment and can never change the path");
    }
  }

  /** A port that placeholders fill must be one the call accepts; a port written out was checked when declared. */
  private void checkPort(String url) {
    if (portRendered && !UrlSyntax.hasValidPort(url)) {
      throw new TemplateRejection("the port of url, filled in from placeholders, is not a number from 1 to 65535");
    }
  }

  /** The host of an absolute URL as written (brackets of an IPv6 literal kept), "" when it has none. */
  static String hostOf(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return "";
    }
    int start = scheme + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    int at = url.lastIndexOf('@', end - 1);
    if (at >= start) {
      start = at + 1;
    }
    int close = url.indexOf(']', start);
    int colon = url.indexOf(':', close >= 0 && close < end ? close : start);
    return url.substring(start, colon >= 0 && colon < end ? colon : end);
  }

  /**
   * How a value lands in a string body: a JSON string in a JSON body, a form field's value in a form body (as a query
   * component: {@code a&admin=1} must not add a field), as it is in any other.
   */
  private UnaryOperator<String> bodyEncoding() {
    return jsonBody ? RequestTemplate::jsonEscape : formBody ? RequestTemplate::queryEncode : v -> v;
  }

  private Buffer renderBody(PlaceholderValues values) {
    if (body instanceof Template t) {
      return Buffer.buffer(t.render(values, bodyEncoding(), "body"));
    }
    Object rendered = renderJson(body, values);
    return rendered instanceof JsonObject o ? o.toBuffer() : ((JsonArray) rendered).toBuffer();
  }

  /** The body as shown: env values masked where they land, values under secret field names masked. */
  private String shownBody(PlaceholderValues values, SecretMask mask) {
    if (body instanceof Template t) {
      StringBuilder shown = new StringBuilder(t.source().length() + 32);
      t.render(values, bodyEncoding(), "body", new StringBuilder(), shown);
      return mask.text(shown.toString());
    }
    Object rendered = shownJson(body, values, mask, false);
    return rendered instanceof JsonObject o ? o.encode() : ((JsonArray) rendered).encode();
  }

  @SuppressWarnings("unchecked")
  private static Object renderJson(Object node, PlaceholderValues values) {
    if (node instanceof Template t) {
      return t.render(values, v -> v, "body");
    }
    if (node instanceof Map<?, ?> map) {
      JsonObject out = new JsonObject();
      ((Map<String, Object>) map).forEach((k, v) -> out.put(k, renderJson(v, values)));
      return out;
    }
    if (node instanceof List<?> list) {
      JsonArray out = new JsonArray();
      list.forEach(v -> out.add(renderJson(v, values)));
      return out;
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private static Object shownJson(Object node, PlaceholderValues values, SecretMask mask, boolean secret) {
    if (node instanceof Template t) {
      if (secret) {
        return SecretMask.MASK;
      }
      StringBuilder shown = new StringBuilder();
      t.render(values, v -> v, "body", new StringBuilder(), shown);
      return shown.toString();
    }
    if (node instanceof Map<?, ?> map) {
      JsonObject out = new JsonObject();
      ((Map<String, Object>) map).forEach((k, v) -> out.put(k, shownJson(v, values, mask, secret || mask.isSecret(k))));
      return out;
    }
    if (node instanceof List<?> list) {
      JsonArray out = new JsonArray();
      list.forEach(v -> out.add(shownJson(v, values, mask, secret)));
      return out;
    }
    return secret && node instanceof Number ? SecretMask.MASK : node;
  }

  private MaskPlan plan(SecretMask mask) {
    MaskPlan p = plan;
    if (p == null || p.mask != mask) {
      p = new MaskPlan(mask);
      plan = p;
    }
    return p;
  }

  /**
   * What masking this request needs under one mask, worked out once per definition: which headers and
   * query parameters have secret names, and whether the URL or body can differ from what is shown at all.
   * A request with none of these renders its shown form for free.
   */
  private final class MaskPlan {
    final SecretMask mask;
    final boolean[] secretHeader = new boolean[headers.size()];
    final boolean[] secretQuery = new boolean[query.size()];
    /** User info in the URL: masked in the shown URL. */
    final boolean userInfo;
    /** Secret-looking names in a templated query of the URL itself: the shown URL is scanned. */
    final boolean scanUrlQuery;
    /** The shown form of the URL's own query when it is written out in full, else null. */
    final String shownUrlQuery;
    final boolean urlDiffers;
    final boolean hostMayDiffer;
    final boolean bodyDiffers;
    final boolean anyEnv;
    /**
     * The values written out in the definition under secret-looking header or query names ({@link #learnByName}):
     * the same on every call, so worked out once; and those of the URL's own query alone (the pass-through sends
     * the URL without the declared query and headers).
     */
    final List<String> written;
    final List<String> writtenInUrl;

    MaskPlan(SecretMask mask) {
      this.mask = mask;
      int i = 0;
      boolean env = urlPath.hasEnv() || (urlQuery != null && urlQuery.hasEnv());
      boolean queryDiffers = false;
      for (Map.Entry<String, Template> e : query.entrySet()) {
        secretQuery[i] = mask.isSecret(e.getKey());
        queryDiffers |= secretQuery[i++] || e.getValue().hasEnv();
        env |= e.getValue().hasEnv();
      }
      i = 0;
      for (Map.Entry<String, Template> e : headers.entrySet()) {
        secretHeader[i++] = mask.isSecret(e.getKey());
        env |= e.getValue().hasEnv();
      }
      this.userInfo = SecretMask.userInfo(urlPath.source()) != null;
      boolean secretUrlQuery = urlQuery != null && !mask.url("?" + urlQuery.source()).equals("?" + urlQuery.source());
      this.shownUrlQuery = secretUrlQuery && urlQuery.isConstant() ? mask.url("?" + urlQuery.source()).substring(1) : null;
      this.scanUrlQuery = secretUrlQuery && shownUrlQuery == null;
      this.urlDiffers = userInfo || secretUrlQuery || env || queryDiffers;
      this.hostMayDiffer = urlPath.hasEnv();
      boolean bodyEnv = body != null && hasEnv(body);
      this.bodyDiffers = bodyEnv || (body instanceof Template t ? !mask.text(t.source()).equals(t.source())
        : body != null && hasSecretName(body, mask));
      this.anyEnv = env || bodyEnv;
      List<String> inUrl = new ArrayList<>();
      if (secretUrlQuery && urlQuery.isConstant()) {
        learnQueryByName("?" + urlQuery.source(), mask, inUrl);
      }
      List<String> all = new ArrayList<>(inUrl);
      int h = 0;
      for (Template t : headers.values()) {
        if (secretHeader[h++] && t.isConstant()) {
          learnByName(t.source(), all);
        }
      }
      int q = 0;
      for (Template t : query.values()) {
        if (secretQuery[q++] && t.isConstant()) {
          learnByName(t.source(), all);
        }
      }
      this.writtenInUrl = List.copyOf(inUrl);
      this.written = List.copyOf(all);
    }
  }

  private static boolean hasEnv(Object node) {
    if (node instanceof Template t) {
      return t.hasEnv();
    }
    if (node instanceof Map<?, ?> map) {
      return map.values().stream().anyMatch(RequestTemplate::hasEnv);
    }
    return node instanceof List<?> list && list.stream().anyMatch(RequestTemplate::hasEnv);
  }

  private static boolean hasSecretName(Object node, SecretMask mask) {
    if (node instanceof Map<?, ?> map) {
      return map.entrySet().stream().anyMatch(e -> mask.isSecret((String) e.getKey())
        || hasSecretName(e.getValue(), mask));
    }
    return node instanceof List<?> list && list.stream().anyMatch(v -> hasSecretName(v, mask));
  }

  /**
   * The value percent-encoded for a query (a space as {@code %20}). A value of letters, digits and {@code -_.*}
   * only, which URLEncoder leaves as it is, is returned as it is: most are, and URLEncoder takes a buffer and a
   * writer for each value (rendered on every execution, the query's names as well as its values).
   */
  static String queryEncode(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
        || c == '*')) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
      }
    }
    return value;
  }

  static String pathEncode(String value) {
    return queryEncode(value).replace("%7E", "~");
  }

  static String jsonEscape(String value) {
    String quoted = io.vertx.core.json.Json.encode(value);
    return quoted.substring(1, quoted.length() - 1);
  }
}
