package io.botgate;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import java.util.concurrent.TimeUnit;

/**
 * A call's deadline: runs what it does on the call's context once the time is up, unless cancelled first.
 * Kept with the other deadlines of its event loop ({@link Deadlines}) rather than as a Vert.x timer or a task
 * of its own: a timer is also an entry in a map shared by every thread and in the verticle's close hooks, and
 * a task a place in the loop's queue, each added and removed again on every call, and nearly every call is
 * answered in time. Unlike a Vert.x timer, a deadline is not cancelled when the verticle that set it is
 * undeployed: it still fires, so a call waiting on it still ends.
 */
public final class Deadline {

  /** When it falls due ({@link System#nanoTime()}). */
  final long dueNanos;
  private final ContextInternal context;
  private final Runnable expired;
  /** It fired or was cancelled: it does nothing more. */
  volatile boolean settled;
  /** The list it waits in, and its neighbours there; see {@link Deadlines}. */
  Deadlines deadlines;
  Deadlines.Lane lane;
  Deadline previousDue;
  Deadline nextDue;

  private Deadline(ContextInternal context, long dueNanos, Runnable expired) {
    this.context = context;
    this.dueNanos = dueNanos;
    this.expired = expired;
  }

  /** Runs {@code expired} on the calling context (one is made off Vert.x's threads) in {@code millis} ms. */
  public static Deadline start(Vertx vertx, long millis, Runnable expired) {
    ContextInternal current = (ContextInternal) vertx.getOrCreateContext();
    long length = TimeUnit.MILLISECONDS.toNanos(millis);
    Deadline deadline = new Deadline(current, System.nanoTime() + length, expired);
    EventLoop loop = current.nettyEventLoop();
    if (loop.inEventLoop()) {
      Deadlines.of(loop).add(deadline, length);
    } else {
      loop.execute(() -> Deadlines.of(loop).add(deadline, length));
    }
    return deadline;
  }

  /** Whether it fired or was cancelled. */
  public boolean settled() {
    return settled;
  }

  /** It does not fire, unless it has already begun to. */
  public void cancel() {
    if (settled) {
      return;
    }
    settled = true;
    Deadlines list = deadlines;
    if (list != null && list.owned()) {
      list.remove(this);
    }
  }

  /** The time is up: runs what it does on the call's context, unless it was cancelled meanwhile. */
  void expire() {
    context.runOnContext(v -> {
      if (!settled) { // cancelled meanwhile: cancelling cannot stop an expiry already on its way
        settled = true;
        expired.run();
      }
    });
  }
}
