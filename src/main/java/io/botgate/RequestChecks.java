package io.botgate;

import io.botgate.api.HostAllowList;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks on a request head that Vert.x does not make, answered with the error JSON, after which the connection
 * ends ({@link LingeringClose}) and what followed the request on it is dropped:
 * <ul>
 * <li>an HTTP version the server does not speak (anything but HTTP/1.0 and HTTP/1.1: {@code HTTP/2.5},
 * {@code FOO/1.1}): 505. Vert.x answers such a request itself, before any handler of ours, with a bare 501 whose
 * status line repeats the unknown version;</li>
 * <li>a {@code Transfer-Encoding} whose last coding is not {@code chunked} ({@code gzip}, {@code xchunked},
 * {@code chunked, identity}), or in HTTP/1.0: 400, as RFC 9112 (6.1, 6.3) requires; one with other codings
 * before {@code chunked}: 501 (the gateway decodes none). Netty frames such a body as empty, or as chunked, and
 * the bytes of the body would be read as further requests: a proxy in front that framed it otherwise would see one request where
 * the gateway serves two (request smuggling).</li>
 * </ul>
 * A client that pipelined requests before it gets their answers first: the refusal waits until every response
 * begun is written.
 * <p>
 * And a request body Vert.x could not decode (a malformed chunk size, a chunk line over Netty's limits), answered
 * 400 {@code malformed_body} naming what was wrong instead of a connection closed with no answer. Vert.x fails
 * such a connection: the request's handlers are told (the API's body handler fails its route with 400, and the
 * answer is written), then Vert.x closes the channel at once, before that answer is flushed. Here the failure
 * gets a cause that says what was wrong, and that close becomes an orderly end: once every request read has its
 * answer written (the pass-through answers a moment later), they are flushed, the server's output ends, and what
 * the client still sends is dropped (LingeringClose also bounds the wait).
 */
public final class RequestChecks extends ChannelDuplexHandler {

  private static final String MALFORMED_BODY = "malformed_body";

  /** Requests passed on to Vert.x whose responses have not all been written. */
  private int unanswered;
  /** The refusal, once a request head failed a check (what follows it is dropped); null before. */
  private FullHttpResponse refusal;
  /** Once a body part came that Vert.x fails the connection on, what it is answered with; null before. */
  private GatewayError bodyRefusal;
  /** The close of a connection failed on its body was taken over: a later one (the lingering's bound) closes. */
  private boolean ending;

