package io.botgate.session;

import io.botgate.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One turn at a time per key, in arrival order, without holding a thread while waiting: each key keeps the
 * future of its last turn, and a new turn starts when that one ends. Keys with nothing running hold
 * nothing. At most {@code maxWaiting} turns wait per key; past that, a turn is refused rather than queued. A turn
 * whose request stopped waiting leaves the line at once: it no longer counts, and its work never runs.
 */
final class Turns {

  private final ConcurrentHashMap<String, Line> lines = new ConcurrentHashMap<>();
  private final int maxWaiting;

  Turns(int maxWaiting) {
    this.maxWaiting = maxWaiting;
  }

  /**
   * A key's turns not ended yet: how many, how many of them are {@link #aside} ones, and the end of the last one.
   * Changed only inside the map's compute.
   */
  private static final class Line {
    Future<Void> last;
    int queued;
    int aside;
  }

  /**
   * Runs {@code work} once every earlier turn of the key has ended.
   *
   * @return the work's outcome, or a failed future with 429 {@code session_busy} when {@code maxWaiting}
   * turns of the key already wait
   */
  <T> Future<T> next(String key, Supplier<Future<T>> work) {
    return next(key, true, work);
  }

  /**
   * As {@link #next(String, Supplier)}; with {@code bounded} false the turn waits even past {@code maxWaiting}: for
   * work that records what has already happened, which a refusal would lose (it still counts toward the bound).
   */
  <T> Future<T> next(String key, boolean bounded, Supplier<Future<T>> work) {
    return next(key, bounded, false, null, work);
  }

  /**
   * As {@link #next(String, boolean, Supplier)}, for a turn that leaves the line when {@code leave} fails while it
   * still waits: answered at once with that failure, it counts toward {@code maxWaiting} no more and its work never
   * runs (its caller closed the connection, or stopped waiting). A turn already begun runs on. {@code leave} null:
   * it never leaves.
   */
  <T> Future<T> next(String key, boolean bounded, Supplier<? extends Future<?>> leave, Supplier<Future<T>> work) {
    return next(key, bounded, false, leave, work);
  }

  /**
   * As {@link #next(String, Supplier)}, for a turn that neither waits for {@code maxWaiting} nor counts toward it: what
   * its caller keeps to one at a time per key (a refused request shown in its session's console), so that it never
   * takes the place of a request of the key's own.
   */
  <T> Future<T> aside(String key, Supplier<Future<T>> work) {
    return next(key, false, true, null, work);
  }

  /** As {@link #aside(String, Supplier)}, leaving the line as {@link #next(String, boolean, Supplier, Supplier)} does. */
  <T> Future<T> aside(String key, Supplier<? extends Future<?>> leave, Supplier<Future<T>> work) {
    return next(key, false, true, leave, work);
  }

  private <T> Future<T> next(String key, boolean bounded, boolean aside, Supplier<? extends Future<?>> leave,
                                Supplier<Future<T>> work) {
    Promise<Void> ended = Promise.promise();
    Object[] before = new Object[1];
    lines.compute(key, (k, line) -> {
      Line l = line == null ? new Line() : line;
      if (bounded && l.queued - l.aside > maxWaiting) {
        before[0] = Boolean.FALSE;
        return l;
      }
      before[0] = l.last;
      l.last = ended.future();
      l.queued++;
      if (aside) {
        l.aside++;
      }
      return l;
    });
    if (before[0] == Boolean.FALSE) {
      return Future.failedFuture(new GatewayError(429, "session_busy", "session '" + key + "' already has "
        + maxWaiting + " requests waiting for their turn (session.queue); its requests run one at a time, as a "
        + "conversation's messages do"));
    }
    @SuppressWarnings("unchecked")
    Future<Void> previous = (Future<Void>) before[0];
    if (previous == null) { // no turn before this one (the usual case): started now, nothing to wait or leave
      return counted(key, aside, start(work), ended);
    }
    if (leave == null) {
      return counted(key, aside, previous.transform(ignored -> start(work)), ended);
    }
    // Waiting: whichever comes first, the earlier turns' end (it runs) or the leave (it goes, its place kept only as
    // the link the turns behind it wait on, which passes as soon as the earlier turns end).
    AtomicBoolean settled = new AtomicBoolean();
    Promise<T> answer = Promise.promise();
    leave.get().onFailure(why -> { // asked for only now: a turn that starts at once watches nothing
      if (settled.compareAndSet(false, true)) {
        uncount(key, aside);
        answer.fail(why);
      }
    });
    previous.onComplete(ignored -> {
      if (settled.compareAndSet(false, true)) {
        counted(key, aside, start(work), ended).onComplete(answer);
      } else {
        ended.complete();
      }
    });
    return answer.future();
  }

  /** {@code result}, the turn counted in its key's line until it ends, and {@code ended} completed then. */
  private <T> Future<T> counted(String key, boolean aside, Future<T> result, Promise<Void> ended) {
    result.onComplete(ignored -> {
      uncount(key, aside);
      ended.complete();
    });
    return result;
  }

  private void uncount(String key, boolean aside) {
    lines.computeIfPresent(key, (k, line) -> {
      if (aside) {
        line.aside--;
      }
      return --line.queued == 0 ? null : line;
    });
  }

  private static <T> Future<T> start(Supplier<Future<T>> work) {
    try {
      Future<T> started = work.get();
      return started == null ? Future.failedFuture(new IllegalStateException("a turn returned no future")) : started;
    } catch (Throwable e) { // as a transform would: an Error too, or the turn never ends and the session waits
      return Future.failedFuture(e);
    }
  }

  /**
   * Runs {@code action} when the key has no turn running or waiting, inside the same step that registers its turns,
   * so no turn can begin between the check and the action (expiry removing a session a new turn just opened, whose
   * writes would go to a session no one can read); answers what the action answered, false when it did not run.
   */
  boolean ifIdle(String key, BooleanSupplier action) {
    boolean[] done = {false};
    lines.compute(key, (k, line) -> {
      if (line == null) {
        done[0] = action.getAsBoolean();
      }
      return line;
    });
    return done[0];
  }

  /** The key's turns running or waiting on this node. */
  int turnsOf(String key) {
    int[] turns = {0};
    lines.computeIfPresent(key, (k, line) -> { // read inside the map's compute, as it is changed
      turns[0] = line.queued;
      return line;
    });
    return turns[0];
  }

  /** The key's turns running or waiting but {@link #aside} ones: its requests' (for tests). */
  int requestsOf(String key) {
    int[] turns = {0};
    lines.computeIfPresent(key, (k, line) -> {
      turns[0] = line.queued - line.aside;
      return line;
    });
    return turns[0];
  }

  /** Keys with a turn running or waiting (for tests). */
  int busyKeys() {
    return lines.size();
  }
}
