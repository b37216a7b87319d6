package io.botgate.integration;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * Collects a response body up to a limit, as the Web Client's codec of one request ({@code as(body)}). A write
 * past the limit fails, which fails the Web Client's call, and resets the upstream request, which closes its
 * connection: the transfer is cut, not read to its end. The Web Client does not reset a request whose answer
 * has begun (it reads the rest and drops it), so {@link UpstreamClients} hands each request over as it is
 * sent ({@link #sending}); {@link #abort()} cuts it the same way at the call's deadline.
 * <p>
 * A body that came in one chunk is that chunk, not copied: Vert.x hands each chunk over in a heap buffer of
 * its own, of its exact size (a chunk that is a slice of a larger array is copied). A body in several chunks
 * is gathered in a growing buffer and copied once to its exact size when it is read ({@link #collected()}),
 * so whatever keeps it keeps no spare room. Gathering every body in a growing buffer was the largest single
 * share of what an execution allocated (8 %).
 */
public final class BoundedBody implements BodyCodec<Void>, BodyStream<Void> {

  private final long limit;
  private final Promise<Void> ended = Promise.promise();
  /** Null before the first chunk; then that chunk; from a second one on, a growing copy of them. */
  private Buffer collected;
  private int chunks;
  private boolean overflowed;
  /** The request on the wire, once sent; the deadline may read it from another thread. */
  private volatile HttpClientRequest request;
  private volatile boolean aborted;

  public BoundedBody(long limit) {
    this.limit = limit;
  }

  /** The request this body answers, as it goes out; reset at once if the call was cut before. */
  void sending(HttpClientRequest sent) {
    request = sent;
    if (aborted) {
      sent.reset();
    }
  }

  /** Cuts the transfer: the request is reset (an HTTP/1 connection closed), whatever was received. */
  public void abort() {
    aborted = true;
    HttpClientRequest sent = request;
    if (sent != null) {
      sent.reset();
    }
  }

  /** Each request has a body of its own: the codec is its stream. */
  @Override
  public BodyStream<Void> stream() {
    return this;
  }

  @Override
  public Future<Void> result() {
    return ended.future();
  }

  /** The answer failed while streaming. */
  @Override
  public void handle(Throwable cause) {
    ended.tryFail(cause);
  }

  public boolean overflowed() {
    return overflowed;
  }

  /** The body so far, in a buffer of its exact size (read once the answer is complete). */
  public Buffer collected() {
    if (collected == null) {
      collected = Buffer.buffer(0);
    } else if (chunks > 1) {
      collected = collected.copy(); // exactly its length: the growing buffer has room to spare
      chunks = 1;
    }
    return collected;
  }

  @Override
  public Future<Void> write(Buffer data) {
    long had = collected == null ? 0 : collected.length();
    if (overflowed || had + data.length() > limit) {
      overflowed = true;
      abort();
      return Future.failedFuture("upstream response body is larger than " + limit + " bytes");
    }
    if (collected == null) {
      collected = owned(data);
    } else {
      if (chunks == 1) {
        collected = Buffer.buffer((int) Math.min(limit, 2 * (had + data.length()))).appendBuffer(collected);
      }
      collected.appendBuffer(data);
    }
    chunks++;
    return Future.succeededFuture();
  }

  /**
   * The chunk itself when its bytes are an array of their own size, as Vert.x hands chunks over; else a copy of
   * exactly its bytes, so that keeping the body never keeps a larger array it is a slice of.
   */
  private static Buffer owned(Buffer chunk) {
    ByteBuf bytes = ((BufferInternal) chunk).getByteBuf();
    boolean ownArray = bytes.hasArray() && bytes.arrayOffset() + bytes.readerIndex() == 0
      && bytes.array().length == bytes.readableBytes();
    return ownArray ? chunk : chunk.copy();
  }

  @Override
  public Future<Void> end() {
    ended.tryComplete();
    return Future.succeededFuture();
  }

  @Override
  public BoundedBody exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public BoundedBody setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public BoundedBody drainHandler(Handler<Void> handler) {
    return this;
  }
}
