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

/**
 * Answers a request in an HTTP version the server does not speak (anything but HTTP/1.0 and HTTP/1.1: {@code
 * HTTP/2.5}, {@code FOO/1.1}) with 505 and the error JSON, then ends the connection ({@link LingeringClose}).
 * Vert.x answers such a request itself, before any handler of ours, with a bare 501 whose status line repeats
 * the unknown version. A client that pipelined requests before it gets their answers first: the 505 waits
 * until every response begun is written.
 */
public final class HttpVersions extends ChannelDuplexHandler {

  /** Requests passed on to Vert.x whose responses have not all been written. */
  private int unanswered;
  /** The refusal, once a request in an unknown version came (what follows it is dropped); null before. */
  private FullHttpResponse refusal;

  /** Puts the check in front of Vert.x's handler of {@code connection} (an HTTP/1 connection as it opens). */
  public static void install(HttpConnection connection) {
    if (connection instanceof HttpServerConnection http) {
      ChannelHandlerContext vertx = http.channelHandlerContext();
      vertx.pipeline().addBefore(vertx.name(), "botgate-http-versions", new HttpVersions());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refusal != null) {
      ReferenceCountUtil.release(msg); // the rest of the refused request, or what followed it
      return;
    }
    if (msg instanceof HttpRequest request) {
      if (!spoken(request.protocolVersion())) {
        ReferenceCountUtil.release(msg);
        refusal = refusal(request.protocolVersion());
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

  private static FullHttpResponse refusal(HttpVersion version) {
    GatewayError error = new GatewayError(505, "http_version_not_supported", "botgate speaks HTTP/1.1 and "
      + "HTTP/1.0, not " + HostAllowList.shorten(version.text()));
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
      HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, Unpooled.wrappedBuffer(error.toJson().toBuffer().getBytes()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
      .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
      .set(HttpHeaderNames.CONNECTION, "close");
    return response;
  }

  private static boolean spoken(HttpVersion version) {
    return HttpVersion.HTTP_1_1.equals(version) || HttpVersion.HTTP_1_0.equals(version);
  }
}
