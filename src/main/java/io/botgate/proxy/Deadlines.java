package io.botgate.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.concurrent.TimeUnit;

/**
 * The deadlines of the pass-through calls one event loop started, in a list of its own with one task
 * scheduled on the loop for the earliest of them, instead of a task per call: a scheduled task is an
 * object and a place in the loop's priority queue, added and taken out again on every call, and nearly
 * every call is answered long before its deadline. When the task runs it fires the deadlines that are
 * due and schedules itself again for the earliest left; under a steady load that is about once per
 * deadline period, not once per call.
 * <p>
 * Used by its loop's thread only: a call is added and removed there. A call answered on another thread
 * (a continuation that ran elsewhere) is only marked settled, and its entry is dropped when the task runs.
 */
final class Deadlines {

  private static final FastThreadLocal<Deadlines> OF_LOOP = new FastThreadLocal<>();

  private final EventLoop loop;
  private final Thread thread;
  /** Calls waiting for their deadline, in the order they were added; linked through {@link ProxyCall}. */
  private ProxyCall first;
  private ProxyCall last;
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

  /** Adds the call, whose {@link ProxyCall#dueNanos} is set; on this loop's thread. */
  void add(ProxyCall call) {
    call.deadlines = this;
    call.previousDue = last;
    call.nextDue = null;
    if (last == null) {
      first = call;
    } else {
      last.nextDue = call;
    }
    last = call;
    if (call.dueNanos < armedAt) {
      arm(call.dueNanos);
    }
  }

  /** Takes the call out; on this loop's thread. */
  void remove(ProxyCall call) {
    if (call.deadlines != this) {
      return;
    }
    call.deadlines = null;
    ProxyCall before = call.previousDue;
    ProxyCall after = call.nextDue;
    if (before == null) {
      first = after;
    } else {
      before.nextDue = after;
    }
    if (after == null) {
      last = before;
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
    for (ProxyCall call = first; call != null; ) {
      ProxyCall following = call.nextDue;
      if (call.deadlineSettled) {
        remove(call); // answered on another thread, or before it was added
      } else if (call.dueNanos - now <= 0) {
        remove(call);
        call.expire();
      } else {
        next = Math.min(next, call.dueNanos);
      }
      call = following;
    }
    if (next != Long.MAX_VALUE) {
      arm(next);
    }
  }
}
