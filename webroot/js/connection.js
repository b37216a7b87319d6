// The console WebSocket: subscribes to what the page shows, resumes after the last seen seq on reconnect,
// backs off exponentially while the gateway is away, and asks for the token when the gateway refuses it.
import { checkConsole, consoleUrl } from './api.js';

const MAX_BACKOFF_MS = 10000;
// The gateway sends a heartbeat every console.heartbeat.seconds (20 by default). Quiet for PROBE_MS, the page
// pings (so a gateway set to send them less often still answers); quiet for DEAD_MS, the link is dead: a
// socket over a vanished network never closes by itself, and the page would say "live" for ever.
const PROBE_MS = 30000;
const DEAD_MS = 45000;
const CHECK_MS = 5000;

export class Connection {
  constructor({ onEvent, onStatus, onProblem, resumeAfter, onTooBig, onRestart, onReplay }) {
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onProblem = onProblem;     // (text or null): what the gateway refused, for the user to read
    this.limits = { probeMs: PROBE_MS, deadMs: DEAD_MS, checkMs: CHECK_MS };
    this.resumeAfter = resumeAfter; // (session) => the subscription's `after`
    this.onTooBig = onTooBig;       // the gateway closed with 1009: our frame was over console.frame.bytes
    this.onRestart = onRestart; // the gateway restarted: its sequence numbers start again
    this.onReplay = onReplay;   // (true) a replay began; (false) none is under way any more: the events between are history
    // sessions subscribed to on this socket whose subscription is not answered yet: each replays history first. A
    // set, not a count: the gateway merges the replies it holds for a page that is slow to read (one `subscribed s`
    // for several subscriptions of s), and a count never came back to 0, the page holding every event after it
    this.replays = new Set();
    this.streamId = null;
    this.subscription = '*'; // the session in view, or '*' for all
    this.backoff = 500;
    this.socket = null;
  }

