// The event stream: a buffer of up to MAX_EVENTS events and about MAX_CHARS characters, filtered by session,
// level and search, shown as a virtualized list (only the rows in view exist in the page). Events arriving from the socket are queued
// and added once per animation frame, so a burst of thousands costs one layout, not thousands. Rows that
// leave the view are kept for reuse: following a fast stream replaces every row at each frame, and refilling
// a row's texts costs less than building a new one.
import { details } from './details.js';
import { keptEvent, startOf } from './export.js';
import { hold } from './held.js';
import { inTimeOrder } from './replay.js';
import { ResumePoints } from './resume.js';
import { plainText, showText, shownText } from './visible.js';

export const MAX_EVENTS = 100000;
/** What the held events may take in all, about: 64 Mi characters (each one cut at 16 KiB, see held.js). */
export const MAX_CHARS = 64 * 1024 * 1024;
/** Events queued for the next frame at most, a quarter more than the buffer holds (they are let go in bulk). */
export const MAX_QUEUED = MAX_EVENTS + MAX_EVENTS / 4;
const LEVELS = ['debug', 'info', 'warn', 'error'];
const OVERSCAN = 6;           // rows rendered beyond each edge of the view
const SPARE_ROWS = 200;       // collapsed rows kept for reuse once out of view
const FRAME_BUDGET_MS = 8;    // time a frame spends adding events; the rest wait for the next one
const BOTTOM_SLACK = 4;       // px: closer than this to the end counts as following
/** Sessions whose CB interaction run the page marks at most: a run whose finish never came (dropped, trimmed) leaves. */
export const MAX_RUNNING = 1000;
/**
 * How long after its start an interaction run's events are still grouped, by the events' times: far past any run's
 * scripts and integration deadline, so a run whose finish never came stops claiming the session's later events.
 */
export const RUNNING_MS = 10 * 60 * 1000;

export class StreamView {
  constructor({ container, spacer, empty, levels, onlyErrors, search, pause, clear, jump, notice, noticeText, replay, onAdded,
    onReplay }) {
    Object.assign(this, { container, spacer, empty, levels, onlyErrors, search, pause, clear, jump, notice, noticeText,
      replay, onAdded, onReplay });
    this.rowHeight = parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--row')) || 22;
    this.events = [];          // every kept event, in arrival order
    this.heldChars = 0;        // what they take, about (event._size each)
    this.maxChars = MAX_CHARS;
    this.shown = [];           // the events that pass the filters, in arrival order
    this.arrived = 0;          // arrival number of the next event (event._n)
    this.queue = [];
    this.fromReplay = null;    // the events of a replay under way, shown in time order once it ends (see replaying)
    this.resume = new ResumePoints();
    this.run = 0;              // the gateway's run the events are from: it counts up at each restart
    this.running = new Map();  // session -> {label, at}: the CB interaction whose run is streaming, oldest first (see group)
    this.selection = '*';
    this.hidden = new Set();
    this.errorsOnly = false;
    this.query = null;         // the search as a case-blind RegExp: no lowercase copy of every text is made
    this.paused = false;
    this.pausedAt = 0;         // arrival number of the first event after Pause: the view holds those before it
    this.pending = 0;          // events after Pause that pass the filters, shown on Resume
    this.following = true;
    this.unseen = 0;
    this.trimmed = 0;
    this.missed = 0;           // events the gateway could not send this page (its dropped notices), until a replay
    this.counts = new Map();   // session -> per-level counts; '' holds notices
    this.total = zeroCounts();
    this.expanded = new Map(); // event -> measured height of its expanded row
    this.whole = new Map();    // cut event with an open row -> the whole event from the gateway, PENDING or null
    this.rows = new Map();     // event -> its row element, for the rows in view
    this.spare = [];           // collapsed row elements out of the page, for reuse
    this.scheduled = false;
    this.stats = { received: 0, shown: 0, frames: 0 };
    this.wire();
  }

