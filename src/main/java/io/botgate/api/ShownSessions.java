package io.botgate.api;

import io.botgate.JsonText;
import io.botgate.OnLoop;
import io.botgate.events.KnownSecrets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.function.Consumer;

/**
 * A session's state as the API shows it ({@code GET /api/sessions/{id}}, {@code botgate.session.get}): scrubbed of the
 * secrets botgate sent, since the variables may hold what an upstream echoed. The state of a session holding more
 * than {@link OnLoop#MAX_BYTES} ({@code heldBytes}, no walk to learn it) is scrubbed on a worker: a scan of every
 * string of a 5 MB answer and its mapped fields held the event loop 25 to 60 ms.
 */
final class ShownSessions {

  /** Called with the thread that shows a large session, as it begins (for tests). */
  static volatile Consumer<Thread> whileShowing = thread -> { };

  private ShownSessions() {
  }

  /** Whether the state (null: no session) is shown from the event loop, as it is read. */
  static boolean onLoop(JsonObject state) {
    return state == null || state.getLong("heldBytes", 0L) <= OnLoop.MAX_BYTES;
  }

  /** A large state ({@link #onLoop} false) scrubbed and written out as JSON text (a {@link Buffer}), on a worker. */
  static Future<Object> text(Vertx vertx, KnownSecrets secrets, JsonObject state) {
    return vertx.executeBlocking(() -> JsonText.toBuffer(scrubbed(secrets, state)), false);
  }

  /** A large state ({@link #onLoop} false) scrubbed, on a worker. */
  static Future<JsonObject> json(Vertx vertx, KnownSecrets secrets, JsonObject state) {
    return vertx.executeBlocking(() -> scrubbed(secrets, state), false);
  }

  private static JsonObject scrubbed(KnownSecrets secrets, JsonObject state) {
    whileShowing.accept(Thread.currentThread());
    return secrets.scrub(state);
  }
}
