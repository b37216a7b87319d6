package io.botgate.session;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes the variables of all sessions hold together, against {@code session.totalBytes}: with
 * {@code session.max} sessions each allowed {@code session.maxBytes}, one caller opening and filling
 * sessions could otherwise fill the heap.
 */
final class HeldTotal {

  private final AtomicLong held = new AtomicLong();
  private final long max;

  HeldTotal(long max) {
    this.max = max;
  }

  /** Takes {@code bytes} from the budget; false, taking nothing, when they do not fit. */
  boolean reserve(long bytes) {
    long now;
    do {
      now = held.get();
      if (now + bytes > max) {
        return false;
      }
    } while (!held.compareAndSet(now, now + bytes));
    return true;
  }

  /**
   * Counts bytes a session holds already (one read into this node), even past the max: it gives them back when
   * discarded, so they must be counted; only growth is refused ({@link #reserve}).
   */
  void add(long bytes) {
    held.addAndGet(bytes);
  }

  void release(long bytes) {
    held.addAndGet(-bytes);
  }

  long held() {
    return held.get();
  }

  long max() {
    return max;
  }
}
