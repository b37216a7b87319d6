package io.botgate.session;

import io.botgate.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.BooleanSupplier;

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

  /**
   * Whether the caller closed its connection, told at once as {@code closed} completes: a turn given this
   * ({@link SessionStore#turn(String, BooleanSupplier, java.util.function.Function)}) then leaves its session's line,
   * failed with the {@link #refusal} of {@code what}.
   */
  public static BooleanSupplier watch(Future<?> closed, String what) {
    Promise<Void> left = Promise.promise();
    closed.onComplete(done -> left.tryFail(refusal(what)));
    return new Watch(left.future());
  }

  /** What fails when a watched caller closes its connection ({@link #watch}); null for any other check. */
  static Future<?> leaving(BooleanSupplier callerGone) {
    return callerGone instanceof Watch watch ? watch.left : null;
  }

  /** A caller watched: gone once {@code left} has failed. */
  private record Watch(Future<Void> left) implements BooleanSupplier {
    @Override
    public boolean getAsBoolean() {
      return left.failed();
    }
  }
}
