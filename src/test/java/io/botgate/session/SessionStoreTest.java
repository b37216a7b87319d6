package io.botgate.session;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class SessionStoreTest {

  @Test
  void shouldExpireOnlySessionsIdlePastTheIdleTime() {
    AtomicLong now = new AtomicLong(0);
    SessionStore store = new SessionStore(60_000, 20, now::get);
    store.open("old");
    now.set(30_000);
    store.open("young");
    now.set(61_000);
    assertThat(store.expireIdle()).isEqualTo(1);
    assertThat(store.find("old")).isEmpty();
    assertThat(store.find("young")).isPresent();
  }

  @Test
  void shouldReadRequestScopeBeforeSessionScope() {
    SessionStore store = new SessionStore(60_000, 20, System::currentTimeMillis);
    Session session = store.open("s");
    session.setVariable("x", "session");
    RequestScope request = new RequestScope(session, new io.vertx.core.json.JsonObject().put("x", "request"), null, null);
    assertThat(request.variable("x")).isEqualTo("request");
    request.setVariable("y", "kept", true);
    assertThat(new RequestScope(session, null, null, null).variable("y")).isEqualTo("kept");
    assertThat(new RequestScope(session, null, null, null).variable("x")).isEqualTo("session");
    assertThat(request.variable("unset")).isNull();
  }
}
