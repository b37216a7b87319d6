package io.botgate;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines ({@link Deadline}) of the calls one event loop started, with one task scheduled on the loop for
 * the earliest of them, instead of a task per call: a scheduled task is an object and a place in the loop's
 * priority queue, added and taken out again on every call, and nearly every call is answered long before its
 * deadline. The calls wait in one list per length of deadline (an integration's {@code timeoutMs}), in the
 * order they were added, which is the order they fall due; when the task runs it takes the calls that are due
 * from the head of each list, and schedules itself again for the earliest head left. So it looks at the calls
 * it fires and at one per list, however many calls wait behind them (an upstream that stopped answering).
 * <p>
 * Used by its loop's thread only: a deadline is added and removed there. One cancelled on another thread
 * (a call answered by a continuation that ran elsewhere) is only marked settled, and its entry is dropped when
 * it reaches the head of its list. A call started off the loop is added a moment after its deadline was set,
 * so it may stand behind one due a little after it, and fires that little late.
 */
final class Deadlines {

  private static final FastThreadLocal<Deadlines> OF_LOOP = new FastThreadLocal<>();

  /** The deadlines of one length, in the order added; linked through {@link Deadline}. */
  static final class Lane {
    private Deadline first;
    private Deadline last;
  }

  private final EventLoop loop;
  private final Thread thread;
  /** By length of deadline in nanoseconds: a few, one per integration's timeout at most. */
  private final Map<Long, Lane> lanes = new HashMap<>();
  /** When the task scheduled last runs, and which one it is: an earlier call may schedule another before it. */
  private long armedAt = Long.MAX_VALUE;
  private long armed;

  private Deadlines(EventLoop loop) {
    this.loop = loop;
    this.thread = Thread.currentThread();
  }

  /** The deadlines of {@code loop}, whose thread calls this. */
  static Deadlines of(EventLoop loop) {
    Deadlines deadlines = OF_LOOP.get();
    if (deadlines == null) {
      deadlines = new Deadlines(loop);
      OF_LOOP.set(deadlines);
    }
    return deadlines;
  }

  /** Whether the calling thread is this list's: the only one that may change it. */
  boolean owned() {
    return Thread.currentThread() == thread;
  }

  /** Adds the deadline, due {@code lengthNanos} after it was set ({@link Deadline#dueNanos}); on the loop's thread. */
  void add(Deadline deadline, long lengthNanos) {
    Lane lane = lanes.computeIfAbsent(lengthNanos, length -> new Lane());
    deadline.deadlines = this;
    deadline.lane = lane;
    deadline.previousDue = lane.last;
    deadline.nextDue = null;
    if (lane.last == null) {
      lane.first = deadline;
    } else {
      lane.last.nextDue = deadline;
    }
    lane.last = deadline;
    if (deadline.dueNanos < armedAt) {
      arm(deadline.dueNanos);
    }
  }

  /** Takes the deadline out; on this loop's thread. */
  void remove(Deadline deadline) {
    Lane lane = deadline.lane;
    if (deadline.deadlines != this || lane == null) {
      return;
    }
    deadline.deadlines = null;
    deadline.lane = null;
    Deadline before = deadline.previousDue;
    Deadline after = deadline.nextDue;
    if (before == null) {
      lane.first = after;
    } else {
      before.nextDue = after;
    }
    if (after == null) {
      lane.last = before;
    } else {
      after.previousDue = before;
    }
    deadline.previousDue = null;
    deadline.nextDue = null;
  }

  private void arm(long due) {
    armedAt = due;
    long id = ++armed;
    loop.schedule(() -> run(id), Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** Fires the deadlines due (each on its call's context), then schedules the task for the earliest left. */
  private void run(long id) {
    if (id != armed) {
      return; // a task scheduled later for an earlier deadline took over
    }
    armedAt = Long.MAX_VALUE;
    long now = System.nanoTime();
    long next = Long.MAX_VALUE;
    for (Lane lane : lanes.values()) {
      Deadline deadline = lane.first;
      while (deadline != null && (deadline.settled || deadline.dueNanos - now <= 0)) {
        remove(deadline); // cancelled on another thread or before it was added, or due
        if (!deadline.settled) {
          deadline.expire();
        }
        deadline = lane.first;
      }
      if (deadline != null) {
        next = Math.min(next, deadline.dueNanos);
      }
    }
    if (next != Long.MAX_VALUE) {
      arm(next);
    }
  }
}