  open() {
    // a reconnect waiting (retry) is made needless by this one: Replay history asked while offline opened a second
    // socket when its wait ended, which nothing closed and which held one of the gateway's console places
    this.attempt = (this.attempt || 0) + 1;
    clearTimeout(this.retrying);
    this.onStatus('connecting', 'connecting…');
    this.replayed();
    const socket = new WebSocket(consoleUrl());
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      // "live" once the subscription is taken: until then the gateway replays what this page has not seen
      this.onStatus('connecting', 'replaying history…');
    };
    socket.onmessage = (message) => {
      if (socket !== this.socket) return; // one given up (see reconnect): its last frames are not this page's
      this.heard = Date.now();
      this.probed = false;
      this.receive(message.data);
    };
    socket.onclose = (e) => {
      if (socket !== this.socket) return;
      clearInterval(this.watch);
      this.replayed(); // what came of a replay cut short shows
      if (e.code === 1009) this.onTooBig();
      this.retry(opened);
    };
    socket.onerror = () => socket.close();
    this.watchSilence(socket, () => opened);
  }

  /** Gives the connection up and makes it again at once: the gateway then replays what the resume points ask for. */
  reconnect() {
    const old = this.socket;
    this.socket = null; // its close, whenever it comes, is no longer this connection's
    clearInterval(this.watch);
    if (old) old.close(1000, 'replay');
    this.open();
  }

  /** A connection (or a handshake) that stays quiet too long is given up and made again. */
  watchSilence(socket, opened) {
    clearInterval(this.watch);
    this.heard = Date.now();
    this.probed = false;
    this.watch = setInterval(() => {
      const quiet = Date.now() - this.heard;
      if (quiet >= this.limits.deadMs) {
        clearInterval(this.watch);
        this.socket = null; // its close, whenever it comes, is no longer this connection's
        this.replayed();
        socket.close(4000, 'no heartbeat');
        this.retry(opened());
      } else if (quiet >= this.limits.probeMs && !this.probed && socket.readyState === WebSocket.OPEN) {
        this.probed = true;
        socket.send(JSON.stringify({ op: 'ping' }));
      }
    }, this.limits.checkMs);
  }

  /**
   * A handshake that failed: the gateway says why it would refuse one now (a missing or wrong token asks for it), as
   * the handshake's own answer is hidden from the page.
   */
  async retry(opened) {
    const attempt = this.attempt;
    if (!opened) {
      try {
        this.explain(await checkConsole());
      } catch (e) {
        if (!(e instanceof TypeError)) console.warn('console:', e); // a TypeError: the gateway is away
      }
    }
    if (attempt !== this.attempt) return; // connected again meanwhile (Replay history)
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.onStatus('offline', `offline — reconnecting in ${Math.round(wait / 100) / 10} s`);
    this.retrying = setTimeout(() => this.open(), wait);
  }

  /** Shows why the gateway refuses the console, or, when it would take one, why the handshake may have failed. */
  explain({ status, body }) {
    // a node of an older build (a rolling upgrade) has no check: it says nothing about the console
    if (status === 404) return;
    if (status === 200) {
      // once in a row may be a gateway starting up, a place freed meanwhile, or a handshake that hung
      this.refusals = (this.refusals || 0) + 1;
      if (this.refusals >= 2) this.onProblem('The gateway would take the console, yet its WebSocket handshake failed: '
        + 'a proxy between this page and the gateway may not pass WebSockets (Upgrade).');
      return;
    }
    this.refusals = 0;
    const error = body && body.error;
    this.onProblem(error ? `The gateway refused the console connection (${status} ${error.code}): ${error.message}`
      : `The gateway refused the console connection with status ${status}.`);
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!frame.op) {
      this.onEvent(frame);
      return;
    }
    if (frame.op === 'hello') {
      if (this.streamId && this.streamId !== frame.stream) this.onRestart();
      this.streamId = frame.stream;
      this.subscribe(this.subscription);
    }
    // the gateway answers each subscription once its replay is done (subscribed), or refuses it (error: it does not
    // say which frame it refuses, and merges them too, so an error ends the wait for every replay)
    if (frame.op === 'subscribed') this.answered(frame.session);
    if (frame.op === 'error') this.replayed();
    // only a subscription the gateway took ends the backoff: one it refuses (a connection closed right after
    // it opened) must not bring the retries back to every half second
    if (frame.op === 'subscribed') {
      if (frame.session === this.subscription) this.onStatus('live', 'live');
      this.backoff = 500;
      this.refusals = 0;
      this.onProblem(null);
    }
    if (frame.op === 'error') {
      // the link is up and nothing is being replayed: the banner says what was refused ("replaying history…" stayed
      // for good after a refused subscription)
      this.onStatus('live', 'live');
      this.onProblem(`The gateway refused what the page asked: ${frame.message}`);
    }
  }

  /**
   * Follows one session, or '*' for all, replaying what this page has not seen yet. Only the session in view: on a
   * busy gateway a page following every session while it shows one would take (and be dropped) events it never
   * shows; the session list asks the gateway for the others meanwhile (SessionList.followOthers).
   */
  follow(session) {
    const previous = this.subscription;
    this.subscription = session;
    if (this.isOpen()) {
      if (previous !== session) this.send({ op: 'unsubscribe', session: previous });
      this.subscribe(session);
    }
  }


  subscribe(session) {
    this.send({ op: 'subscribe', session, after: this.resumeAfter(session) });
    const wasReplaying = this.replays.size > 0;
    this.replays.add(session);
    if (!wasReplaying && this.onReplay) this.onReplay(true);
  }

  /** A session's subscriptions were answered: once all sessions' are, the replays are done. */
  answered(session) {
    if (this.replays.delete(session) && this.replays.size === 0 && this.onReplay) this.onReplay(false);
  }

  /** No replay is under way any more (the socket is gone or replaced, or the gateway refused a frame). */
  replayed() {
    const wasReplaying = this.replays.size > 0;
    this.replays.clear();
    if (wasReplaying && this.onReplay) this.onReplay(false);
  }

  isOpen() {
    return this.socket && this.socket.readyState === WebSocket.OPEN;
  }

  send(frame) {
    this.socket.send(JSON.stringify(frame));
  }
}
