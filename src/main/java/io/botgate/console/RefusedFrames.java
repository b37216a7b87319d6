package io.botgate.console;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;

import java.util.function.Consumer;

/**
 * Lets a client whose frame the decoder refuses (over {@code console.frame.bytes}, or breaking the protocol)
 * read the close status it is sent. Vert.x closes a connection at once on any decoding failure; the client
 * is then usually still sending the refused frame, its unread bytes turn that close into a reset, and a reset
 * can reach the client before the close frame does: it sees 1006 (abnormal closure) instead of 1009. Here
 * the failure goes to the console, which closes with its status; that close frame is followed by the end of
 * the server's output, and the decoder, which ignores everything after the refused frame, goes on reading
 * until the client hangs up (or Vert.x's closing timeout passes), so nothing is left unread.
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
      refuse.accept(corrupted);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (refused && msg instanceof CloseWebSocketFrame && ctx.channel() instanceof DuplexChannel socket) {
      ctx.write(msg, promise.unvoid()).addListener(written -> socket.shutdownOutput());
    } else {
      ctx.write(msg, promise);
    }
  }
}
