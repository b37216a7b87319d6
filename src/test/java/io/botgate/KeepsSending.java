package io.botgate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A client that goes on writing in the background (the rest of a refused frame, say) while the test reads
 * what the gateway answers: a write that fails before {@link #stop} fails the test there, as a reset would.
 */
public final class KeepsSending {

  /** Writes the given bytes somewhere (a socket's output). */
  public interface Writes {
    void write(byte[] bytes) throws IOException;
  }

  private volatile boolean stopped;
  private volatile long sent;
  private final CompletableFuture<Void> sending;

  private KeepsSending(Writes out, long total) {
    sending = CompletableFuture.runAsync(() -> {
      try {
        while (sent < total && !stopped) {
          out.write(new byte[1 << 16]);
          sent += 1 << 16;
        }
      } catch (IOException e) {
        if (!stopped) {
          throw new UncheckedIOException(e);
        }
      }
    });
  }

  /** Starts writing {@code total} zero bytes, 64 KiB at a time. */
  public static KeepsSending start(Writes out, long total) {
    return new KeepsSending(out, total);
  }

  /** Waits until a write fails (the gateway has closed the connection) and tells how many bytes went before. */
  public long sentUntilCut() throws Exception {
    try {
      sending.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return sent;
    }
    throw new AssertionError("the gateway took every byte (" + sent + ") without closing the connection");
  }

  /**
   * Stops writing: {@code close} ends the connection (whatever the write in progress then meets is not a
   * failure); throws if a write failed before.
   */
  public void stop(AutoCloseable close) throws Exception {
    stopped = true;
    close.close();
    sending.get(60, TimeUnit.SECONDS);
  }
}
