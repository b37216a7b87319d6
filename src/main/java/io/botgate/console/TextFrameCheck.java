package io.botgate.console;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Refuses a text message that is not UTF-8, which RFC 6455 (8.1) says to close with 1007: Vert.x decodes a text
 * message with replacement characters, so a client's bad bytes were read as '\uFFFD' and the command went on.
 * Each text frame and its continuations are checked as they come, a character split between frames included;
 * a refusal goes to {@link RefusedFrames} as the decoder's own do, and nothing of the connection is read after it.
 */
final class TextFrameCheck extends ChannelInboundHandlerAdapter {

  /** Continuation bytes the character being read still needs; 0 between characters. */
  private int needed;
  /** The range the next continuation byte must be in (narrower after E0, ED, F0, F4: no overlong, surrogate, > U+10FFFF). */
  private int lower = 0x80;
  private int upper = 0xBF;
  /** Whether the message going on (its continuations to come) is text. */
  private boolean inText;
  private boolean refused;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof TextWebSocketFrame || msg instanceof ContinuationWebSocketFrame && inText) {
      WebSocketFrame frame = (WebSocketFrame) msg;
      if (msg instanceof TextWebSocketFrame) {
        needed = 0;
      }
      inText = !frame.isFinalFragment();
      if (!valid(frame.content()) || !inText && needed > 0) {
        refused = true;
        frame.release();
        ctx.fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA,
          "a text message that is not UTF-8"));
        return;
      }
    } else if (msg instanceof BinaryWebSocketFrame) {
      inText = false;
    }
    ctx.fireChannelRead(msg);
  }

  private boolean valid(ByteBuf bytes) {
    return bytes.forEachByte(b -> accept(b & 0xff)) < 0;
  }

  /** The WHATWG UTF-8 decoder's steps, without the decoding: false at a byte that cannot be there. */
  private boolean accept(int b) {
    if (needed == 0) {
      if (b <= 0x7F) {
        return true;
      }
      if (b >= 0xC2 && b <= 0xDF) {
        needed = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        lower = b == 0xE0 ? 0xA0 : 0x80;
        upper = b == 0xED ? 0x9F : 0xBF;
        needed = 2;
      } else if (b >= 0xF0 && b <= 0xF4) {
        lower = b == 0xF0 ? 0x90 : 0x80;
        upper = b == 0xF4 ? 0x8F : 0xBF;
        needed = 3;
      } else {
        return false;
      }
      return true;
    }
    if (b < lower || b > upper) {
      return false;
    }
    lower = 0x80;
    upper = 0xBF;
    needed--;
    return true;
  }
}
