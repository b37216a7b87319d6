package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.LingeringClose;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
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
 */
public final class HeadChecks extends ChannelDuplexHandler {

  /** Requests passed on to Vert.x whose responses have not all been written. */
  private int unanswered;
  /** The refusal, once a request failed a check (what follows it is dropped); null before. */
  private FullHttpResponse refusal;

  /** Puts the check in front of Vert.x's handler of {@code connection} (an HTTP/1 connection as it opens). */
  public static void install(HttpConnection connection) {
    if (connection instanceof HttpServerConnection http) {
      ChannelHandlerContext vertx = http.channelHandlerContext();
      vertx.pipeline().addBefore(vertx.name(), "botgate-head-checks", new HeadChecks());
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
      // Vert.x knows Netty's two constants only: http/1.1 or HTTP/01.1, parsed to equal others, got its bare 501
      request.setProtocolVersion(HttpVersion.HTTP_1_1.equals(request.protocolVersion()) ? HttpVersion.HTTP_1_1
        : HttpVersion.HTTP_1_0);
      unanswered++;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean ends = msg instanceof LastHttpContent
      && !(msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL);
    ctx.write(msg, promise);
    if (ends && unanswered > 0 && --unanswered == 0 && refusal != null) {
      refuse(ctx);
    }
  }

  /** Answers the refusal and ends the connection in order: what the client still sends (a body) is dropped. */
  private void refuse(ChannelHandlerContext ctx) {
    LingeringClose.begin(ctx.channel());
    ctx.writeAndFlush(refusal).addListener(written -> LingeringClose.endOutput(ctx.channel()));
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
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
      .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
      .set(HttpHeaderNames.CONNECTION, "close");
    return response;
  }

  private static boolean spoken(HttpVersion version) {
    return HttpVersion.HTTP_1_1.equals(version) || HttpVersion.HTTP_1_0.equals(version);
  }
}
