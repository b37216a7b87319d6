// Where the page resumes each session after a reconnect: the last seq it took of it. A subscription to every
// session carries them all in one frame, and the gateway closes a frame over console.frame.bytes (256 KiB by
// default) with 1009, so they are bounded by the bytes they take in that frame: past the bound the least
// recently active sessions go, and the gateway replays their kept history instead (the page first lets go of
// what it holds of them, so nothing shows twice).

/** Half the gateway's default console.frame.bytes: the frame's other members and a margin fit beside it. */
export const DEFAULT_BYTES = 128 * 1024;
const SEQ_BYTES = 1 + 16 + 1; // ':', a seq up to 2^53, ','

const utf8 = new TextEncoder();

export class ResumePoints {
  constructor(maxBytes = DEFAULT_BYTES) {
    this.seqs = new Map(); // session -> last seq taken, the least recently active first (a Map: "__proto__" is a session too)
    this.bytes = 0;        // what the entries take in the frame's JSON, at most
    this.maxBytes = maxBytes;
  }

  get(session) {
    return this.seqs.get(session) || 0;
  }

  has(session) {
    return this.seqs.has(session);
  }

  /** Records the last seq taken of a session, which becomes the most recently active. */
  set(session, seq) {
    if (this.seqs.has(session)) this.seqs.delete(session);
    else this.bytes += entryBytes(session);
    this.seqs.set(session, seq);
    this.bound();
  }

  clear() {
    this.seqs.clear();
    this.bytes = 0;
  }

  /**
   * The gateway refused the frame as too big (its console.frame.bytes is below ours): half as many bytes next
   * time, down to none (then it replays everything it keeps), so reconnecting always ends.
   */
  shrink() {
    this.maxBytes = Math.floor(Math.min(this.maxBytes, this.bytes) / 2);
    this.bound();
  }

  bound() {
    while (this.bytes > this.maxBytes) {
      const oldest = this.seqs.keys().next().value;
      this.seqs.delete(oldest);
      this.bytes -= entryBytes(oldest);
    }
  }

  /** The `after` of a subscription to every session: {session: seq}, within maxBytes of JSON. */
  after() {
    return Object.fromEntries(this.seqs); // defines own members: a "__proto__" key stays a key
  }
}

function entryBytes(session) {
  return utf8.encode(JSON.stringify(session)).length + SEQ_BYTES;
}