  /** Puts the check in front of Vert.x's handler of {@code connection} (an HTTP/1 connection as it opens). */
  public static void install(HttpConnection connection) {
    if (connection instanceof HttpServerConnection http) {
      ChannelHandlerContext vertx = http.channelHandlerContext();
      vertx.pipeline().addBefore(vertx.name(), "botgate-request-checks", new RequestChecks());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refusal != null) {
      ReferenceCountUtil.release(msg); // the rest of the refused request, or what followed it
      return;
    }
    if (msg instanceof HttpRequest request) {
      GatewayError refused = !spoken(request.protocolVersion()) ? unspoken(request.protocolVersion())
        : request.decoderResult().isFailure() || request.headers().get(HttpHeaderNames.TRANSFER_ENCODING) == null
        ? null : framing(request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING),
          request.headers().contains(HttpHeaderNames.CONTENT_LENGTH), HttpVersion.HTTP_1_0.equals(request.protocolVersion()));
      if (refused != null) {
        ReferenceCountUtil.release(msg);
        refusal = refusal(refused);
        if (unanswered == 0) {
          refuse(ctx);
        }
        return;
      }
      if (!request.decoderResult().isFailure() && request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
        // plain chunked, as framing() found it, in any case (coding names are case-insensitive, RFC 9112 7): the
        // pass-through (vertx-http-proxy) knows "chunked" only, and answered "Chunked" with a bare 400
        request.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
      // Vert.x knows Netty's two constants only: http/1.1 or HTTP/01.1, parsed to equal others, got its bare 501
      request.setProtocolVersion(HttpVersion.HTTP_1_1.equals(request.protocolVersion()) ? HttpVersion.HTTP_1_1
        : HttpVersion.HTTP_1_0);
      unanswered++; // a head Vert.x could not decode is one too (a full request): its invalid-request handler answers
    } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
      bodyRefusal = bodyRefusal(content.decoderResult().cause());
      // Vert.x's body handler fails its route with 400 and the cause a DecoderException wraps
      content.setDecoderResult(DecoderResult.failure(new DecoderException(bodyRefusal)));
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (bodyRefusal == null || ending) {
      ctx.close(promise);
      return;
    }
    ending = true;
    LingeringClose.begin(ctx.channel());
    ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
    if (unanswered == 0) {
      endAfter(ctx, Unpooled.EMPTY_BUFFER);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean ends = msg instanceof LastHttpContent
      && !(msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL);
    ctx.write(msg, promise);
    if (ends && unanswered > 0 && --unanswered == 0) {
      if (refusal != null) {
        refuse(ctx);
      } else if (ending) {
        endAfter(ctx, Unpooled.EMPTY_BUFFER); // the answer to a body refused, written after Vert.x's close
      }
    }
  }

  /** Answers the refusal and ends the connection in order: what the client still sends (a body) is dropped. */
  private void refuse(ChannelHandlerContext ctx) {
    LingeringClose.begin(ctx.channel());
    endAfter(ctx, refusal);
  }

  /**
   * Writes {@code last} and everything before it, then ends the server's output: the client reads the answers,
   * then the end (an empty buffer passes the HTTP encoder as it is).
   */
  private static void endAfter(ChannelHandlerContext ctx, Object last) {
    ctx.writeAndFlush(last).addListener(written -> LingeringClose.endOutput(ctx.channel()));
  }

  /** Whether {@code error} is the refusal of a body that could not be decoded: the connection ends after it. */
  public static boolean refusedBody(GatewayError error) {
    return MALFORMED_BODY.equals(error.code());
  }

  /**
   * The refusal of the request body {@code connection} could not decode, or null: for a handler that streams the
   * body (the pass-through) rather than reading it whole, and so is told only that the request failed.
   */
  public static GatewayError bodyRefusalOn(HttpConnection connection) {
    if (connection instanceof HttpServerConnection http) {
      RequestChecks handler = http.channelHandlerContext().pipeline().get(RequestChecks.class);
      return handler == null ? null : handler.bodyRefusal;
    }
    return null;
  }

  private static GatewayError bodyRefusal(Throwable cause) {
    String detail = cause == null || cause.getMessage() == null ? "" : ": " + HostAllowList.shorten(cause.getMessage());
    return new GatewayError(400, MALFORMED_BODY, "the request body is not valid HTTP chunked transfer coding" + detail);
  }

  private static GatewayError unspoken(HttpVersion version) {
    return new GatewayError(505, "http_version_not_supported", "botgate speaks HTTP/1.1 and HTTP/1.0, not "
      + HostAllowList.shorten(version.text()));
  }

  /** The refusal of a request's Transfer-Encoding (its lines' values), or null when it is plain {@code chunked}. */
  static GatewayError framing(List<String> values, boolean contentLength, boolean http10) {
    if (values.isEmpty()) {
      return null;
    }
    // RFC 9112 6.1, 6.3: a front proxy may frame such a body by its length (Netty drops the Content-Length of an
    // HTTP/1.1 request that has both before this check, and reads the body chunked; of HTTP/1.0 it keeps both)
    if (contentLength || http10) {
      return new GatewayError(400, "malformed_request", contentLength ? "the request has both Transfer-Encoding "
        + "and Content-Length; send one" : "an HTTP/1.0 request may not have a Transfer-Encoding; send a Content-Length");
    }
    List<String> codings = new ArrayList<>();
    for (String value : values) {
      for (String coding : value.split(",")) {
        if (!coding.isBlank()) {
          codings.add(coding.trim());
        }
      }
    }
    String sent = HostAllowList.shorten(String.join(", ", codings));
    if (codings.isEmpty() || !"chunked".equalsIgnoreCase(codings.get(codings.size() - 1))) {
      return new GatewayError(400, "malformed_request", "the request's Transfer-Encoding '" + sent + "' does not "
        + "end in chunked, so where its body ends cannot be known; send the body chunked or with a Content-Length");
    }
    if (codings.size() > 1) {
      return new GatewayError(501, "unsupported_transfer_coding", "the request's Transfer-Encoding '" + sent
        + "' has codings botgate does not decode; send the body as plain chunked or with a Content-Length");
    }
    return null;
  }

  private static FullHttpResponse refusal(GatewayError error) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
      HttpResponseStatus.valueOf(error.httpStatus()), Unpooled.wrappedBuffer(error.toJson().toBuffer().getBytes()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json") // as GatewayError.jsonHead
      .set(HttpHeaderNames.CACHE_CONTROL, "no-store").set("X-Content-Type-Options", "nosniff")
      .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
      .set(HttpHeaderNames.CONNECTION, "close");
    return response;
  }

  private static boolean spoken(HttpVersion version) {
    return HttpVersion.HTTP_1_1.equals(version) || HttpVersion.HTTP_1_0.equals(version);
  }
}
