package io.botgate.integration;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  private RequestTemplate(Template urlPath, Template urlQuery, Map<String, Template> headers,
                          Map<String, Template> query, Object body, boolean jsonBody) {
    this.urlPath = urlPath;
    this.urlQuery = urlQuery;
    this.headers = headers;
    this.query = query;
    this.body = body;
    this.jsonBody = jsonBody;
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
      boolean fromEnv = u.startsWith("{$env.");
      if (!fromEnv && !u.startsWith("http://") && !u.startsWith("https://") && !u.startsWith("/")) {
        problem.accept("url", "'" + u + "' must start with http://, https://, / (this gateway) or {$env.name}");
      }
    }
    Map<String, Template> headers = new LinkedHashMap<>();
    if (defaultHeaders) {
      headers.put("Accept", Template.parse(JSON_TYPE));
      headers.put("Content-Type", Template.parse(JSON_TYPE));
    }
    stringMap(json, "headers", problem).forEach((k, v) -> {
      headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(k));
      headers.put(k, checked(problem, "headers." + k, v));
    });
    Map<String, Template> query = new LinkedHashMap<>();
    stringMap(json, "query", problem).forEach((k, v) -> query.put(k, checked(problem, "query." + k, v)));
    Object body = json.getValue("body");
    if (body != null && !(body instanceof String || body instanceof JsonObject || body instanceof JsonArray)) {
      problem.accept("body", "must be a string template or a JSON object or array");
      body = null;
    }
    Object compiledBody = compileBody(body, problem);
    Template contentType = headers.entrySet().stream()
      .filter(e -> e.getKey().equalsIgnoreCase("Content-Type")).map(Map.Entry::getValue).findFirst().orElse(null);
    boolean jsonBody = contentType != null && contentType.source().toLowerCase().contains("json");
    return new RequestTemplate(path, urlQuery, headers, query, compiledBody, jsonBody);
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
   * Renders the request for one call.
   *
   * @param selfBaseUrl the gateway's own base URL, for URLs that are paths on this gateway
   * @throws TemplateRejection when a placeholder cannot be resolved or its value has a newline
   */
  RenderedRequest render(PlaceholderValues values, String selfBaseUrl) {
    StringBuilder url = url(values, selfBaseUrl);
    char sep = urlQuery != null ? '&' : '?';
    for (Map.Entry<String, Template> e : query.entrySet()) {
      String value = e.getValue().render(values, v -> v, "query '" + e.getKey() + "'");
      url.append(sep).append(queryEncode(e.getKey())).append('=').append(queryEncode(value));
      sep = '&';
    }
    List<Map.Entry<String, String>> renderedHeaders = new ArrayList<>(headers.size());
    for (Map.Entry<String, Template> e : headers.entrySet()) {
      renderedHeaders.add(Map.entry(e.getKey(), e.getValue().render(values, v -> v, "header '" + e.getKey() + "'")));
    }
    Buffer renderedBody = body == null ? null : renderBody(values);
    return new RenderedRequest(url.toString(), renderedHeaders, renderedBody);
  }

  /** The {@code url} field rendered, its own query included, the declared query parameters not. */
  StringBuilder url(PlaceholderValues values, String selfBaseUrl) {
    StringBuilder url = new StringBuilder(128).append(renderPath(values));
    if (url.length() > 0 && url.charAt(0) == '/') {
      url.insert(0, selfBaseUrl);
    }
    if (urlQuery != null) {
      url.append('?').append(urlQuery.render(values, RequestTemplate::queryEncode, "url"));
    }
    return url;
  }

  private String renderPath(PlaceholderValues values) {
    if (urlPath.isConstant()) {
      return urlPath.source();
    }
    // env values may carry a whole base URL; everything else is one path segment.
    return urlPath.render(p -> {
      String v = values.valueOf(p);
      return v == null || p.kind() == Template.Placeholder.Kind.ENV ? v : "\u0000" + v;
    }, v -> v.startsWith("\u0000") ? pathEncode(v.substring(1)) : v, "url");
  }

  private Buffer renderBody(PlaceholderValues values) {
    if (body instanceof Template t) {
      UnaryOperator<String> encode = jsonBody ? RequestTemplate::jsonEscape : v -> v;
      return Buffer.buffer(t.render(values, encode, "body"));
    }
    Object rendered = renderJson(body, values);
    return rendered instanceof JsonObject o ? o.toBuffer() : ((JsonArray) rendered).toBuffer();
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

  static String queryEncode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String pathEncode(String value) {
    return queryEncode(value).replace("%7E", "~");
  }

  private static String jsonEscape(String value) {
    String quoted = io.vertx.core.json.Json.encode(value);
    return quoted.substring(1, quoted.length() - 1);
  }
}
