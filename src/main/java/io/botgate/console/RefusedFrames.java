package io.botgate.console;

import io.botgate.LingeringClose;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;

import java.util.function.Consumer;

/**
 * Lets a client whose frame the decoder refuses (over {@code console.frame.bytes}, or breaking the protocol)
 * read the close status it is sent. Vert.x closes a connection at once on any decoding failure; the client
 * is then usually still sending the refused frame, its unread bytes turn that close into a reset, and a reset
 * can reach the client before the close frame does: it sees 1006 (abnormal closure) instead of 1009. Here
 * the failure goes to the console, which closes with its status, and the connection ends as a
 * {@link LingeringClose}: the close frame, the end of the server's output, what the client still sends dropped.
 */
final class RefusedFrames extends ChannelDuplexHandler {

  private final Consumer<CorruptedWebSocketFrameException> refuse;
  private boolean refused;

  RefusedFrames(Consumer<CorruptedWebSocketFrameException> refuse) {
    this.refuse = refuse;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof CorruptedWebSocketFrameException corrupted)) {
      ctx.fireExceptionCaught(cause);
    } else if (!refused) {
      refused = true;
      LingeringClose.begin(ctx.channel());
      refuse.accept(corrupted);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (refused && msg instanceof CloseWebSocketFrame) {
      ctx.write(msg, promise.unvoid()).addListener(written -> LingeringClose.endOutput(ctx.channel()));
    } else {
      ctx.write(msg, promise);
    }
  }
}
