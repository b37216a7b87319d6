package io.botgate.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of the pass-through calls one event loop started, with one task scheduled on the loop for the
 * earliest of them, instead of a task per call: a scheduled task is an object and a place in the loop's
 * priority queue, added and taken out again on every call, and nearly every call is answered long before its
 * deadline. The calls wait in one list per length of deadline (an integration's {@code timeoutMs}), in the
 * order they were added, which is the order they fall due; when the task runs it takes the calls that are due
 * from the head of each list, and schedules itself again for the earliest head left. So it looks at the calls
 * it fires and at one per list, however many calls wait behind them (an upstream that stopped answering).
 * <p>
 * Used by its loop's thread only: a call is added and removed there. A call answered on another thread
 * (a continuation that ran elsewhere) is only marked settled, and its entry is dropped when it reaches the
 * head of its list. A call started off the loop is added a moment after its deadline was set, so it may
 * stand behind one due a little after it, and fires that little late.
 */
final class Deadlines {

  private static final FastThreadLocal<Deadlines> OF_LOOP = new FastThreadLocal<>();

  /** The calls with one length of deadline, in the order added; linked through {@link ProxyCall}. */
  static final class Lane {
    private ProxyCall first;
    private ProxyCall last;
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

  /** Adds the call, due {@code lengthNanos} after it started ({@link ProxyCall#dueNanos} is set); on this loop's thread. */
  void add(ProxyCall call, long lengthNanos) {
    Lane lane = lanes.computeIfAbsent(lengthNanos, length -> new Lane());
    call.deadlines = this;
    call.lane = lane;
    call.previousDue = lane.last;
    call.nextDue = null;
    if (lane.last == null) {
      lane.first = call;
    } else {
      lane.last.nextDue = call;
    }
    lane.last = call;
    if (call.dueNanos < armedAt) {
      arm(call.dueNanos);
    }
  }

  /** Takes the call out; on this loop's thread. */
  void remove(ProxyCall call) {
    Lane lane = call.lane;
    if (call.deadlines != this || lane == null) {
      return;
    }
    call.deadlines = null;
    call.lane = null;
    ProxyCall before = call.previousDue;
    ProxyCall after = call.nextDue;
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
    call.previousDue = null;
    call.nextDue = null;
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
      ProxyCall call = lane.first;
      while (call != null && (call.deadlineSettled || call.dueNanos - now <= 0)) {
        remove(call); // answered on another thread or before it was added, or due
        if (!call.deadlineSettled) {
          call.expire();
        }
        call = lane.first;
      }
      if (call != null) {
        next = Math.min(next, call.dueNanos);
      }
    }
    if (next != Long.MAX_VALUE) {
      arm(next);
    }
  }
}
