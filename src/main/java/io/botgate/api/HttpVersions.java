package io.botgate.api;

import io.botgate.GatewayError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;

/**
 * Answers a request in an HTTP version the server does not speak (anything but HTTP/1.0 and HTTP/1.1: {@code
 * HTTP/2.5}, {@code FOO/1.1}) with 505 and the error JSON, then closes. Vert.x answers such a request itself,
 * before any handler of ours, with a bare 501 whose status line repeats the unknown version.
 */
public final class HttpVersions extends ChannelInboundHandlerAdapter {

  private boolean refused;

  /** Puts the check in front of Vert.x's handler of {@code connection} (an HTTP/1 connection as it opens). */
  public static void install(HttpConnection connection) {
    if (connection instanceof HttpServerConnection http) {
      ChannelHandlerContext vertx = http.channelHandlerContext();
      vertx.pipeline().addBefore(vertx.name(), "botgate-http-versions", new HttpVersions());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg); // the rest of the refused request, or what followed it
      return;
    }
    if (msg instanceof HttpRequest request && !spoken(request.protocolVersion())) {
      refused = true;
      ReferenceCountUtil.release(msg);
      GatewayError error = new GatewayError(505, "http_version_not_supported", "botgate speaks HTTP/1.1 and "
        + "HTTP/1.0, not " + HostAllowList.shorten(request.protocolVersion().text()));
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, Unpooled.wrappedBuffer(error.toJson().toBuffer().getBytes()));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, "close");
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private static boolean spoken(HttpVersion version) {
    return version.majorVersion() == 1 && (version.minorVersion() == 0 || version.minorVersion() == 1)
      && version.protocolName().equals("HTTP");
  }
}
