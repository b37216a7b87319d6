package io.botgate.script;

import io.botgate.events.DebugStream;
import io.botgate.events.Transcript;
import io.botgate.session.RequestScope;
import io.botgate.session.Session;
import io.botgate.session.LocalSessionStore;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/** A session, a request scope and a transcript to run scripts against without a server. */
final class ScriptFixture {

  final LocalSessionStore sessions = new LocalSessionStore(60_000, 20, System::currentTimeMillis);
  final DebugStream stream = new DebugStream(null, 1000, 200_000, 60_000, System::currentTimeMillis);

  final class Run {
    final Session session;
    final RequestScope scope;
    final Transcript transcript;
    final BotContext bot;

    Run(String sessionId, JsonObject variables, String userMessage) {
      session = sessions.open(sessionId);
      scope = new RequestScope(session, variables, null, userMessage);
      transcript = new Transcript(stream, sessionId);
      bot = new BotContext(scope, transcript, Map.of("REGION", "eu", "PARTNER_SECRET", "Zq9Kx7Lm3Np"), "script", false);
    }
  }

  Run run(String session) {
    return new Run(session, null, null);
  }
}
