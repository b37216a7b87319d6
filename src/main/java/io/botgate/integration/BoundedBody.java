package io.botgate.integration;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;

/**
 * Collects a response body up to a limit. A write past the limit fails, which fails the Web Client's
 * pipe and resets the upstream request, so an oversized response costs at most the limit in memory.
 * <p>
 * A body that came in one chunk is that chunk, not copied: Vert.x hands each chunk over in a heap buffer of
 * its own, of its exact size (a chunk that is a slice of a larger array is copied). A body in several chunks
 * is gathered in a growing buffer and copied once to its exact size when it is read ({@link #collected()}),
 * so whatever keeps it keeps no spare room. Gathering every body in a growing buffer was the largest single
 * share of what an execution allocated (8 %).
 */
final class BoundedBody implements WriteStream<Buffer> {

  private final long limit;
  /** Null before the first chunk; then that chunk; from a second one on, a growing copy of them. */
  private Buffer collected;
  private int chunks;
  private boolean overflowed;

  BoundedBody(long limit) {
    this.limit = limit;
  }

  boolean overflowed() {
    return overflowed;
  }

  /** The body so far, in a buffer of its exact size (read once the answer is complete). */
  Buffer collected() {
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
    return Future.succeededFuture();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    return this;
  }
}
