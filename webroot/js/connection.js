// The console WebSocket: subscribes to what the page shows, resumes after the last seen seq on reconnect,
// backs off exponentially while the gateway is away, and asks for the token when the gateway refuses it.
import { consoleUrl, getJson, HttpError } from './api.js';

const MAX_BACKOFF_MS = 10000;

export class Connection {
  constructor({ onEvent, onStatus, resumeAfter, onTooBig, onRestart }) {
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.resumeAfter = resumeAfter; // (session) => the subscription's `after`
    this.onTooBig = onTooBig;       // the gateway closed with 1009: our frame was over console.frame.bytes
    this.onRestart = onRestart; // the gateway restarted: its sequence numbers start again
    this.streamId = null;
    this.subscription = '*';
    this.backoff = 500;
    this.socket = null;
  }

  open() {
    this.onStatus('connecting', 'connecting…');
    const socket = new WebSocket(consoleUrl());
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.onStatus('live', 'live');
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = (e) => {
      if (socket !== this.socket) return;
      if (e.code === 1009) this.onTooBig();
      this.retry(opened);
    };
    socket.onerror = () => socket.close();
  }

  /** A handshake that failed may be a refused token: ask the API, which prompts for one on a 401. */
  async retry(opened) {
    if (!opened) {
      try {
        await getJson('/api/integrations');
      } catch (e) {
        if (!(e instanceof HttpError) && !(e instanceof TypeError)) console.warn('console:', e);
      }
    }
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.onStatus('offline', `offline — reconnecting in ${Math.round(wait / 100) / 10} s`);
    setTimeout(() => this.open(), wait);
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
    // only a subscription the gateway took ends the backoff: one it refuses (a connection closed right after
    // it opened) must not bring the retries back to every half second
    if (frame.op === 'subscribed') this.backoff = 500;
    if (frame.op === 'error') console.warn('console:', frame.message);
  }

  /** Follows one session, or '*' for all, replaying what this page has not seen yet. */
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
  }

  isOpen() {
    return this.socket && this.socket.readyState === WebSocket.OPEN;
  }

  send(frame) {
    this.socket.send(JSON.stringify(frame));
  }
}
