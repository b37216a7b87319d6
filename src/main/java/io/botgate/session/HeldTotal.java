package io.botgate.session;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes held together against one bound, from any thread: the variables of all sessions against
 * {@code session.total.mb} (with {@code session.max} sessions each allowed {@code session.maxBytes}, one caller
 * opening and filling sessions could otherwise fill the heap), and the bodies of requests not yet answered against
 * {@code body.held.bytes} ({@code api.HeldBodies}).
 */
public final class HeldTotal {

  private final AtomicLong held = new AtomicLong();
  private final long max;

  public HeldTotal(long max) {
    this.max = max;
  }

  /** Takes {@code bytes} from the budget; false, taking nothing, when they do not fit. */
  boolean reserve(long bytes) {
    return reserve(bytes, false);
  }

  /**
   * As {@link #reserve(long)}; with {@code oneAlwaysFits}, bytes past the bound are taken too while nothing is
   * held, so that one holder of any size can go on.
   */
  public boolean reserve(long bytes, boolean oneAlwaysFits) {
    long now;
    do {
      now = held.get();
      if (now + bytes > max && !(oneAlwaysFits && now == 0)) {
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

  public void release(long bytes) {
    held.addAndGet(-bytes);
  }

  public long held() {
    return held.get();
  }

  public long max() {
    return max;
  }
}
