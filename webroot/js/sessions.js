// The session list: the sessions with the most recent activity (a first page from the gateway, then the
// ones seen live), each with its last result, kept up to date from the event stream and ordered by each
// session's latest activity (a replayed history arrives in the gateway's order, not in time order). Bounded:
// past MAX_ITEMS the least recently active ones leave the list (they can still be opened by name: typed whole in the
// filter, then Enter), and the count asks the gateway how many there are.
import { getJson } from './api.js';
import { plainText, showText } from './visible.js';

export const FIRST_PAGE = 200;
export const MAX_ITEMS = 1000;
/** How often at most the count asks the gateway for its number of sessions, once some are not listed. */
const TOTAL_EVERY_MS = 2000;
/** How often the list asks the gateway for its latest sessions while one session is viewed (and the tab shown). */
export const REFRESH_MS = 5000;

export class SessionList {
  constructor({ list, count, filter, more }, onSelect) {
    Object.assign(this, { list, count, filter, more });
    this.onSelect = onSelect;
    this.items = new Map();    // session -> its <li>
    this.activity = new Map(); // session -> its latest activity in ms, or null while unknown (listed on top)
    this.order = [];           // the sessions listed, the most recently active first
    this.total = null;
    this.selected = '*';
    this.maxItems = MAX_ITEMS;
    this.counting = null;      // the count asked of the gateway, until it is answered
    this.again = false;        // whether to ask again once it is
    this.refreshMs = REFRESH_MS;
    this.refreshing = null;    // the next refresh while one session is viewed
    this.refreshes = 0;        // which selection the refreshes asked are for
    list.querySelector('[data-session="*"]').addEventListener('click', () => this.select('*'));
    filter.addEventListener('input', () => this.applyFilter());
    // a session the list does not hold (it left it, or was never seen) is opened by its whole name
    filter.addEventListener('keydown', (e) => {
      const name = filter.value.trim();
      if (e.key === 'Enter' && name) this.select(name);
    });
  }

  /** The first page of GET /api/sessions: {sessions, next, total}, or a plain array from older gateways. */
  async load() {
    this.listed(await getJson(`/api/sessions?limit=${FIRST_PAGE}`));
  }

  /** Lists the sessions of a page of GET /api/sessions, each at its latest activity with its last result. */
  listed(answer) {
    const rows = Array.isArray(answer) ? answer : (answer && answer.sessions) || [];
    this.total = Array.isArray(answer) ? rows.length : answer.total;
    // oldest first: from a gateway that gives no lastActivity, each one goes on top of the one before
    for (const s of rows.slice(0, FIRST_PAGE).reverse()) this.upsert(s.session, s.lastResult, Date.parse(s.lastActivity));
    if (answer && answer.next) this.notAllListed();
    this.updateCount();
  }

  /** Says that some sessions are not listed, and how to open one of them. */
  notAllListed() {
    this.more.hidden = false;
    this.more.textContent = 'Older sessions are not listed: type one\'s whole name in the filter and press Enter.';
  }

  /** Asks the gateway, TOTAL_EVERY_MS later and then at most as often, how many sessions it has. */
  recount() {
    if (this.counting) {
      this.again = true; // a count asked already may not hold the session that asks now
      return;
    }
    this.again = false;
    this.counting = setTimeout(async () => {
      try {
        const answer = await getJson('/api/sessions?limit=1');
        if (answer && Number.isFinite(answer.total)) this.total = answer.total;
      } catch (e) {
        console.warn('sessions:', e.message);
      }
      this.counting = null;
      this.updateCount();
      if (this.again) this.recount();
    }, TOTAL_EVERY_MS);
  }

  /**
   * Lists a session, or moves it to its place when `at` (ms) is at least its latest activity known; `result`
   * is its last integration result, if one came with that activity.
   */
  upsert(session, result, at) {
    let item = this.items.get(session);
    if (!item) item = this.item(session);
    const listed = this.activity.has(session);
    const known = this.activity.get(session);
    const latest = !listed || (Number.isFinite(at) && (known === null || at >= known));
    if (!latest) return item;
    if (result) {
      const badge = item.querySelector('.badge');
      badge.textContent = result.statusCode;
      badge.className = `badge ${result.success ? 'success' : 'failure'}`;
      badge.title = `${result.integration}: ${result.success ? 'success' : 'failure'}`;
    }
    this.place(session, item, Number.isFinite(at) ? at : null);
    this.evict();
    return item;
  }

