package io.botgate.api;

import io.botgate.GatewayError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * Answers 415 {@code unsupported_media_type} unless a request body is declared {@code application/json}
 * (parameters allowed; a charset, if given, must be UTF-8). Strict on purpose: {@code text/plain},
 * {@code application/x-www-form-urlencoded} and {@code multipart/form-data} are what a page of another
 * origin can send without asking, so none of them may ever be read as JSON. A request that could change
 * something (not GET, HEAD or OPTIONS) with a Content-Type other than JSON is refused even when empty,
 * as an HTML form with no fields would send it.
 */
public final class JsonMediaType implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    boolean checked = type != null ? hasBody(request) || !isSafe(request.method()) : hasBody(request);
    if (!checked || isJson(type)) {
      ctx.next();
      return;
    }
    ctx.fail(new GatewayError(415, "unsupported_media_type", "send the body as application/json (UTF-8), not "
      + (type == null ? "without a Content-Type" : "as '" + HostAllowList.shorten(type) + "'")
      + "; other media types are refused so that no web page can post JSON in disguise"));
  }

  /** {@code application/json}, with any parameters but a charset other than UTF-8. */
  static boolean isJson(String type) {
    if (type == null) {
      return false;
    }
    String[] parts = type.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      String name = (eq < 0 ? parts[i] : parts[i].substring(0, eq)).trim();
      if (name.equalsIgnoreCase("charset")) {
        String value = parts[i].substring(eq + 1).trim().replace("\"", "").toLowerCase(Locale.ROOT);
        if (!value.equals("utf-8") && !value.equals("utf8")) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return length != null ? !length.trim().equals("0") : request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  private static boolean isSafe(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
  }
}
