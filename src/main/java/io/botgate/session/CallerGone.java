package io.botgate.session;

import io.botgate.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A request whose caller closed its connection while it waited for its session's turn is not run, as nginx sends
 * nothing upstream for a client gone: run anyway, a bot runtime's timed-out call ran beside the retry it sent next,
 * its side effects twice. A caller watched ({@link #watch}) leaves the session's line at once as it closes: its
 * request no longer takes a place toward {@code session.queue}, and its turn never begins; one that closes just as
 * its turn comes is refused by the turn itself ({@link #refusal}). Either way the session's console says it was
 * dropped ({@link RefusalEvents}).
 */
public final class CallerGone {

  /** nginx's "client closed request": what the access log and the meters show, since no one reads the answer. */
  public static final int STATUS = 499;

  private CallerGone() {
  }

  /** The refusal of {@code what} (an integration, a script), shown in the session's console as a refusal. */
  public static GatewayError refusal(String what) {
    return new GatewayError(STATUS, "caller_gone", what + " not run: its caller closed the connection while it waited "
      + "for the session's turn");
  }

  /** What fails when a watched caller closes its connection ({@link Watch}), made when asked; null for any other check. */
  static Supplier<Future<?>> leaving(BooleanSupplier callerGone) {
    return callerGone instanceof Watch watch ? watch : null;
  }

  /**
   * A caller that may close its connection while its request waits: {@link #getAsBoolean} tells whether it has (asked
   * when the turn comes), and {@link #onClose} is asked only by a turn that has to wait ({@link #leaving}), so a
   * request taking its turn at once, the usual one, registers nothing. A turn given this ({@link
   * SessionStore#turn(String, BooleanSupplier, java.util.function.Function)}) that waits leaves its session's line as
   * the caller closes, failed with the {@link #refusal} of {@code kind} and {@code name} (null for none). One object a
   * request: the transport's side (the HTTP routes') extends it.
   */
  public abstract static class Watch implements BooleanSupplier, Supplier<Future<?>> {

    private final String kind;
    private final String name;
    /** Made on the request's event loop, where its turn is asked for. */
    private Future<?> left;

    protected Watch(String kind, String name) {
      this.kind = kind;
      this.name = name;
    }

    /** Runs {@code gone} once the caller has closed its connection, at once if it has already. */
    protected abstract void onClose(Runnable gone);

    @Override
    public final Future<?> get() {
      if (left == null) {
        Promise<Void> leaving = Promise.promise();
        left = leaving.future();
        onClose(() -> leaving.tryFail(refusal(name == null ? kind : kind + " " + name)));
      }
      return left;
    }
  }
}
