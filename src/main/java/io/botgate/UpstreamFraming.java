package io.botgate;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnectionInternal;

import java.util.ArrayDeque;

/**
 * Mends framings of upstream answers that Vert.x's client gets wrong, each of which left the upstream's bytes
 * on a pooled connection for the next call on it (another session's, maybe) to read as its own answer:
 * <ul>
 * <li>An interim answer (1xx) other than 100 and 103, which Vert.x takes for the final one: {@code 102 Processing}
 * was the call's answer, and the real one came later on the pooled connection. It is dropped, and the client reads
 * the final answer as the call's. A 101 is left to the caller: after it the connection no longer speaks HTTP.</li>
 * <li>A 204 that announces a body, which no 204 may (RFC 9110 8.6, RFC 9112 6.1): the client reads none, and the
 * bytes that follow were read as the next answer's head (a 304's Content-Length describes what it did not send).
 * Its connection is marked {@code Connection: close}, so the client closes it after this answer rather than pooling
 * it.</li>
 * <li>The final answer to a HEAD after an interim one: Netty's decoder takes the request's method for the first
 * answer that comes, interim or not, and so reads the final answer's Content-Length as a body that never comes (the
 * call waited until its deadline). The answer is ended at its head, and its connection closed, as the decoder still
 * waits for that body.</li>
 * <li>Any answer to a HEAD: some servers send the body all the same (RFC 9110 9.3.2 says they may not), which the
 * client, rightly reading none, left on the pooled connection for the next call to read as its answer's head (502
 * "invalid version format", quoting the HEAD's body to another call). Its connection is closed after it: nothing
 * tells a HEAD answer whose body follows from one whose Content-Length is the GET's, as it should be.</li>
 * </ul>
 * Installed on every client that calls upstreams: the pass-through's, the executions' and mTLS credentials'.
 */
public final class UpstreamFraming extends ChannelDuplexHandler {

  /** Whether the body parts of a dropped answer (Netty ends each with an empty last part) are being dropped. */
  private boolean dropping;
  /** The methods of the requests written whose final answers have not come, oldest first. */
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);
  /** An interim answer came since the last final one: the decoder took the method of the call for it. */
  private boolean afterInterim;

  /** Puts the filter in front of Vert.x's handler of {@code connection} (an HTTP/1 client connection as it opens). */
  public static void install(HttpConnection connection) {
    if (connection instanceof HttpClientConnectionInternal http && http.channelHandlerContext() != null) {
      ChannelHandlerContext vertx = http.channelHandlerContext();
      if (vertx.pipeline().get(UpstreamFraming.class) == null) {
        vertx.pipeline().addBefore(vertx.name(), "botgate-upstream-framing", new UpstreamFraming());
      }
    }
  }

  /** An interim status Vert.x's client would take for the final answer. */
  private static boolean unknownInterim(int status) {
    return status >= 102 && status < 200 && status != 103;
  }

  /** Whether a 204 says it has a body, which it may not. */
  private static boolean announcesBodyItMayNotHave(HttpResponse response) {
    if (response.status().code() != 204) {
      return false;
    }
    String length = response.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    return response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
      || length != null && !length.trim().equals("0");
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpRequest request) {
      methods.add(request.method());
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL
      && response.status().code() != 101) {
      afterInterim = true;
      if (unknownInterim(response.status().code())) {
        dropping = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        return;
      }
    } else if (msg instanceof HttpResponse response) {
      HttpMethod method = methods.poll(); // a final answer is one request's, interim ones came before it
      boolean headBodyAwaited = afterInterim && HttpMethod.HEAD.equals(method) && !(msg instanceof LastHttpContent);
      afterInterim = false;
      if (announcesBodyItMayNotHave(response) || HttpMethod.HEAD.equals(method)) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      if (headBodyAwaited) {
        ctx.fireChannelRead(msg);
        ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        dropping = true; // what the decoder reads as its body, until the connection closes
        return;
      }
    }
    if (dropping && msg instanceof HttpContent) {
      dropping = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