  wire() {
    for (const button of this.levels.querySelectorAll('[data-level]')) {
      button.addEventListener('click', () => {
        const level = button.dataset.level;
        if (this.hidden.has(level)) this.hidden.delete(level); else this.hidden.add(level);
        button.classList.toggle('on', !this.hidden.has(level));
        this.refilter();
      });
    }
    this.onlyErrors.addEventListener('click', () => {
      this.errorsOnly = !this.errorsOnly;
      this.onlyErrors.setAttribute('aria-pressed', String(this.errorsOnly));
      this.refilter();
    });
    this.replay.addEventListener('click', () => this.onReplay());
    let typing = null;
    this.search.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        const text = this.search.value.trim();
        this.query = text ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : null;
        this.refilter();
      }, 120);
    });
    this.pause.addEventListener('click', () => this.setPaused(!this.paused));
    this.clear.addEventListener('click', () => this.clearAll());
    this.container.addEventListener('scroll', () => this.onScroll());
    // one listener for every row's line, rather than two per row built
    this.container.addEventListener('click', (e) => {
      const event = this.eventOfLine(e.target);
      if (event) this.toggle(event);
    });
    this.container.addEventListener('keydown', (e) => {
      const event = (e.key === 'Enter' || e.key === ' ') && this.eventOfLine(e.target);
      if (event) {
        e.preventDefault();
        this.toggle(event);
      }
    });
    this.jump.addEventListener('click', () => this.toLive());
    new ResizeObserver(() => this.layout()).observe(this.container);
  }

  /**
   * Queues one event from the server; it shows with the next frame. A tab that gets no frames (hidden, its timers
   * throttled to one a second or a minute) still reads every message: past MAX_QUEUED the oldest queued are let
   * go at once, as the trim would let them go on arrival, so the page holds a bounded number of events however
   * long it is hidden.
   */
  add(event) {
    event._run = this.run; // the run it came from, were the gateway to restart before it is shown
    this.stats.received++;
    if (this.fromReplay) {
      this.fromReplay.push(event);
      if (this.fromReplay.length >= MAX_QUEUED) this.passOverReplayed();
      return;
    }
    this.queue.push(event);
    if (this.queue.length >= MAX_QUEUED) this.passOver(this.queue.length - MAX_EVENTS);
    this.schedule();
  }

  /**
   * A replay began (true), or every replay asked for ended (false). The gateway replays its history session by
   * session: what arrives meanwhile waits, and shows once the replay is done, in the order it happened (see
   * inTimeOrder), the newest at the end; the live events the gateway holds back until then come after it.
   */
  replaying(on) {
    if (on) {
      if (!this.fromReplay) this.fromReplay = [];
      return;
    }
    if (!this.fromReplay) return;
    const replayed = inTimeOrder(this.fromReplay);
    this.fromReplay = null;
    this.queue = this.queue.length ? this.queue.concat(replayed) : replayed;
    if (this.queue.length >= MAX_QUEUED) this.passOver(this.queue.length - MAX_EVENTS);
    this.schedule();
  }

  /** Bounds a replay under way as the queue is bounded: lets go of its oldest events, by time, as trimmed. */
  passOverReplayed() {
    const replayed = inTimeOrder(this.fromReplay);
    this.fromReplay = replayed.slice(replayed.length - MAX_EVENTS);
    this.trimmed += this.letGo(replayed.slice(0, replayed.length - MAX_EVENTS));
  }

  /** Lets go of the oldest queued events, as trimmed: newer ones fill the buffer whole. */
  passOver(count) {
    this.trimmed += this.letGo(this.queue.splice(0, count));
  }

  /**
   * Takes events without holding them: they still move the resume points on, mark interaction runs, and tell the
   * session list their sessions were active. Answers how many were new.
   */
  letGo(events) {
    const taken = [];
    for (const event of events) {
      if (!this.fresh(event)) continue;
      this.group(event);
      taken.push(event);
    }
    if (taken.length && this.onAdded) this.onAdded(taken);
    return taken.length;
  }

  /**
   * Whether an event is new to the page (a replay may repeat what it took); if so, its seq is taken as seen. One of an
   * earlier run, still queued when the gateway restarted, is new, and its seq says nothing of the new run's.
   */
  fresh(event) {
    // the gateway's word that this console missed events: it has no seq, and the history still holds them
    if (event.kind === 'dropped' && event.seq === undefined && event.data) this.missed += Number(event.data.count) || 0;
    if (event._run !== this.run) return true;
    if (event.seq !== undefined && event.session !== undefined) {
      if (event.seq <= this.resume.get(event.session)) return false;
      this.resume.set(event.session, event.seq);
    } else if (event.kind === 'gap' && event.session && event.data) {
      // events no node holds any more: shown once, and a reconnect resumes after them
      if (event.data.to <= this.resume.get(event.session)) return false;
      this.resume.set(event.session, event.data.to);
    }
    return true;
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      if (!this.scheduled) return;
      this.scheduled = false;
      clearTimeout(timer);
      this.flush();
    };
    // a hidden tab gets no animation frames: the timer keeps the queue from growing meanwhile
    const timer = setTimeout(run, 250);
    requestAnimationFrame(run);
  }

  /** Adds the queued events: dedupes by seq, counts, filters, trims, then draws once. */
  flush() {
    // a page that fell behind (a starved tab, a backlog of socket messages) catches up over several frames
    // rather than in one task that holds the page
    const started = performance.now();
    const batch = this.queue;
    let taken = 0;
    const accepted = [];
    let visible = 0;
    while (taken < batch.length) {
      if ((taken & 255) === 255 && performance.now() - started > FRAME_BUDGET_MS) break;
      const event = batch[taken++];
      if (!this.fresh(event)) continue;
      event._n = this.arrived++;
      event._size = hold(event);
      this.heldChars += event._size;
      this.group(event);
      this.events.push(event);
      this.count(event, 1);
      accepted.push(event);
      if (this.visible(event)) {
        if (this.paused) this.pending++;
        else {
          this.shown.push(event);
          visible++;
        }
      }
    }
    this.queue = taken === batch.length ? [] : batch.slice(taken);
    this.trim();
    if (!this.following) this.unseen += visible;
    this.stats.shown += visible;
    this.stats.frames++;
    if (accepted.length && this.onAdded) this.onAdded(accepted);
    this.updateCounts();
    this.updatePause();
    this.updateNotice();
    this.layout();
    if (this.queue.length) this.schedule();
  }

  /**
   * Keeps the newest MAX_EVENTS, within maxChars (the newest event always); rows removed above the view shift it
   * up by their height.
   */
  trim() {
    let excess = Math.max(0, this.events.length - MAX_EVENTS);
    let chars = this.heldChars;
    for (let i = 0; i < excess; i++) chars -= this.events[i]._size;
    while (chars > this.maxChars && excess < this.events.length - 1) chars -= this.events[excess++]._size;
    if (excess <= 0) return;
    const gone = this.events.splice(0, excess);
    this.heldChars = chars;
    for (const event of gone) {
      this.count(event, -1);
      if (!this.held(event) && this.visible(event)) this.pending--;
    }
    this.trimmed += excess;
    const cutoff = gone[gone.length - 1]._n;
    const drop = firstAfter(this.shown, cutoff);
    if (drop > 0) {
      const height = this.offsetOf(drop);
      this.shown.splice(0, drop);
      if (!this.following) this.container.scrollTop -= height;
    }
    for (const event of gone) this.forget(event); // after the height above, which counts their open rows
  }

  /** An event's row is no longer open. */
  forget(event) {
    this.expanded.delete(event);
    this.whole.delete(event);
  }

  count(event, delta) {
    const session = event.session || '';
    let counts = this.counts.get(session);
    if (!counts) this.counts.set(session, counts = zeroCounts());
    if (event.level in counts) {
      counts[event.level] += delta;
      this.total[event.level] += delta;
    }
    if (delta < 0 && session && LEVELS.every(l => counts[l] === 0)) this.counts.delete(session);
  }

  /** The gateway restarted: numbering starts again, so forget the numbers and mark the place in every view. */
  restarted() {
    this.resume.clear();
    this.run++;
    const at = new Date().toISOString();
    this.add({ kind: 'warning', level: 'warn', ts: at, session: '',
      text: 'The gateway restarted: what follows is from the new run.' });
    this.restartedAt = at;
    this.updateNotice();
  }

  /**
   * Where a subscription to a session ('*' for all) resumes. What the page holds of sessions it can no longer
   * resume (their resume points went past the bound) is let go first: the gateway replays it.
   */
  resumeAfter(session) {
    const lost = (e) => e._run === this.run && e.session && !this.resume.has(e.session)
      && (session === '*' || e.session === session);
    if (this.events.some(lost)) this.remove(lost);
    return session === '*' ? this.resume.after() : this.resume.get(session);
  }

  /** Takes events out of the buffer, as if they had never arrived. */
  remove(predicate) {
    const kept = [];
    for (const event of this.events) {
      if (!predicate(event)) kept.push(event);
      else {
        this.count(event, -1);
        this.heldChars -= event._size;
        this.forget(event);
      }
    }
    this.events = kept;
    this.refilter();
  }

  select(session) {
    this.selection = session;
    this.refilter();
  }

  /** Paused, the view holds what had arrived; what arrives meanwhile waits for Resume. */
  setPaused(paused) {
    this.paused = paused;
    this.pausedAt = this.arrived;
    if (paused) {
      this.pending = 0;
      this.updatePause();
    } else {
      this.refilter();
    }
  }

  clearAll() {
    // what arrived before the click and waits for the next frame, or for the end of its replay, goes too
    this.letGo(this.queue);
    this.queue = [];
    if (this.fromReplay) {
      this.letGo(inTimeOrder(this.fromReplay));
      this.fromReplay = [];
    }
    this.events = [];
    this.shown = [];
    this.pausedAt = this.arrived;
    this.pending = 0;
    this.counts = new Map();
    this.total = zeroCounts();
    this.heldChars = 0;
    this.expanded.clear();
    this.whole.clear();
    this.trimmed = 0;
    this.missed = 0;
    this.unseen = 0;
    this.updateCounts();
    this.updatePause();
    this.updateNotice();
    this.layout();
  }

  /**
   * Forgets every event and where each session stands, before the connection is made again and the gateway replays
   * the history it keeps: what this page missed then shows in place, nothing twice.
   */
  reset() {
    this.queue = []; // nothing to let go of (see clearAll): the resume points are forgotten anyway
    this.fromReplay = null;
    this.resume.clear();
    this.running.clear();
    this.clearAll();
  }

  toLive() {
    this.following = true;
    this.unseen = 0;
    this.updateJump();
    this.container.scrollTop = this.end();
  }

  onScroll() {
    const c = this.container;
    const atBottom = c.scrollHeight - c.scrollTop - c.clientHeight < BOTTOM_SLACK;
    if (atBottom !== this.following) {
      this.following = atBottom;
      if (atBottom) this.unseen = 0;
      this.updateJump();
    }
    this.render();
  }

  inSelection(event) {
    return this.selection === '*' || !event.session || event.session === this.selection;
  }

  visible(event) {
    if (!this.inSelection(event) || this.hidden.has(event.level)) return false;
    if (this.errorsOnly && !isError(event)) return false;
    const q = this.query;
    // a hidden character is searched as it shows, by its code point (U+202E), as well as by itself; a text without
    // one shows as it is, and is not searched twice
    return !q || q.test(event.text || '') || q.test(event.kind || '') || q.test(event.session || '') || q.test(event.level || '')
      || shownDiffers(q, event.text || '', shownText(event.text)) || shownDiffers(q, event.session || '', shownText(event.session, true));
  }

  /** Whether the event is one the view holds: any while live; while paused, one that arrived before Pause. */
  held(event) {
    return !this.paused || event._n < this.pausedAt;
  }

  /**
   * Filters the whole buffer again (a filter or the selection changed), keeping the bottom in view. Paused,
   * the filters apply to what the view held at Pause, and what came after is counted for Resume.
   */
  refilter() {
    const shown = [];
    let pending = 0;
    for (const event of this.events) {
      if (!this.visible(event)) continue;
      if (this.held(event)) shown.push(event); else pending++;
    }
    this.shown = shown;
    this.pending = pending;
    this.updatePause();
    for (const event of this.expanded.keys()) if (!this.visible(event)) this.forget(event);
    this.following = true;
    this.unseen = 0;
    this.updateJump();
    this.updateCounts();
    this.layout();
  }

  /** Events of the session in view (all kept events for '*'). */
  eventsInView() {
    return this.events.filter(e => this.inSelection(e));
  }

  // ---- geometry: collapsed rows are rowHeight tall; expanded rows are measured ----

  expandedIndexes() {
    const list = [];
    for (const [event, height] of this.expanded) {
      const index = indexOf(this.shown, event._n);
      if (index >= 0) list.push({ index, extra: height - this.rowHeight, height });
    }
    return list.sort((a, b) => a.index - b.index);
  }

  offsetOf(index, expanded = this.expandedIndexes()) {
    let y = index * this.rowHeight;
    for (const e of expanded) if (e.index < index) y += e.extra;
    return y;
  }

  indexAt(y, expanded) {
    let extra = 0;
    for (const e of expanded) {
      const top = e.index * this.rowHeight + extra;
      if (y < top) break;
      if (y < top + e.height) return e.index;
      extra += e.extra;
    }
    return Math.floor((y - extra) / this.rowHeight);
  }

  /**
   * Sizes the list to its content and, when following, scrolls to the newest row. The end is the spacer's, not the
   * stream's scrollHeight: the rows drawn for a longer list (before a filter or a trim shortened it) are still placed
   * below the new end until render() takes them out: scrolled to, they would leave the view without a row until the
   * next frame.
   */
  layout() {
    const expanded = this.expandedIndexes();
    const height = this.shown.length * this.rowHeight + expanded.reduce((sum, e) => sum + e.extra, 0);
    this.spacer.style.height = `${height}px`;
    this.updateEmpty();
    if (this.following) this.container.scrollTop = this.end();
    this.render(expanded);
  }

  /** The scroll position that shows the newest row at the bottom of the view. */
  end() {
    return Math.max(0, this.spacer.offsetTop + this.spacer.offsetHeight - this.container.clientHeight);
  }

  /** Puts in the page the rows in view, and only those. */
  render(expanded = this.expandedIndexes()) {
    const top = this.container.scrollTop;
    const first = Math.max(0, this.indexAt(top, expanded) - OVERSCAN);
    const last = Math.min(this.shown.length - 1, this.indexAt(top + this.container.clientHeight, expanded) + OVERSCAN);
    const keep = new Set();
    for (let i = first; i <= last; i++) keep.add(this.shown[i]);
    for (const [event, row] of this.rows) {
      if (!keep.has(event)) {
        if (this.resizeWatch && this.expanded.has(event)) this.resizeWatch.unobserve(row);
        row.remove();
        this.rows.delete(event);
        if (!this.expanded.has(event) && row.childElementCount === 1 && this.spare.length < SPARE_ROWS) this.spare.push(row);
      }
    }
    let remeasure = false;
    let previous = null;
    for (let i = first; i <= last; i++) {
      const event = this.shown[i];
      let row = this.rows.get(event);
      const fresh = !row;
      if (fresh) {
        row = this.row(event);
        this.rows.set(event, row);
      }
      // rows stay in the page in the order they show, for reading and for assistive technology
      const expected = previous ? previous.nextSibling : this.spacer.firstChild;
      if (row !== expected) this.spacer.insertBefore(row, expected);
      if (fresh && this.expanded.has(event)) remeasure = this.measure(event, row) || remeasure;
      const y = `${this.offsetOf(i, expanded)}px`;
      if (row.style.top !== y) row.style.top = y;
      previous = row;
    }
    if (remeasure) this.layout();
  }

  /**
   * Marks the events of a CB interaction run (between its start and finish events) as one group. A run whose finish
   * never reaches the page (dropped, cut from the history, its node gone) ends RUNNING_MS after its start, or when
   * MAX_RUNNING later runs started, so the map stays bounded.
   */
  group(event) {
    const d = event.data || {};
    const session = event.session || '';
    const at = Date.parse(event.ts);
    if (d.interaction && d.phase === 'start') {
      this.running.delete(session); // at the end again: the map stays in order of the runs' starts
      this.running.set(session, { label: `${d.bot} / ${d.interaction}`, at });
      this.pruneRunning(at);
    }
    const run = this.running.get(session);
    if (run) {
      if (at - run.at > RUNNING_MS) this.running.delete(session);
      else event._group = run.label;
    }
    if (d.interaction && d.phase === 'finish') this.running.delete(session);
  }

  /** Lets go of the runs started more than RUNNING_MS before `now`, and of the oldest past MAX_RUNNING. */
  pruneRunning(now) {
    for (const [session, run] of this.running) {
      if (this.running.size <= MAX_RUNNING && !(now - run.at > RUNNING_MS)) break;
      this.running.delete(session);
    }
  }

  row(event) {
    const spare = this.expanded.has(event) ? null : this.spare.pop();
    const row = spare || this.newRow();
    row._event = event;
    let className = `row level-${event.level} kind-${event.kind}`;
    if (event._group) {
      className += ' in-group';
      const phase = event.data && event.data.interaction && event.data.phase;
      if (phase === 'start' || phase === 'finish') className += ` group-${phase}`;
      row.title = `interaction ${event._group}`;
    } else if (spare) {
      row.removeAttribute('title');
    }
    row.className = className;
    if (event.seq !== undefined) row.dataset.seq = event.seq; else delete row.dataset.seq;
    row.dataset.session = event.session || '';
    const [time, session, kind, text] = row.firstChild.children;
    time.textContent = formatTime(event.ts);
    showText(session, event.session, true);       // always text, never HTML; what does not show, marked
    session.title = plainText(event.session, true);
    kind.textContent = event.kind;
    showText(text, event.text);
    text.title = plainText(event.text);
    if (this.expanded.has(event)) this.open(event, row);
    return row;
  }

  newRow() {
    const row = document.createElement('div');
    const line = document.createElement('div');
    line.className = 'line';
    line.tabIndex = 0;
    line.title = 'Click for details';
    line.append(cell('time'), cell('session'), cell('kind'), cell('text'));
    row.append(line);
    return row;
  }

  /** The event whose row's line (not its details) holds this element, if any. */
  eventOfLine(target) {
    const line = target.closest && target.closest('.line');
    const row = line && line.parentElement;
    return row && row.parentElement === this.spacer && row.firstChild === line ? row._event : null;
  }

  open(event, row) {
    row.classList.add('expanded');
    const whole = this.whole.get(event);
    const full = whole && whole !== PENDING ? whole : null;
    const box = details(full || event, {
      next: (predicate) => this.nextOf(event, predicate),
      start: () => startOf(this.events, indexOf(this.events, event._n)),
    });
    if (event._cut && !full) box.prepend(cutNote(event, whole));
    row.append(box);
    if (event._cut && !this.whole.has(event)) this.fetchWhole(event);
  }

  /** A cut event's row opened: its details are drawn again from the whole event, if the gateway still keeps it. */
  async fetchWhole(event) {
    this.whole.set(event, PENDING);
    // an event of a run before the gateway restarted: its seq now names another event of the new run
    const whole = event.seq === undefined || event._run !== this.run ? null
      : await keptEvent(event.session, event.seq).catch(() => null);
    if (this.whole.get(event) !== PENDING) return; // closed meanwhile
    this.whole.set(event, whole);
    const row = this.rows.get(event);
    if (!row || !this.expanded.has(event)) return;
    while (row.childElementCount > 1) row.lastElementChild.remove();
    this.open(event, row);
  }

  /** Whether the measured height of an expanded row changed. */
  measure(event, row) {
    const height = row.offsetHeight;
    if (this.expanded.get(event) === height) return false;
    this.expanded.set(event, height);
    if (!this.resizeWatch) {
      // a row grows when a JSON tree inside it is opened: measure again and lay the list out anew
      this.resizeWatch = new ResizeObserver(entries => {
        let changed = false;
        for (const entry of entries) {
          const ev = entry.target._event;
          if (ev && this.expanded.has(ev) && entry.target.isConnected) changed = this.measure(ev, entry.target) || changed;
        }
        if (changed) this.layout();
      });
    }
    row._event = event;
    this.resizeWatch.observe(row);
    return true;
  }

  toggle(event) {
    const row = this.rows.get(event);
    const wasFollowing = this.following;
    if (this.expanded.has(event)) {
      this.forget(event);
      // collapsed in place rather than replaced: the line keeps the keyboard focus
      if (row) {
        if (this.resizeWatch) this.resizeWatch.unobserve(row);
        row.classList.remove('expanded');
        while (row.childElementCount > 1) row.lastElementChild.remove();
      }
    } else {
      this.expanded.set(event, this.rowHeight);
      if (row) {
        this.open(event, row);
        this.measure(event, row);
      }
    }
    // opening a row is reading: stay where it is rather than jumping to the newest
    if (wasFollowing && event !== this.shown[this.shown.length - 1]) {
      this.following = false;
      this.updateJump();
    }
    this.layout();
  }

  /** The first later event of the same session that matches, before the next integration starts. */
  nextOf(event, predicate) {
    const start = indexOf(this.events, event._n);
    for (let i = start + 1; i < this.events.length && i < start + 500; i++) {
      const next = this.events[i];
      if (next.session !== event.session) continue;
      if (predicate(next)) return next;
      if (next.kind === 'integration' && next.data && next.data.phase === 'start') return null;
    }
    return null;
  }

  updateCounts() {
    const counts = this.selection === '*' ? this.total : (this.counts.get(this.selection) || zeroCounts());
    for (const button of this.levels.querySelectorAll('[data-level]')) {
      const text = String(counts[button.dataset.level]);
      const b = button.querySelector('b');
      if (b.textContent !== text) b.textContent = text;
    }
  }

  /** An empty view says why: nothing happened in it yet, or the filters hide what did. */
  updateEmpty() {
    let text = '';
    if (!this.shown.length) {
      text = this.events.some(e => this.inSelection(e) && this.held(e))
        ? 'No event here passes the filters: the level buttons, Only errors and the search choose what shows.'
        : 'No events yet. Integration calls, scripts, messages and errors show here as they happen: Try it runs one.';
    }
    this.empty.hidden = !text;
    if (this.empty.textContent !== text) this.empty.textContent = text;
  }

  updatePause() {
    this.pause.classList.toggle('paused', this.paused);
    const text = this.paused ? `Resume (${this.pending} new)` : 'Pause';
    if (this.pause.textContent !== text) this.pause.textContent = text;
  }

  updateJump() {
    this.jump.hidden = this.following;
    const text = this.unseen > 0 ? `${this.unseen} new — jump to live ↓` : 'Jump to live ↓';
    if (this.jump.textContent !== text) this.jump.textContent = text;
  }

  updateNotice() {
    const parts = [];
    if (this.missed) {
      parts.push(`${this.missed.toLocaleString('en-US')} events dropped: this console could not keep up with the gateway.`
        + ' Replay history to see them in place.');
    }
    if (this.restartedAt) parts.push(`The gateway restarted at ${formatTime(this.restartedAt)}: sequence numbers started again.`);
    if (this.trimmed) {
      parts.push(`${this.trimmed} older events were trimmed: the console keeps the last ${MAX_EVENTS}, `
        + `within ${characters(this.maxChars)}.`);
    }
    const text = parts.join(' ');
    this.notice.hidden = !text;
    this.replay.hidden = !this.missed;
    if (this.noticeText.textContent !== text) this.noticeText.textContent = text;
    if (!this.following) this.updateJump();
  }
}