  /** Puts a session after every more recently active one, and before those active at the same time. */
  place(session, item, at) {
    if (this.activity.has(session)) this.order.splice(this.order.indexOf(session), 1);
    this.activity.set(session, at);
    const rank = (s) => {
      const a = this.activity.get(s);
      return a === null ? Infinity : a;
    };
    const mine = rank(session);
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rank(this.order[mid]) > mine) lo = mid + 1; else hi = mid;
    }
    this.order.splice(lo, 0, session);
    const next = lo + 1 < this.order.length ? this.items.get(this.order[lo + 1]) : null;
    if (item.nextSibling !== next || item.parentNode !== this.list) this.list.insertBefore(item, next);
  }

  item(session) {
    const item = document.createElement('li');
    item.dataset.session = session;
    const name = document.createElement('span');
    name.className = 'name';
    showText(name, session, true);
    name.title = plainText(session, true);
    const badge = document.createElement('span');
    badge.className = 'badge';
    item.append(name, badge);
    item.addEventListener('click', () => this.select(session));
    item.classList.toggle('selected', session === this.selected);
    item.hidden = !this.matches(session);
    this.items.set(session, item);
    return item;
  }

  /** Past maxItems, the least recently active leave, never the one selected; the count then asks the gateway. */
  evict() {
    if (this.items.size <= this.maxItems) return;
    this.notAllListed();
    this.recount();
    while (this.items.size > this.maxItems) {
      let last = this.order.length - 1;
      if (this.order[last] === this.selected) last--;
      if (last < 0) return;
      const [session] = this.order.splice(last, 1);
      this.items.get(session).remove();
      this.items.delete(session);
      this.activity.delete(session);
    }
  }

  /**
   * Updates the list from a batch of events, live or replayed: each session once, at its latest activity in the
   * batch (its latest event's ts) with the result of its latest finished call. Notices without a seq (gaps,
   * drops) are not a session's activity.
   */
  seen(events) {
    const latest = new Map(); // session -> {at, result, resultAt}
    for (const event of events) {
      if (!event.session || event.seq === undefined) continue;
      const at = Date.parse(event.ts);
      let entry = latest.get(event.session);
      if (!entry) latest.set(event.session, entry = { at, result: null, resultAt: -Infinity });
      if (at >= entry.at || Number.isNaN(entry.at)) entry.at = at;
      if (event.kind === 'integration' && event.data && event.data.phase === 'finish' && !(at < entry.resultAt)) {
        entry.result = { statusCode: event.data.statusCode, success: event.data.success, integration: event.data.integration };
        entry.resultAt = at;
      }
    }
    for (const [session, { at, result }] of latest) this.upsert(session, result, at);
    this.updateCount();
  }

  select(session) {
    this.selected = session;
    // a session picked by name that the list did not hold goes on top until its events say when it was active
    if (session !== '*' && !this.items.has(session)) this.upsert(session, null, null);
    for (const li of this.list.children) li.classList.toggle('selected', li.dataset.session === session);
    this.onSelect(session);
    this.followOthers(session !== '*');
  }

  /**
   * While one session is viewed the page receives that session's events only (Connection.follow): every refreshMs,
   * while the tab is shown, the list asks the gateway for its latest sessions, so the others' results, order and
   * count keep up.
   */
  followOthers(on) {
    clearTimeout(this.refreshing);
    this.refreshing = null;
    const mine = ++this.refreshes;
    if (!on) return;
    const refresh = async () => {
      if (!document.hidden) {
        try {
          const answer = await getJson(`/api/sessions?limit=${FIRST_PAGE}`);
          if (mine !== this.refreshes) return; // another session was picked meanwhile
          this.listed(answer);
        } catch (e) {
          console.warn('sessions:', e.message);
        }
      }
      if (mine === this.refreshes) this.refreshing = setTimeout(refresh, this.refreshMs);
    };
    this.refreshing = setTimeout(refresh, this.refreshMs);
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
