// The event stream: a bounded buffer of events, filtered by session, level and search, rendered as text.
export const MAX_EVENTS = 5000;
const LEVELS = ['debug', 'info', 'warn', 'error'];

export class StreamView {
  constructor({ container, levels, search, pause, clear, jump, notice }) {
    Object.assign(this, { container, levels, search, pause, clear, jump, notice });
    this.events = [];
    this.lastSeq = {};
    this.selection = '*';
    this.hidden = new Set();
    this.query = '';
    this.paused = false;
    this.pending = 0;
    this.following = true;
    this.trimmed = 0;
    this.wire();
  }

  wire() {
    for (const button of this.levels.querySelectorAll('[data-level]')) {
      button.addEventListener('click', () => {
        const level = button.dataset.level;
        if (this.hidden.has(level)) this.hidden.delete(level); else this.hidden.add(level);
        button.classList.toggle('on', !this.hidden.has(level));
        this.renderAll();
      });
    }
    this.search.addEventListener('input', () => {
      this.query = this.search.value.trim().toLowerCase();
      this.renderAll();
    });
    this.pause.addEventListener('click', () => this.setPaused(!this.paused));
    this.clear.addEventListener('click', () => {
      this.events = [];
      this.trimmed = 0;
      this.renderAll();
    });
    this.container.addEventListener('scroll', () => {
      const atBottom = this.container.scrollHeight - this.container.scrollTop - this.container.clientHeight < 24;
      this.following = atBottom;
      this.jump.hidden = atBottom;
    });
    this.jump.addEventListener('click', () => this.toLive());
  }

  /** Adds one event from the server; an event already seen (same session, seq not newer) is ignored. */
  add(event) {
    if (event.seq !== undefined) {
      if (event.seq <= (this.lastSeq[event.session] || 0)) return false;
      this.lastSeq[event.session] = event.seq;
    }
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) {
      const excess = this.events.length - MAX_EVENTS;
      this.events.splice(0, excess);
      this.trimmed += excess;
      this.container.querySelectorAll('.row').forEach((row, i) => { if (i < excess) row.remove(); });
    }
    if (this.paused) {
      if (this.visible(event)) this.pending++;
      this.updatePause();
    } else if (this.visible(event)) {
      this.container.append(this.row(event));
      if (this.following) this.container.scrollTop = this.container.scrollHeight;
    }
    this.updateCounts();
    this.updateNotice();
    return true;
  }

  /** The gateway restarted: numbering starts again, so forget the numbers and mark the place. */
  restarted() {
    this.lastSeq = {};
    this.add({ kind: 'warning', level: 'warn', ts: new Date().toISOString(), session: '',
      text: 'The gateway restarted: what follows is from the new run.' });
  }

  select(session) {
    this.selection = session;
    this.renderAll();
  }

  setPaused(paused) {
    this.paused = paused;
    if (!paused) {
      this.pending = 0;
      this.renderAll();
    }
    this.updatePause();
  }

  toLive() {
    this.following = true;
    this.jump.hidden = true;
    this.container.scrollTop = this.container.scrollHeight;
  }

  inSelection(event) {
    return this.selection === '*' || event.session === this.selection;
  }

  visible(event) {
    if (!this.inSelection(event) || this.hidden.has(event.level)) return false;
    if (!this.query) return true;
    return [event.text, event.kind, event.session, event.level].some(v => String(v || '').toLowerCase().includes(this.query));
  }

  renderAll() {
    const fragment = document.createDocumentFragment();
    for (const event of this.events) if (this.visible(event)) fragment.append(this.row(event));
    this.container.replaceChildren(fragment);
    this.updateCounts();
    this.updateNotice();
    if (this.following) this.container.scrollTop = this.container.scrollHeight;
  }

  row(event) {
    const row = document.createElement('div');
    row.className = `row level-${event.level} kind-${event.kind}`;
    if (event.seq !== undefined) row.dataset.seq = event.seq;
    row.dataset.session = event.session || '';
    row.append(
      cell('time', formatTime(event.ts)), cell('session', event.session || ''), cell('kind', event.kind),
      cell('level', event.level), cell('text', event.text));
    if (event.kind === 'integration' && event.data) {
      row.title = 'Click for details';
      row.addEventListener('click', () => toggleDetails(row, event.data));
    }
    return row;
  }

  updateCounts() {
    const counts = Object.fromEntries(LEVELS.map(l => [l, 0]));
    for (const event of this.events) if (this.inSelection(event) && event.level in counts) counts[event.level]++;
    for (const button of this.levels.querySelectorAll('[data-level]')) {
      button.querySelector('b').textContent = counts[button.dataset.level];
    }
  }

  updatePause() {
    this.pause.classList.toggle('paused', this.paused);
    this.pause.textContent = this.paused ? `Resume (${this.pending} new)` : 'Pause';
  }

  updateNotice() {
    this.notice.hidden = this.trimmed === 0;
    this.notice.textContent = `${this.trimmed} older events were trimmed: the console keeps the last ${MAX_EVENTS}.`;
  }
}

function cell(name, text) {
  const span = document.createElement('span');
  span.className = name;
  span.textContent = text;   // always text, never HTML
  if (name === 'text' || name === 'session') span.title = text;
  return span;
}

function toggleDetails(row, data) {
  const open = row.querySelector('.details');
  if (open) {
    open.remove();
    return;
  }
  const details = document.createElement('div');
  details.className = 'details';
  const lines = data.phase === 'finish'
    ? [`request:  ${data.request || '(not sent)'}`, `status:   ${data.statusCode} (${data.success ? 'success' : 'failure'})`,
       `duration: ${data.durationMs} ms`, `attempts: ${data.attempts}`]
      .concat(data.reason ? [`reason:   ${data.reason}`] : [])
      .concat([`fields:   ${JSON.stringify(data.fields || {}, null, 2)}`])
    : [`${data.method} ${data.url}`, `headers:  ${JSON.stringify(data.headers || {}, null, 2)}`];
  details.textContent = lines.join('\n');
  row.append(details);
}

function formatTime(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