const PENDING = 'pending';

/** What the page says above the details of a cut event, while it fetches the whole of it and after. */
function cutNote(event, whole) {
  const note = document.createElement('div');
  note.className = 'note cut';
  const cut = `Cut in the page: ${event._cut.toLocaleString('en-US')} characters left out`;
  note.textContent = whole === PENDING || whole === undefined ? `${cut}; fetching the whole event from the gateway…`
    : `${cut}; the gateway no longer keeps the whole event.`;
  return note;
}

function characters(n) {
  return n >= 1 << 20 ? `${Math.round(n / (1 << 20))} M characters` : `${n.toLocaleString('en-US')} characters`;
}

/**
 * What a bot developer calls an error: a failed integration call (an upstream status outside its successCodes is only
 * a warning by level), a script error, a refused request, a CB interaction that failed, anything at level error.
 */
export function isError(event) {
  if (event.level === 'error' || event.kind === 'error') return true;
  const d = event.data || {};
  if (event.kind === 'integration') return d.phase === 'finish' && d.success === false;
  if (event.kind === 'script') return d.phase === 'error';
  return d.interaction !== undefined && d.phase === 'finish' && d.outcome === 'error';
}

function zeroCounts() {
  return { debug: 0, info: 0, warn: 0, error: 0 };
}

/** Index of the event with arrival number n in a list sorted by it, or -1. */
function indexOf(list, n) {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = list[mid]._n;
    if (at === n) return mid;
    if (at < n) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

/** How many events of a list sorted by arrival number arrived at or before n. */
function firstAfter(list, n) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]._n <= n) lo = mid + 1; else hi = mid;
  }
  return lo;
}


function cell(name) {
  const span = document.createElement('span');
  span.className = name;
  return span;
}

export function formatTime(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Whether `q` finds what `shown` writes for `text`, when that differs from the text itself (already searched). */
function shownDiffers(q, text, shown) {
  return shown !== text && q.test(shown);
}
