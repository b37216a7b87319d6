// The console WebSocket: subscribes to what the page shows, resumes after the last seen seq on reconnect,
// backs off exponentially while the gateway is away.
import { consoleUrl } from './api.js';

const MAX_BACKOFF_MS = 10000;

export class Connection {
  constructor({ onEvent, onStatus, lastSeqs, onRestart }) {
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.lastSeqs = lastSeqs;   // () => {session: seq}
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
    socket.onopen = () => {
      this.backoff = 500;
      this.onStatus('live', 'live');
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = () => this.retry(socket);
    socket.onerror = () => socket.close();
  }

  retry(socket) {
    if (socket !== this.socket) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.onStatus('offline', `offline — reconnecting in ${Math.round(wait / 1000 * 10) / 10} s`);
    setTimeout(() => this.open(), wait);
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.op === 'hello') {
      if (this.streamId && this.streamId !== frame.stream) this.onRestart();
      this.streamId = frame.stream;
      this.subscribe(this.subscription);
    }
    if (frame.op === 'error') console.warn('console:', frame.message);
    if (!frame.op) this.onEvent(frame);
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
    const seen = this.lastSeqs();
    const after = session === '*' ? seen : (seen[session] || 0);
    this.send({ op: 'subscribe', session, after });
  }

  isOpen() {
    return this.socket && this.socket.readyState === WebSocket.OPEN;
  }

  send(frame) {
    this.socket.send(JSON.stringify(frame));
  }
}
