package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.LingeringClose;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every error the gateway answers, wherever it arises, in the shape {@code {"error": {"code", "message"}}}:
 * requests the HTTP server cannot parse (URI or headers too long), paths and queries with broken
 * %-escapes, paths no route serves (404, or 405 with {@code Allow} when the path is known but the method
 * is not), and failures of any handler, the router's own included.
 */
public final class HttpErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  private HttpErrors() {
  }

  /** First on the router: a path or query whose %-escapes cannot be decoded is answered 400 here. */
  public static void rejectMalformedUri(RoutingContext ctx) {
    try {
      ctx.normalizedPath();
      ctx.request().params();
    } catch (IllegalArgumentException e) {
      ctx.fail(new GatewayError(400, "malformed_uri", "the request URI cannot be decoded ("
        + HostAllowList.shorten(String.valueOf(e.getMessage())) + "); write a literal '%' as %25"));
      return;
    }
    // Vert.x decodes bytes that are not UTF-8 to U+FFFD, so %FF, %FE and %C3 would name one session; the
    // pass-through forwards its URIs as they came (an upstream may take other bytes), so it is not judged
    String path = ctx.normalizedPath(); // as routed: /proxy/../api/... is the API's
    if (!path.startsWith("/proxy/") && (!escapesUtf8(ctx.request().path()) || !escapesUtf8(ctx.request().query()))) {
      ctx.fail(new GatewayError(400, "malformed_uri", "the request URI's %-escapes are not UTF-8 (a byte sequence "
        + "that decodes to no character); escape each character's UTF-8 bytes, and write a literal '%' as %25"));
      return;
    }
    ctx.next();
  }

  /** Whether the %-escapes of {@code raw} (a path or query as sent; null: none) decode as well-formed UTF-8. */
  static boolean escapesUtf8(String raw) {
    if (raw == null || raw.indexOf('%') < 0) {
      return true;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      int high = i + 2 < raw.length() && c == '%' ? Character.digit(raw.charAt(i + 1), 16) : -1;
      int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
      if (low >= 0) {
        bytes.write(high << 4 | low);
        i += 2;
      } else {
        bytes.write((byte) c); // as Vert.x decodes it: a raw byte of the target is one byte, never a character
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Last on the router: 404 or 405 for what no route served, and JSON for every failure left unhandled. */
  public static void mount(Router router) {
    router.route().last().handler(ctx -> notServed(router, ctx)).failureHandler(ApiRoutes::failure);
    for (int status = 400; status < 600; status++) {
      int code = status;
      router.errorHandler(code, ctx -> ApiRoutes.failure(ctx, code));
    }
  }

  private static void notServed(Router router, RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    String path = ctx.normalizedPath();
    Set<String> allowed = router.getRoutes().stream()
      .filter(r -> r.getPath() != null && r.methods() != null && !r.methods().isEmpty() && matches(r, path))
      .flatMap(r -> r.methods().stream()).map(HttpMethod::name).collect(Collectors.toCollection(TreeSet::new));
    if (allowed.isEmpty()) {
      ctx.fail(GatewayError.notFound("not_found", "no route " + method + " " + HostAllowList.shorten(path)));
      return;
    }
    if (allowed.contains("GET")) {
      if (method == HttpMethod.HEAD) {
        // RFC 9110 §9.3.2: HEAD is GET without the content (Vert.x leaves it out of a HEAD's answer); load
        // balancers probe /health so. Routed again from the start: filters and checks as for the GET.
        ctx.reroute(HttpMethod.GET, ctx.request().uri());
        return;
      }
      allowed.add("HEAD");
    }
    String allow = String.join(", ", allowed);
    ctx.response().putHeader(HttpHeaders.ALLOW, allow);
    ctx.fail(new GatewayError(405, "method_not_allowed", method + " is not allowed on "
      + HostAllowList.shorten(path) + "; use " + allow));
  }

  /** The error code for a status chosen by Vert.x rather than by botgate. */
  static String code(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "payload_too_large";
      case 414 -> "uri_too_long";
      case 415 -> "unsupported_media_type";
      case 431 -> "headers_too_large";
      default -> "http_" + status;
    };
  }

  /** Whether a route's path ({@code /a/:b/c} or a prefix {@code /a/*}) covers {@code path}. */
  private static boolean matches(Route route, String path) {
    Pattern pattern = PATTERNS.computeIfAbsent((route.isExactPath() ? "=" : "*") + route.getPath(), key -> {
      StringBuilder regex = new StringBuilder();
      for (String part : route.getPath().split("(?=/)")) {
        regex.append(part.startsWith("/:") ? "/[^/]+" : Pattern.quote(part));
      }
      return Pattern.compile(regex + (route.isExactPath() ? "/?" : ".*"));
    });
    return pattern.matcher(path).matches();
  }

  /**
   * For {@code HttpServer#invalidRequestHandler}: a request line or headers too long, or a request the
   * server could not parse, answered with the error JSON; then the connection ends, as with the default handler
   * (what follows on it cannot be trusted), but in order: what the client still sends is dropped for a bounded
   * time ({@link LingeringClose}), so it reads the answer rather than a reset.
   */
  public static Handler<HttpServerRequest> invalidRequests(HttpServerOptions options) {
    return request -> invalidRequest(request, options);
  }

  private static void invalidRequest(HttpServerRequest request, HttpServerOptions options) {
    Throwable cause = request.decoderResult().cause();
    GatewayError error;
    if (cause instanceof TooLongHttpLineException) {
      error = new GatewayError(414, "uri_too_long", "the request line is longer than "
        + options.getMaxInitialLineLength() + " bytes; send a shorter URI, or the data in a JSON body");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new GatewayError(431, "headers_too_large", "the request headers are larger than "
        + options.getMaxHeaderSize() + " bytes; send fewer or shorter headers");
    } else {
      error = new GatewayError(400, "malformed_request", "the request is not valid HTTP"
        + (cause == null || cause instanceof TooLongFrameException ? "" : ": " + cause.getMessage()));
    }
    if (error.httpStatus() != 400) {
      // A limit hit, logged as ApiRoutes logs a 413; no path: a request line over the limit is not parsed.
      LOG.atWarn().addKeyValue("code", error.code()).addKeyValue("status", error.httpStatus())
        .log("limit hit: {}", error.getMessage());
    }
    // Connection: close tells the client not to send another request on a connection about to close; the rest of
    // what it sends (a request head over the limit may still be coming) is dropped, so it reads the answer.
    LingeringClose.beforeAnswer(request.connection());
    ApiRoutes.jsonHead(request.response().setStatusCode(error.httpStatus()))
      .putHeader(HttpHeaders.CONNECTION, "close")
      .end(error.toJson().toBuffer()).onComplete(done -> LingeringClose.afterAnswer(request.connection()));
  }
}
