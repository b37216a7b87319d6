// The session list: the sessions with the most recent activity (a first page from the gateway, then the
// ones seen live), each with its last result, kept up to date from the event stream. Bounded: past
// MAX_ITEMS the least recently active ones leave the list (they can still be opened by name).
import { getJson } from './api.js';

export const FIRST_PAGE = 200;
export const MAX_ITEMS = 1000;

export class SessionList {
  constructor({ list, count, filter, more }, onSelect) {
    Object.assign(this, { list, count, filter, more });
    this.onSelect = onSelect;
    this.items = new Map();
    this.total = null;
    this.selected = '*';
    list.querySelector('[data-session="*"]').addEventListener('click', () => this.select('*'));
    filter.addEventListener('input', () => this.applyFilter());
  }

  /** The first page of GET /api/sessions: {sessions, next, total}, or a plain array from older gateways. */
  async load() {
    const answer = await getJson(`/api/sessions?limit=${FIRST_PAGE}`);
    const rows = Array.isArray(answer) ? answer : (answer && answer.sessions) || [];
    this.total = Array.isArray(answer) ? rows.length : answer.total;
    for (const s of rows.slice(0, FIRST_PAGE).reverse()) this.upsert(s.session, s.lastResult);
    this.more.hidden = !(answer && answer.next);
    this.more.textContent = 'Older sessions are not listed: pick one by its name with ?session=<name>.';
    this.updateCount();
  }

  upsert(session, result) {
    let item = this.items.get(session);
    if (!item) item = this.item(session);
    if (result) {
      const badge = item.querySelector('.badge');
      badge.textContent = result.statusCode;
      badge.className = `badge ${result.success ? 'success' : 'failure'}`;
      badge.title = `${result.integration}: ${result.success ? 'success' : 'failure'}`;
    }
    if (this.list.children[1] !== item) this.list.insertBefore(item, this.list.children[1] || null);
    return item;
  }

  item(session) {
    const item = document.createElement('li');
    item.dataset.session = session;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = session;
    name.title = session;
    const badge = document.createElement('span');
    badge.className = 'badge';
    item.append(name, badge);
    item.addEventListener('click', () => this.select(session));
    item.classList.toggle('selected', session === this.selected);
    item.hidden = !this.matches(session);
    this.items.set(session, item);
    this.evict();
    return item;
  }

  /** Past MAX_ITEMS, the least recently active (the last in the list) leave, never the one selected. */
  evict() {
    while (this.items.size > MAX_ITEMS) {
      let last = this.list.lastElementChild;
      if (last && last.dataset.session === this.selected) last = last.previousElementSibling;
      if (!last || last.dataset.session === '*') return;
      this.items.delete(last.dataset.session);
      last.remove();
    }
  }

  /** Updates the list from a batch of events: one move per session, whatever the batch size. */
  seen(events) {
    const latest = new Map();
    for (const event of events) {
      if (!event.session) continue;
      const finish = event.kind === 'integration' && event.data && event.data.phase === 'finish';
      const result = finish ? { statusCode: event.data.statusCode, success: event.data.success,
        integration: event.data.integration } : null;
      const earlier = latest.get(event.session) || null;
      latest.delete(event.session); // re-inserted last: the most recent goes to the top
      latest.set(event.session, result || earlier);
    }
    for (const [session, result] of latest) this.upsert(session, result);
    this.updateCount();
  }

  select(session) {
    this.selected = session;
    if (session !== '*' && !this.items.has(session)) this.upsert(session, null);
    for (const li of this.list.children) li.classList.toggle('selected', li.dataset.session === session);
    this.onSelect(session);
  }

  matches(session) {
    const q = this.filter.value.trim().toLowerCase();
    return !q || session.toLowerCase().includes(q);
  }

  applyFilter() {
    for (const [session, item] of this.items) item.hidden = !this.matches(session);
  }

  updateCount() {
    if (this.total !== null && this.total < this.items.size) this.total = this.items.size;
    const text = this.total !== null && this.total > this.items.size ? `(${this.items.size} of ${this.total})`
      : `(${this.items.size})`;
    if (this.count.textContent !== text) this.count.textContent = text;
  }
}
