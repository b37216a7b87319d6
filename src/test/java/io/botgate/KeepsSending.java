package io.botgate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
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
  private final CompletableFuture<Void> sending;

  private KeepsSending(Writes out, long total) {
    sending = CompletableFuture.runAsync(() -> {
      try {
        for (long sent = 0; sent < total && !stopped; sent += 1 << 16) {
          out.write(new byte[1 << 16]);
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
