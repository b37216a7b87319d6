package io.botgate;

import io.vertx.core.Future;

import java.util.concurrent.Callable;

/**
 * How much of one input the event loop handles itself: an answer read, a compressed one inflated, a JSON body decoded,
 * a request's variables copied, a session shown. Up to this many bytes, a fraction of a millisecond, and the usual
 * input (the benchmark's 1 kB answer, a few variables) takes no hop; past it the work goes to a worker, where a 5 MB
 * input held the loop tens to hundreds of milliseconds. One bound for all of them, so they move together.
 */
public final class OnLoop {

  public static final int MAX_BYTES = 64 * 1024;

  /** Where work on an input past {@link #MAX_BYTES} runs: a worker, completing on the caller's context. */
  @FunctionalInterface
  public interface Elsewhere {
    <T> Future<T> run(Callable<T> work);
  }

  private OnLoop() {
  }
}
