package io.botgate.proxy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.util.function.Supplier;

/**
 * A body on its way through the proxy, counted as it streams: past its limit it fails (which resets both
 * sides of the pipe) and lets nothing more through. It may also keep a copy of the first bytes, up to a
 * smaller limit, for {@code "capture": true}; a body larger than that is not kept at all.
 */
final class MeteredBody implements ReadStream<Buffer> {

  /** The body went past its limit. */
  static final class TooLarge extends RuntimeException {
    TooLarge(String message) {
      super(message, null, false, false);
    }
  }

  private final ReadStream<Buffer> source;
  private final long limit;
  private final String limitName;
  private final long captureLimit;
  private Buffer captured;
  private boolean captureDropped;
  private long bytes;
  private boolean overflowed;
  private boolean ended;
  private Handler<Throwable> exceptionHandler;
  /** What the source failed with (a body its connection could not decode), kept for a handler set later. */
  private Throwable failure;
  private Supplier<Future<?>> beforeEnd;
  private long declaredLength = -1;
  private Handler<Buffer> dataHandler;
  private Buffer held;
  private Handler<Throwable> beforeFailure;

  /** @param captureLimit how much to keep a copy of; 0 keeps nothing */
  MeteredBody(ReadStream<Buffer> source, long limit, String limitName, long captureLimit) {
    this.source = source;
    this.limit = limit;
    this.limitName = limitName;
    this.captureLimit = captureLimit;
    this.captured = captureLimit > 0 ? Buffer.buffer() : null;
    // A failure before the proxy pipes the body (while it connects) would reach no one, and the call to
    // upstream would wait for a body that never comes: it is kept and told to the pipe when it starts.
    source.exceptionHandler(this::failed);
  }

  private void failed(Throwable cause) {
    failure = cause;
    if (beforeFailure != null) {
      beforeFailure.handle(cause);
    }
    Handler<Throwable> handler = exceptionHandler;
    if (handler != null) {
      handler.handle(cause);
    }
  }

  boolean overflowed() {
    return overflowed;
  }

  /** Whether the whole body went through. */
  boolean ended() {
    return ended;
  }

  /** The copy kept: the whole body, or null when capture was off or the body outgrew it. */
  Buffer captured() {
    return ended ? captured : null;
  }

  /** Whether capture was on and the body outgrew it. */
  boolean captureDropped() {
    return captureDropped;
  }

  /**
   * Work to finish once the whole body went through and before its end is passed on. A body of a declared
   * length ends for its reader with its last byte, not with the end that follows: so the chunk that
   * completes that length is held back until the work is done.
   *
   * @param declaredLength the body's Content-Length, or -1 when it has none
   */
  MeteredBody beforeEnd(long declaredLength, Supplier<Future<?>> work) {
    this.declaredLength = declaredLength;
    this.beforeEnd = work;
    return this;
  }

  /** Work to do when the source fails, before its reader is told (which resets the reader's side). */
  MeteredBody beforeFailure(Handler<Throwable> work) {
    this.beforeFailure = work;
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    dataHandler = handler;
    source.handler(handler == null ? null : data -> {
      if (overflowed) {
        return;
      }
      bytes += data.length();
      if (bytes > limit) {
        overflowed = true;
        captured = null;
        failed(new TooLarge("the body is larger than " + limitName + " (" + limit + " bytes)"));
        return;
      }
      if (captured != null) {
        if (captured.length() + (long) data.length() > captureLimit) {
          captured = null;
          captureDropped = true;
        } else {
          captured.appendBuffer(data);
        }
      }
      if (beforeEnd != null && bytes == declaredLength) {
        held = data;
        return;
      }
      handler.handle(data);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    if (handler != null && failure != null) {
      handler.handle(failure);
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> handler) {
    source.endHandler(handler == null ? null : v -> {
      if (overflowed) {
        return;
      }
      ended = true;
      if (beforeEnd == null) {
        handler.handle(v);
      } else {
        beforeEnd.get().onComplete(done -> {
          Buffer last = held;
          held = null;
          if (last != null && dataHandler != null) {
            dataHandler.handle(last);
          }
          handler.handle(v);
        });
      }
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    source.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    source.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    source.fetch(amount);
    return this;
  }
}
