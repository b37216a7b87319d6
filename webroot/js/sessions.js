// The session list: every session with its last result, kept up to date from the event stream.
import { getJson } from './api.js';

export class SessionList {
  constructor(list, onSelect) {
    this.list = list;
    this.onSelect = onSelect;
    this.items = new Map();
    list.querySelector('[data-session="*"]').addEventListener('click', () => this.select('*'));
  }

  async load() {
    const sessions = await getJson('/api/sessions');
    for (const s of sessions) this.upsert(s.session, s.lastResult);
  }

  upsert(session, result) {
    let item = this.items.get(session);
    if (!item) {
      item = document.createElement('li');
      item.dataset.session = session;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = session;
      name.title = session;
      const badge = document.createElement('span');
      badge.className = 'badge';
      item.append(name, badge);
      item.addEventListener('click', () => this.select(session));
      this.items.set(session, item);
      this.list.append(item);
    }
    if (result) {
      const badge = item.querySelector('.badge');
      badge.textContent = result.statusCode;
      badge.className = `badge ${result.success ? 'success' : 'failure'}`;
      badge.title = `${result.integration}: ${result.success ? 'success' : 'failure'}`;
      this.list.insertBefore(item, this.list.children[1] || null);
    }
  }

  /** Updates the list from one debug event. */
  seen(event) {
    const finish = event.kind === 'integration' && event.data && event.data.phase === 'finish';
    this.upsert(event.session, finish ? {
      statusCode: event.data.statusCode, success: event.data.success, integration: event.data.integration,
    } : null);
  }

  select(session) {
    for (const li of this.list.children) li.classList.toggle('selected', li.dataset.session === session);
    this.onSelect(session);
  }
}
