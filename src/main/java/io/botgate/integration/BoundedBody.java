package io.botgate.integration;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * Collects a response body up to a limit. A write past the limit fails, which fails the Web Client's
 * pipe and resets the upstream request, so an oversized response costs at most the limit in memory.
 */
final class BoundedBody implements WriteStream<Buffer> {

  private final long limit;
  private final Buffer collected = Buffer.buffer();
  private boolean overflowed;

  BoundedBody(long limit) {
    this.limit = limit;
  }

  boolean overflowed() {
    return overflowed;
  }

  Buffer collected() {
    return collected;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (overflowed || collected.length() + (long) data.length() > limit) {
      overflowed = true;
      return Future.failedFuture("upstream response body is larger than " + limit + " bytes");
    }
    collected.appendBuffer(data);
    return Future.succeededFuture();
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
