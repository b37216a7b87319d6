package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.JsonText;
import io.botgate.LingeringClose;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Bounds and checks the frames a bridge client sends (a 4-byte big-endian length, then that many bytes of
 * JSON) before the bridge's own parser sees them. That parser buffers whatever length a frame declares, up
 * to 2 GiB, and a frame it cannot dispatch (an unknown {@code type}, a field of the wrong JSON type) throws
 * inside it (as does sending one, with a {@code codecName} header, with a codec the body is not of) and leaves it
 * reading JSON as lengths, silent and buffering without end. So here: a length over
 * the bound is refused as soon as it arrives and the connection ended; a frame the bridge would choke on
 * is answered with an error frame and dropped, and the connection goes on.
 */
final class FrameCheck extends ChannelInboundHandlerAdapter {

  private static final Set<String> TYPES = Set.of("send", "publish", "register", "unregister", "ping");

  private final int maxBytes;
  private boolean refused;

  private FrameCheck(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Puts the check in front of Vert.x's handler of {@code socket}; call before anything is read from it. */
  static void install(NetSocket socket, int maxBytes) {
    ChannelHandlerContext vertx = ((NetSocketInternal) socket).channelHandlerContext();
    vertx.pipeline().addBefore(vertx.name(), "botgate-frame-decoder",
      new LengthFieldBasedFrameDecoder(maxBytes + 4, 0, 4, 0, 0, true));
    vertx.pipeline().addBefore(vertx.name(), "botgate-frame-check", new FrameCheck(maxBytes));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused || !(msg instanceof ByteBuf frame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    Refusal refusal = refusal(frame.toString(4, frame.readableBytes() - 4, StandardCharsets.UTF_8));
    if (refusal == null) {
      ctx.fireChannelRead(frame);
      return;
    }
    frame.release();
    ctx.writeAndFlush(errorFrame(new GatewayError(400, "invalid_frame", refusal.problem()), refusal.replyAddress()));
  }

  /**
   * Why the bridge would choke on a frame, and its {@code replyAddress} when it is a JSON object with one (where its
   * sender waits for an answer, null else).
   */
  record Refusal(String problem, String replyAddress) {
  }

  /** The refusal of the frame {@code json}, or null when the bridge may have it; the frame is parsed once. */
  static Refusal refusal(String json) {
    JsonObject frame;
    try {
      frame = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      return new Refusal("a frame is one JSON object: " + e.getMessage(), null);
    }
    String problem = problem(frame);
    return problem == null ? null
      : new Refusal(problem, frame.getValue("replyAddress") instanceof String reply ? reply : null);
  }

  /**
   * Refuses a frame over the bound and ends the connection as a {@link LingeringClose}: the error frame, the end
   * of the server's output, what the client still sends dropped. Closed at once, with the rest of the frame
   * unread, the connection ended in a reset, which a client still writing could take before the error frame.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof TooLongFrameException || cause instanceof CorruptedFrameException)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    if (refused) {
      return;
    }
    refused = true;
    LingeringClose.begin(ctx.channel());
    ctx.writeAndFlush(errorFrame(new GatewayError(413, "frame_too_large", "a bridge frame may hold at most "
      + maxBytes + " bytes (bridge.frame.bytes). The connection is closed")))
      .addListener(written -> LingeringClose.endOutput(ctx.channel()));
  }

  /** What would make the bridge choke on this frame, or null. */
  private static String problem(JsonObject frame) {
    if (!(frame.getValue("type") instanceof String type) || !TYPES.contains(type)) {
      return "'type' must be one of " + TYPES + ", not " + frame.getValue("type");
    }
    if (!type.equals("ping") && frame.getValue("address") == null) {
      return "a '" + type + "' frame needs an 'address'"; // else the bridge answers without a failureCode and logs an ERROR
    }
    for (String field : new String[] {"address", "replyAddress", "message"}) {
      if (frame.getValue(field) != null && !(frame.getValue(field) instanceof String)) {
        return "'" + field + "' must be a string";
      }
    }
    if (frame.getValue("failureCode") != null && !(frame.getValue("failureCode") instanceof Integer)) {
      return "'failureCode' must be a whole number";
    }
    String huge = JsonText.outOfRange(frame.getValue("body"));
    if (huge != null) {
      return ApiRoutes.outOfRange(JsonText.pathOf("body", huge));
    }
    Object headers = frame.getValue("headers");
    if (headers != null && !(headers instanceof JsonObject)) {
      return "'headers' must be an object";
    }
    if (headers instanceof JsonObject h) {
      for (Map.Entry<String, Object> header : h) {
        boolean fits = switch (header.getKey()) {
          case "timeout" -> header.getValue() instanceof Number n && n.longValue() >= 1; // the bridge throws below 1
          case "localOnly" -> header.getValue() instanceof Boolean;
          // the bridge makes it the message's codec: one the body is not of, or none of that name, throws
          case "codecName" -> false;
          default -> header.getValue() instanceof String;
        };
        if (!fits) {
          return "header '" + header.getKey() + "' " + switch (header.getKey()) {
            case "timeout" -> "must be a number of milliseconds, 1 or more";
            case "localOnly" -> "must be true or false";
            case "codecName" -> "is not taken: a body is JSON, which the bus carries with its own codec";
            default -> "must be a string";
          };
        }
      }
    }
    return null;
  }

  private static ByteBuf errorFrame(GatewayError error) {
    return errorFrame(error, null);
  }

  private static ByteBuf errorFrame(GatewayError error, String address) {
    JsonObject err = new JsonObject().put("type", "err").put("failureCode", error.httpStatus())
      .put("message", error.toJson().encode());
    if (address != null) {
      err.put("address", address);
    }
    byte[] json = err.encode().getBytes(StandardCharsets.UTF_8);
    return Unpooled.buffer(4 + json.length).writeInt(json.length).writeBytes(json);
  }
}
