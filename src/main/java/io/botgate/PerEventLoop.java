package io.botgate;

import io.vertx.core.Context;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One object per event loop, made on the loop at its first use there, and one shared by every caller off the
 * event loops (worker threads, tests), made at the first such use; all held until {@link #close}. For HTTP
 * clients: Vert.x 5's pool hands a free connection to any caller whatever loop the connection lives on, and a
 * connection on another loop costs two thread hops per call (the write handed over, the answer handed back);
 * a client used from one loop only ever opens connections on that loop. Held, because Vert.x 5 closes a client
 * nothing refers to any more, in the middle of a call. One asked for after {@link #close} is made and closed at
 * once, so its requests fail as they would on a closed client.
 */
public final class PerEventLoop<T> {

  private final Supplier<T> make;
  private final Consumer<T> close;
  /** Keyed by the event loop's thread: one thread per loop, for the loop's life. */
  private final Map<Thread, T> loops = new ConcurrentHashMap<>();
  private T shared;
  private volatile boolean closed;

  /**
   * @param make  makes one (called on the loop it is for, or off the loops for the shared one)
   * @param close closes one, at {@link #close}; may be called more than once for one
   */
  public PerEventLoop(Supplier<T> make, Consumer<T> close) {
    this.make = make;
    this.close = close;
  }

  /** The calling event loop's own, or the shared one off the event loops. */
  public T get() {
    if (!Context.isOnEventLoopThread()) {
      return shared();
    }
    T mine = loops.computeIfAbsent(Thread.currentThread(), thread -> made()); // no lock taken on a hit
    if (closed) {
      close.accept(mine); // made just before close() and put in the map after close() had walked it
    }
    return mine;
  }

  private synchronized T shared() {
    if (shared == null) {
      shared = made();
    }
    return shared;
  }

  private T made() {
    T made = make.get();
    if (closed) {
      close.accept(made);
    }
    return made;
  }

  /** Closes every one made; one asked for afterwards is made closed. */
  public void close() {
    closed = true;
    loops.values().forEach(close);
    synchronized (this) {
      if (shared != null) {
        close.accept(shared);
      }
    }
  }
}
