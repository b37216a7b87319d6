// The order a replayed history shows in. The gateway replays it session by session (each session's events in seq
// order, one session after another), so taken as it comes the all-sessions view would end with the last session
// replayed rather than with the newest event. Merged by the events' times, it reads as it happened.

/**
 * The events in the order they happened: each session's own in the order they came (its seq order), the sessions
 * interleaved by their events' `ts`. A session whose times go back (nodes whose clocks differ) keeps its order: an
 * event never counts as older than the one before it in its session. A notice without seq (a gap, a count of
 * dropped events) carries the time it was sent, not of the events it stands for: it takes its place from them,
 * the next event of its session (else the one before). Events of the same time keep the order they came in.
 */
export function inTimeOrder(events) {
  const keys = new Float64Array(events.length);
  const latest = new Map();  // session -> the key of its latest event so far
  const waiting = new Map(); // session -> indexes of its notices that wait for the time of its next event
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const session = event.session || '';
    const at = event.seq === undefined ? NaN : Date.parse(event.ts);
    const before = latest.has(session) ? latest.get(session) : -Infinity;
    if (Number.isNaN(at)) {
      if (latest.has(session)) keys[i] = before;
      else if (waiting.has(session)) waiting.get(session).push(i);
      else waiting.set(session, [i]);
      continue;
    }
    keys[i] = Math.max(at, before);
    latest.set(session, keys[i]);
    const notices = waiting.get(session);
    if (notices) {
      for (const n of notices) keys[n] = keys[i];
      waiting.delete(session);
    }
  }
  // notices of a session with no event of its own: at their own time, else last
  for (const notices of waiting.values()) {
    for (const n of notices) {
      const at = Date.parse(events[n].ts);
      keys[n] = Number.isNaN(at) ? Infinity : at;
    }
  }
  const order = Array.from(events, (_, i) => i);
  order.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  return order.map(i => events[i]);
}
