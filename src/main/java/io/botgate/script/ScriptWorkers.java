package io.botgate.script;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The script pool: a fixed number of worker threads behind a bounded queue, and a watchdog that ends
 * every run still going past its time limit (or far past its allocation budget), whatever it is doing.
 * The instruction observer stops JavaScript code; the watchdog is the backstop for a builtin that loops
 * in Java and never reaches the observer. It escalates in three steps, each later than the last:
 * <ol>
 *   <li>it asks the run to stop: the observer throws at the run's next instruction check;</li>
 *   <li>it stops the thread ({@link Thread#stop()}): the stopping thread takes the run over, replaces the
 *       worker (never reused after that: it only exits) and answers the run with a limit error once the
 *       worker has ended, or at the give-up point as for step 3 if it still runs;</li>
 *   <li>if the thread still runs (it ignores the stop, or the JDK no longer supports it), the run is
 *       answered, the thread is abandoned and replaced, and {@link #abandoned()} counts it.</li>
 * </ol>
 * So no run holds a worker longer than its limit plus {@link #GIVE_UP_AFTER_MS} (plus one watchdog
 * tick), and the pool never runs out of threads. Every run is answered exactly once: whoever moves it out
 * of RUNNING (its worker, the stopper or the give-up step, each under the run's lock) answers it, and nobody
 * else does. A stop is asynchronous and may land anywhere after it is sent, so it is only sent once the run
 * has been taken over (the worker then has nothing left to deliver) and while the worker is outside shared
 * code: botContext calls and the compiled-script cache run inside {@link #shared}, which a stopped run can
 * no longer enter.
 */
final class ScriptWorkers {

  /** Past the time limit, the run is asked to stop at its next instruction check. */
  static final long ASK_AFTER_MS = 200;
  /** Past the time limit, the thread is stopped. */
  static final long STOP_AFTER_MS = 350;
  /** Past the time limit, a thread that is still running is abandoned and replaced. */
  static final long GIVE_UP_AFTER_MS = 900;
  static final long TICK_MS = 25;

  private static final Logger LOG = LoggerFactory.getLogger(ScriptWorkers.class);
  private static final com.sun.management.ThreadMXBean THREADS =
    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final ThreadLocal<Job> CURRENT = new ThreadLocal<>();
  /**
   * Classes that hold state shared beyond one run: the session and console packages (reached through
   * botContext calls), {@link BotContext} and the compiled-script cache. A stop never lands in one of
   * their frames; it waits until the call has returned to the engine or to Rhino.
   */
  private static final Set<String> SHARED_STATE = Set.of(BotContext.class.getName(), CompiledScripts.class.getName());

  private final long limitMillis;
  private final long maxAllocatedBytes;
  private final BlockingQueue<Job> queue;
  private final int threads;
  private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
  private final Set<Job> running = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService watchdog;
  private final AtomicInteger names = new AtomicInteger();
  private final AtomicLong stopped = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong();
  private volatile boolean closed;
  /** When the watchdog last looked at the runs (System.nanoTime), for /health. */
  private volatile long lastWatch = System.nanoTime();
  /**
   * How far past the limit a run that is still going is given up ({@link #GIVE_UP_AFTER_MS}); a test that holds
   * the stopper on purpose moves it, so that the time it held it does not count against the stopped thread.
   */
  volatile long giveUpAfterMs = GIVE_UP_AFTER_MS;
  /** Called by the stopper with the worker after reading its stack, before taking the run's lock (for tests). */
  volatile Consumer<Thread> beforeStop = worker -> { };
  /** Called by a worker whose run has returned, just before it takes the run's lock to answer it (for tests). */
  volatile Consumer<Thread> beforeAnswer = worker -> { };
  /** Called by the stopper with the worker under the run's lock, just before the stop is sent (for tests). */
  volatile Consumer<Thread> whileStopping = worker -> { };

  /**
   * @param limitMillis       the time limit of a run
   * @param maxAllocatedBytes a run's allocation budget; the watchdog asks a run twice over it to stop
   */
  ScriptWorkers(int threads, int queue, long limitMillis, long maxAllocatedBytes) {
    this.threads = threads;
    this.limitMillis = limitMillis;
    this.maxAllocatedBytes = maxAllocatedBytes;
    this.queue = new ArrayBlockingQueue<>(Math.max(1, queue));
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "botgate-script-watchdog");
      t.setDaemon(true);
      return t;
    });
    for (int i = 0; i < threads; i++) {
      spawn();
    }
    watchdog.scheduleWithFixedDelay(this::watch, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Queues one run. {@code done} is called exactly once, on a worker or on the watchdog thread.
   *
   * @return false when the queue is full (nothing will be called)
   */
  boolean submit(String script, Supplier<ScriptOutcome> work, Consumer<ScriptOutcome> done) {
    return !closed && queue.offer(new Job(script, work, done));
  }

  /** The run on the calling worker thread, or null outside the pool. */
  static Job current() {
    return CURRENT.get();
  }

  /**
   * Runs {@code body} as shared code: a stop is never sent while the calling run is inside, and a run that
   * was stopped or given up cannot enter (it gets a {@link LimitExceeded}). Outside the pool it just runs.
   */
  static <T> T shared(Supplier<T> body) {
    Job job = CURRENT.get();
    if (job == null) {
      return body.get();
    }
    job.enterShared();
    try {
      return body.get();
    } finally {
      job.exitShared();
    }
  }

  /**
   * The same as {@link #shared} without a closure to allocate: enters shared code and returns the run to
   * hand to {@link #exitShared} in a {@code finally} (null outside the pool).
   */
  static Job enterShared() {
    return enterShared(CURRENT.get());
  }

  /** The same for a run already known (the one on this thread, or null outside the pool). */
  static Job enterShared(Job job) {
    if (job != null) {
      job.enterShared();
    }
    return job;
  }

  static void exitShared(Job job) {
    if (job != null) {
      job.exitShared();
    }
  }

  /**
   * Ends the run with its limit error if the watchdog has asked it to stop, as the instruction observer would: for
   * a botContext function that loops over what the script gave it ({@code sendMessages}), to call between two
   * items, where stopping leaves nothing half done. Inside that shared code no stop is ever sent, so without it a
   * long enough array kept the worker until it was abandoned, and then went on burning a core.
   */
  static void stopIfAsked(Job job) {
    String reason = job == null ? null : job.stopReason;
    if (reason != null) {
      throw new LimitExceeded(reason);
    }
  }

  /**
   * Runs {@code conversion} outside the shared code the calling run is in, then comes back into it: for a
   * botContext argument whose conversion runs the script's own code (a {@code toString}, {@code valueOf} or
   * getter), which may loop in a builtin the watchdog must be able to stop. Coming back refuses a run stopped
   * meanwhile ({@link LimitExceeded}), so nothing it does after the conversion reaches the session. Call it
   * before the botContext function changes anything. Outside the pool, or outside shared code, it just runs.
   */
  static <T> T outsideShared(Supplier<T> conversion) {
    Job job = CURRENT.get();
    return job == null ? conversion.get() : job.outsideShared(conversion);
  }

  /** Threads stopped by the watchdog (each replaced by a fresh one). */
  long stopped() {
    return stopped.get();
  }

  /** Threads that could not be stopped, abandoned and replaced. */
  long abandoned() {
    return abandoned.get();
  }

  int threads() {
    return workers.size();
  }

  void close() {
    closed = true;
    watchdog.shutdownNow();
    workers.forEach(Thread::interrupt);
    for (Job job; (job = queue.poll()) != null; ) {
      job.answer(new ScriptOutcome(new ScriptError("limit", "the script engine was shut down before the script ran",
        job.script, 0, 0), false, 0));
    }
  }

  private void spawn() {
    if (!closed) {
      Worker worker = new Worker("botgate-script-" + names.incrementAndGet());
      workers.add(worker);
      worker.start();
    }
  }

  /** What /health reports of the pool, taken now. */
  PoolState state() {
    return new PoolState(queue.size(), queue.size() + queue.remainingCapacity(), running.size(), workers.size(),
      threads, (System.nanoTime() - lastWatch) / 1_000_000, closed);
  }

  private void watch() {
    lastWatch = System.nanoTime();
    try {
      watchOnce();
    } catch (Throwable e) {
      // Never let one failure end the watchdog's schedule (a throw out of here would): not even an
      // OutOfMemoryError that strikes again while logging, which an outside review saw leave /health at 503.
      try {
        LOG.error("script watchdog failed", e);
      } catch (Throwable alsoFailed) {
        // nothing left to do but keep the schedule
      }
    }
  }

  private void watchOnce() {
    long now = System.nanoTime();
    for (Job job : running) {
      Worker worker = job.worker;
      long overMillis = (now - job.startNanos) / 1_000_000 - limitMillis;
      if (job.stopReason == null) {
        long allocated = THREADS.getThreadAllocatedBytes(worker.getId()) - job.allocatedStart;
        if (overMillis >= ASK_AFTER_MS) {
          job.stopReason = "time limit of " + limitMillis + " ms exceeded";
        } else if (allocated > 2 * maxAllocatedBytes) {
          job.stopReason = "memory limit exceeded: the script allocated more than " + (maxAllocatedBytes >> 20) + " MiB";
          job.memoryStopNanos = now;
        }
        continue;
      }
      long escalation = escalation(job, now);
      if (escalation >= giveUpAfterMs) {
        giveUp(worker, job, now);
      } else if (escalation >= STOP_AFTER_MS && !job.stopSent && !job.stopUnsupported) {
        stop(worker, job);
      }
    }
    while (workers.size() < threads && !closed) {
      spawn(); // a thread that died for any reason is replaced here at the latest
    }
  }

  /** How far the run is into the escalation, in ms: its time past the limit, or since a memory stop was asked. */
  private long escalation(Job job, long now) {
    long overMillis = (now - job.startNanos) / 1_000_000 - limitMillis;
    return job.memoryStopNanos == 0 ? overMillis
      : Math.max(overMillis, (now - job.memoryStopNanos) / 1_000_000 + ASK_AFTER_MS);
  }

  /**
   * Stops the worker on a thread of its own: reading a thread's stack and stopping it both wait for the
   * thread to reach a safepoint, which a thread deep in a builtin (or in a long garbage collection) may
   * take long to do, and the watchdog must keep watching the other runs meanwhile.
   */
  private void stop(Worker worker, Job job) {
    job.stopSent = true;
    Thread stopper = new Thread(() -> {
      if (!stoppableNow(worker)) {
        job.stopSent = false; // in a botContext call or the cache: try again at the next tick
        return;
      }
      beforeStop.accept(worker);
      synchronized (job.lock) {
        // The stack was read before: re-check under the lock, which the worker takes to enter shared code.
        if (job.state != Job.RUNNING || job.shared > 0) {
          job.stopSent = false; // answered meanwhile, or entered shared code: the next tick decides again
          return;
        }
        job.state = Job.ANSWERED; // taken over: from here on this thread answers, the worker only exits
        whileStopping.accept(worker);
        try {
          stopThread(worker);
        } catch (UnsupportedOperationException e) {
          job.state = Job.RUNNING; // nothing was sent (JDK 20 and later): the give-up step replaces the thread
          job.stopUnsupported = true;
          return;
        }
      }
      String how = "; the script's worker thread could not be stopped and was replaced";
      try {
        workers.remove(worker); // never reused: it only exits now
        spawn();
        if (awaitDeath(worker, giveUpAfterMs - escalation(job, System.nanoTime()))) {
          stopped.incrementAndGet();
          how = " inside a builtin that did not return; the script was stopped";
        } else {
          abandoned.incrementAndGet();
          LOG.warn("{} ignored the stop {} ms past the limit in {}; abandoned and replaced", worker.getName(),
            escalation(job, System.nanoTime()), job.script);
        }
      } finally { // taken over: this thread answers whatever happens (a failed spawn is retried by the watchdog)
        job.answer(limit(job, job.stopReason + how, System.nanoTime()));
      }
    }, worker.getName() + "-stopper");
    stopper.setDaemon(true);
    stopper.start();
  }

  /** Whether the stopped thread ended within {@code millis} (at least one tick), up to the give-up point. */
  private static boolean awaitDeath(Thread thread, long millis) {
    try {
      thread.join(Math.max(TICK_MS, millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  @SuppressWarnings({"deprecation", "removal"})
  private static void stopThread(Thread thread) {
    thread.stop();
  }

  private void giveUp(Worker worker, Job job, long now) {
    if (!job.takeOver()) {
      return;
    }
    workers.remove(worker);
    abandoned.incrementAndGet();
    LOG.warn("{} could not be stopped {} ms into {}{}; abandoned and replaced", worker.getName(),
      (now - job.startNanos) / 1_000_000, job.script, job.stopUnsupported ? " (this JDK cannot stop threads)" : "");
    spawn();
    job.answer(limit(job, job.stopReason + "; the script's worker thread could not be stopped and was replaced",
      now));
  }

  /** Whether no frame of the thread is in code that holds shared state (see {@link #SHARED_STATE}). */
  private static boolean stoppableNow(Thread thread) {
    for (StackTraceElement frame : thread.getStackTrace()) {
      String owner = frame.getClassName();
      if (owner.startsWith("io.botgate.") && (!owner.startsWith("io.botgate.script.") || SHARED_STATE.contains(owner))) {
        return false;
      }
    }
    return true;
  }

  private static ScriptOutcome limit(Job job, String message, long now) {
    return new ScriptOutcome(new ScriptError("limit", message, job.script, 0, 0), false, (now - job.startNanos) / 1_000);
  }

  /** One run: queued, running, then answered once, by its worker or by the watchdog. */
  static final class Job {
    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int ANSWERED = 2;

    final String script;
    private final Supplier<ScriptOutcome> work;
    private final Consumer<ScriptOutcome> done;
    /** Set by the watchdog; the observer throws it as a limit error at the run's next check. */
    volatile String stopReason;
    volatile Worker worker;
    volatile long startNanos;
    volatile long allocatedStart;
    volatile long memoryStopNanos;
    volatile boolean stopSent;
    volatile boolean stopUnsupported;
    /** Guards {@link #state} and {@link #shared}: held by whoever ends the run, and to enter shared code. */
    final Object lock = new Object();
    private int state = QUEUED;
    /** How deep the worker is in shared code (nested botContext calls); no stop is sent while above 0. */
    private int shared;

    Job(String script, Supplier<ScriptOutcome> work, Consumer<ScriptOutcome> done) {
      this.script = script;
      this.work = work;
      this.done = done;
    }

    void start(Worker worker) {
      synchronized (lock) {
        this.worker = worker;
        allocatedStart = THREADS.getThreadAllocatedBytes(worker.getId());
        startNanos = System.nanoTime();
        state = RUNNING;
      }
    }

    /**
     * Moves the run from RUNNING to ANSWERED; whoever succeeds answers it, exactly once. False when the
     * stopper or the give-up step took the run over first.
     */
    boolean takeOver() {
      synchronized (lock) {
        if (state != RUNNING) {
          return false;
        }
        state = ANSWERED;
        return true;
      }
    }

    private void enterShared() {
      synchronized (lock) {
        if (state != RUNNING) { // stopped (the stop may still be on its way) or given up: enter nothing
          throw new LimitExceeded(stopReason == null ? "the script was ended" : stopReason);
        }
        shared++;
      }
    }

    private void exitShared() {
      synchronized (lock) {
        shared--;
      }
    }

    private <T> T outsideShared(Supplier<T> conversion) {
      boolean left;
      synchronized (lock) {
        left = shared > 0;
        if (left) {
          shared--;
        }
      }
      if (!left) {
        return conversion.get(); // not in shared code: nothing to leave
      }
      boolean converted = false;
      try {
        T value = conversion.get();
        converted = true;
        return value;
      } finally {
        synchronized (lock) {
          shared++; // balanced by the caller's own exit, whatever happened
          if (converted && state != RUNNING) {
            throw new LimitExceeded(stopReason == null ? "the script was ended" : stopReason);
          }
        }
      }
    }

    void answer(ScriptOutcome outcome) {
      ScriptWorkers owner = worker == null ? null : worker.owner();
      if (owner != null) {
        owner.running.remove(this);
      }
      try {
        done.accept(outcome);
      } catch (RuntimeException e) {
        LOG.warn("answering {} failed: {}", script, e.toString());
      }
    }
  }

  private final class Worker extends Thread {

    Worker(String name) {
      super(name);
      setDaemon(true);
    }

    @Override
    public void run() {
      Job running = null;
      try {
        while (!closed) {
          running = queue.take();
          running.start(this);
          ScriptWorkers.this.running.add(running);
          CURRENT.set(running);
          ScriptOutcome outcome = work(running);
          CURRENT.remove();
          beforeAnswer.accept(this);
          if (!running.takeOver()) {
            return; // the stopper or the give-up step answered; a stop still on its way lands on the way out
          }
          running.answer(outcome);
        }
      } catch (InterruptedException closing) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | Error e) {
        // A ThreadDeath from the stopper, which answers the run itself; or an error work() did not catch.
        if (running != null && running.takeOver()) {
          running.answer(new ScriptOutcome(new ScriptError("runtime", "the script failed: " + e, running.script, 0, 0),
            false, (System.nanoTime() - running.startNanos) / 1_000));
        }
      } finally {
        workers.remove(this); // replaced at the next watchdog tick at the latest
      }
    }

    ScriptWorkers owner() {
      return ScriptWorkers.this;
    }

    private ScriptOutcome work(Job running) {
      try {
        return running.work.get();
      } catch (RuntimeException e) {
        return new ScriptOutcome(new ScriptError("runtime", "the script failed: " + e, running.script, 0, 0), false,
          (System.nanoTime() - running.startNanos) / 1_000);
      }
    }
  }
}
