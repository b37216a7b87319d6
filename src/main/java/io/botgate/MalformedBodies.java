package io.botgate;

import io.botgate.api.HostAllowList;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;

/**
 * Answers a request whose body Vert.x could not decode (a malformed chunk size, a chunk over Netty's limits) with
 * 400 and the error JSON, naming what was wrong, instead of a connection closed with no answer. Vert.x fails such a
 * connection: the request's handlers are told (the API's body handler fails its route with 400, and the answer is
 * written), then Vert.x closes the channel at once, before the answer it was just given is flushed. This handler,
 * in front of Vert.x's, gives the failure a cause that says what was wrong, and turns that close into an orderly
 * end: once every request read has its answer written (the pass-through answers a moment later), they are
 * flushed, the server's output ends, and what the client still sends is dropped ({@link LingeringClose}, which
 * also bounds the wait).
 */
public final class MalformedBodies extends ChannelDuplexHandler {

  private static final String CODE = "malformed_body";

  /** Once the body part Vert.x fails the connection on came, what it is answered with; its close is then made in order. */
  private GatewayError refusal;
  /** The close of a failed connection was taken over: a later one (the lingering's bound) closes. */
  private boolean ending;
  /** Requests passed on to Vert.x whose responses have not all been written. */
  private int unanswered;

  /** Puts the handler in front of Vert.x's handler of {@code connection} (an HTTP/1 connection as it opens). */
  public static void install(HttpConnection connection) {
    if (connection instanceof HttpServerConnection http) {
      ChannelHandlerContext vertx = http.channelHandlerContext();
      vertx.pipeline().addBefore(vertx.name(), "botgate-malformed-bodies", new MalformedBodies());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      unanswered++; // a head Vert.x could not decode is one too (a full request): its invalid-request handler answers
    } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
      refusal = refusalOf(content.decoderResult().cause());
      // Vert.x's body handler fails its route with 400 and the cause a DecoderException wraps
      content.setDecoderResult(DecoderResult.failure(new DecoderException(refusal)));
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (refusal == null || ending) {
      ctx.close(promise);
      return;
    }
    ending = true;
    LingeringClose.begin(ctx.channel());
    ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
    if (unanswered == 0) {
      endOutput(ctx);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean ends = msg instanceof LastHttpContent
      && !(msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL);
    ctx.write(msg, promise);
    if (ends && unanswered > 0 && --unanswered == 0 && ending) {
      endOutput(ctx); // the refused request's answer, written after Vert.x's close (the pass-through's)
    }
  }

  /** Flushes what was written and then ends the server's output: the client reads the answers, then the end. */
  private static void endOutput(ChannelHandlerContext ctx) {
    // the empty buffer passes the HTTP encoder as it is; written, everything before it is written too
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> LingeringClose.endOutput(ctx.channel()));
  }

  /** Whether {@code error} is this handler's refusal: the connection ends after it. */
  public static boolean refused(GatewayError error) {
    return CODE.equals(error.code());
  }

  /**
   * The refusal of the request body {@code connection} could not decode, or null: for a handler that streams the
   * body (the pass-through) rather than reading it whole, and so is told only that the request failed.
   */
  public static GatewayError refusalOn(HttpConnection connection) {
    if (connection instanceof HttpServerConnection http) {
      MalformedBodies handler = http.channelHandlerContext().pipeline().get(MalformedBodies.class);
      return handler == null ? null : handler.refusal;
    }
    return null;
  }

  private static GatewayError refusalOf(Throwable cause) {
    String detail = cause == null || cause.getMessage() == null ? "" : ": " + HostAllowList.shorten(cause.getMessage());
    return new GatewayError(400, CODE, "the request body is not valid HTTP chunked transfer coding" + detail);
  }
}
