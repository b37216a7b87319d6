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
import java.util.logging.Logger;

/**
 * The script pool: a fixed number of worker threads behind a bounded queue, and a watchdog that ends
 * every run still going past its time limit (or far past its allocation budget), whatever it is doing.
 * The instruction observer stops JavaScript code; the watchdog is the backstop for a builtin that loops
 * in Java and never reaches the observer. It escalates in three steps, each later than the last:
 * <ol>
 *   <li>it asks the run to stop: the observer throws at the run's next instruction check;</li>
 *   <li>it stops the thread ({@link Thread#stop()}): the run is answered with a limit error and the
 *       thread, never reused after that, is replaced;</li>
 *   <li>if the thread still runs (it ignores the stop, or the JDK no longer supports it), the run is
 *       answered, the thread is abandoned and replaced, and {@link #abandoned()} counts it.</li>
 * </ol>
 * So no run holds a worker longer than its limit plus {@link #GIVE_UP_AFTER_MS} (plus one watchdog
 * tick), and the pool never runs out of threads.
 */
final class ScriptWorkers {

  /** Past the time limit, the run is asked to stop at its next instruction check. */
  static final long ASK_AFTER_MS = 200;
  /** Past the time limit, the thread is stopped. */
  static final long STOP_AFTER_MS = 350;
  /** Past the time limit, a thread that is still running is abandoned and replaced. */
  static final long GIVE_UP_AFTER_MS = 900;
  static final long TICK_MS = 25;

  private static final Logger LOG = Logger.getLogger(ScriptWorkers.class.getName());
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

  private void watch() {
    try {
      watchOnce();
    } catch (RuntimeException | Error e) {
      LOG.severe("script watchdog: " + e); // never let one failure end the watchdog's schedule
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
      long escalation = job.memoryStopNanos == 0 ? overMillis
        : Math.max(overMillis, (now - job.memoryStopNanos) / 1_000_000 + ASK_AFTER_MS);
      if (escalation >= GIVE_UP_AFTER_MS) {
        giveUp(worker, job, now);
      } else if (escalation >= STOP_AFTER_MS && !job.stopSent && !job.stopUnsupported) {
        stop(worker, job);
      }
    }
    while (workers.size() < threads && !closed) {
      spawn(); // a thread that died for any reason is replaced here at the latest
    }
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
      synchronized (job.stopLock) { // the worker cannot answer while the stop is on its way
        synchronized (job) {
          if (job.state != Job.RUNNING) {
            job.stopSent = false;
            return;
          }
        }
        try {
          stopThread(worker);
        } catch (UnsupportedOperationException e) {
          job.stopUnsupported = true; // JDK 20 and later: the give-up step replaces the thread instead
        }
      }
    }, worker.getName() + "-stopper");
    stopper.setDaemon(true);
    stopper.start();
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
    LOG.warning(worker.getName() + " could not be stopped " + (now - job.startNanos) / 1_000_000 + " ms into "
      + job.script + (job.stopUnsupported ? " (this JDK cannot stop threads)" : "") + "; abandoned and replaced");
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
    /** Held by the stopper while it stops the worker, and by the worker when it answers. */
    final Object stopLock = new Object();
    private int state = QUEUED;

    Job(String script, Supplier<ScriptOutcome> work, Consumer<ScriptOutcome> done) {
      this.script = script;
      this.work = work;
      this.done = done;
    }

    synchronized void start(Worker worker) {
      this.worker = worker;
      allocatedStart = THREADS.getThreadAllocatedBytes(worker.getId());
      startNanos = System.nanoTime();
      state = RUNNING;
    }

    /** For the worker: whether it may answer; false once the watchdog answered or sent a stop. */
    boolean finish() {
      synchronized (stopLock) {
        synchronized (this) {
          if (state != RUNNING || stopSent) {
            return false;
          }
          state = ANSWERED;
          return true;
        }
      }
    }

    /** For the stopped worker: whether it answers (the watchdog did not give up first). */
    boolean finishStopped() {
      synchronized (stopLock) {
        return takeOver();
      }
    }

    /** For the watchdog: whether it answers (nobody did yet). */
    synchronized boolean takeOver() {
      if (state != RUNNING) {
        return false;
      }
      state = ANSWERED;
      return true;
    }

    void answer(ScriptOutcome outcome) {
      ScriptWorkers owner = worker == null ? null : worker.owner();
      if (owner != null) {
        owner.running.remove(this);
      }
      try {
        done.accept(outcome);
      } catch (RuntimeException e) {
        LOG.warning("answering " + script + " failed: " + e);
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
          if (!running.finish()) {
            awaitStop(running);
            answerStopped(running); // Rhino wrapped the ThreadDeath on its way up: answer as for a stop
            return;
          }
          running.answer(outcome);
        }
      } catch (InterruptedException closing) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | Error stop) { // ThreadDeath from the watchdog, or anything unforeseen
        answerStopped(running);
      } finally {
        workers.remove(this);
      }
    }

    ScriptWorkers owner() {
      return ScriptWorkers.this;
    }

    /**
     * The watchdog stopped this thread inside the run: answer for it, unless the watchdog gave up first,
     * and let a fresh thread take this one's place.
     */
    private void answerStopped(Job running) {
      if (running != null && running.finishStopped()) {
        stopped.incrementAndGet();
        workers.remove(this);
        spawn();
        running.answer(limit(running, running.stopReason + " inside a builtin that did not return; the "
          + "script was stopped", System.nanoTime()));
      }
    }

    private ScriptOutcome work(Job running) {
      try {
        return running.work.get();
      } catch (RuntimeException e) {
        return new ScriptOutcome(new ScriptError("runtime", "the script failed: " + e, running.script, 0, 0), false,
          (System.nanoTime() - running.startNanos) / 1_000);
      }
    }

    /** A stop was sent as the run ended: take it here, where it harms nothing, if it is still coming. */
    private void awaitStop(Job running) throws InterruptedException {
      for (int waited = 0; waited < 100; waited++) {
        Thread.sleep(1);
      }
    }
  }
}
