package io.botgate.session;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * All sessions of this node, created on first use and forgotten after an idle time (CB's session
 * length, one hour, by default).
 */
public final class SessionStore {

  public static final int DEFAULT_HISTORY = 20;

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final long idleMillis;
  private final int historySize;
  private final LongSupplier clock;

  public SessionStore(long idleMillis, int historySize, LongSupplier clock) {
    this.idleMillis = idleMillis;
    this.historySize = historySize;
    this.clock = clock;
  }

  /** The session with this id, created when it does not exist yet; either way it counts as activity. */
  public Session open(String id) {
    long now = clock.getAsLong();
    Session session = sessions.computeIfAbsent(id, key -> new Session(key, historySize, now));
    session.touch(now);
    return session;
  }

  public Optional<Session> find(String id) {
    return Optional.ofNullable(sessions.get(id));
  }

  public boolean reset(String id) {
    return sessions.remove(id) != null;
  }

  public Collection<Session> all() {
    return sessions.values();
  }

  /** Drops sessions idle for longer than the idle time; returns how many went. */
  public int expireIdle() {
    long cutoff = clock.getAsLong() - idleMillis;
    int before = sessions.size();
    sessions.values().removeIf(s -> s.lastActivity() < cutoff);
    return before - sessions.size();
  }

  public int size() {
    return sessions.size();
  }
}
