package io.botgate;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnectionInternal;

/**
 * Drops the interim answers (1xx) an upstream sends before its final one that Vert.x's client does not know:
 * it handles 100 and 103 itself and takes any other, such as {@code 102 Processing}, for the final answer. The
 * caller was then sent that 102 and waited for an answer that never came, and the connection went back to the
 * pool with the upstream's real answer still to arrive, where the next call on it, another session's, read it
 * as its own. With them dropped, the client reads the final answer as the call's. A 101 is left to the
 * caller: after it the connection no longer speaks HTTP. Installed on every client that calls upstreams: the
 * pass-through's, the executions' and mTLS credentials'.
 */
public final class InterimAnswers extends ChannelInboundHandlerAdapter {

  /** Whether the body parts of a dropped answer (Netty ends each with an empty last part) are being dropped. */
  private boolean dropping;

  /** Puts the filter in front of Vert.x's handler of {@code connection} (an HTTP/1 client connection as it opens). */
  public static void install(HttpConnection connection) {
    if (connection instanceof HttpClientConnectionInternal http && http.channelHandlerContext() != null) {
      ChannelHandlerContext vertx = http.channelHandlerContext();
      if (vertx.pipeline().get(InterimAnswers.class) == null) {
        vertx.pipeline().addBefore(vertx.name(), "botgate-interim-answers", new InterimAnswers());
      }
    }
  }

  /** An interim status Vert.x's client would take for the final answer. */
  public static boolean unknownInterim(int status) {
    return status >= 102 && status < 200 && status != 103;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse response && unknownInterim(response.status().code())) {
      dropping = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    if (dropping && msg instanceof HttpContent) {
      dropping = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
