// The try-it panel: execute an integration or run a script for the session in view and show the answer.
// What was last used (integration, variables, user message) is remembered per session for the tab.
import { getJson, postJson } from './api.js';
import { jsonTree } from './jsontree.js';
import { showText } from './visible.js';

const SEED_EXAMPLE = `// check to see if API was executed
var isApiExecutionSuccessful = botContext.isApiExecutionSuccessful();
if(isApiExecutionSuccessful){
  var apiStatusCode = botContext.getApiStatusCode();
  botContext.printDebugMessage("API Execution Successful with Status Code: "+apiStatusCode);

  if(apiStatusCode == "200"|apiStatusCode == "201"|apiStatusCode == "203"){
    // request was successful
    botContext.printDebugMessage("All is well.");
  }else{
    // request was not successful
    botContext.printDebugMessage("Something went wrong!");
  }
}`;
const MEMORY = 'botgate.tryit.';
const DEFAULT_SESSION = 'demo';
const DEMO_INTEGRATION = 'faqIntegration';

export class TryIt {
  constructor(el, onRun) {
    this.el = el;
    this.onRun = onRun;
    el.code.value = SEED_EXAMPLE;
    el.execute.addEventListener('click', () => this.execute().catch(e => this.fail(e)));
    el.run.addEventListener('click', () => this.runScript().catch(e => this.fail(e)));
    el.session.addEventListener('change', () => this.restore());
    for (const field of [el.integration, el.variables, el.message]) field.addEventListener('change', () => this.remember());
    // integrations declared or imported since the page loaded are listed the next time the list is used
    el.integration.addEventListener('focus', () => this.list().catch(e => console.warn('integrations:', e.message)));
  }

  async load() {
    const names = await this.list();
    // The page's default variables are the demo's: start on it unless something else was used.
    if (names.includes(DEMO_INTEGRATION)) this.el.integration.value = DEMO_INTEGRATION;
    this.restore();
  }

  /** Lists the gateway's integrations, keeping the one chosen while it is still there; answers their names. */
  async list() {
    const integrations = await getJson('/api/integrations');
    const names = (Array.isArray(integrations) ? integrations : []).map(d => d.name);
    const options = [...this.el.integration.options].map(o => o.value);
    if (names.length === options.length && names.every((name, i) => name === options[i])) return names;
    const chosen = this.el.integration.value;
    this.el.integration.replaceChildren(...names.map(name => {
      const option = document.createElement('option');
      option.value = option.textContent = name;
      return option;
    }));
    if (names.includes(chosen)) this.el.integration.value = chosen;
    return names;
  }

  /** The session in view becomes the one tried; "All sessions" keeps the last one. */
  follow(session) {
    if (session === '*' || session === this.session()) return;
    this.el.session.value = session;
    this.restore();
  }

  session() {
    return this.el.session.value.trim() || DEFAULT_SESSION;
  }

  remember() {
    const memory = { integration: this.el.integration.value, variables: this.el.variables.value, message: this.el.message.value };
    sessionStorage.setItem(MEMORY + this.session(), JSON.stringify(memory));
    sessionStorage.setItem(`${MEMORY}last`, JSON.stringify(memory));
  }

  /** What this session last used, else what was last used anywhere, else the defaults in the page. */
  restore() {
    const memory = read(MEMORY + this.session()) || read(`${MEMORY}last`);
    if (!memory) return;
    if ([...this.el.integration.options].some(o => o.value === memory.integration)) this.el.integration.value = memory.integration;
    if (typeof memory.variables === 'string') this.el.variables.value = memory.variables;
    if (typeof memory.message === 'string') this.el.message.value = memory.message;
  }

  async execute() {
    let variables;
    try {
      variables = JSON.parse(this.el.variables.value || '{}');
    } catch (e) {
      this.showText(`Variables are not valid JSON: ${e.message}`);
      return;
    }
    this.remember();
    const name = encodeURIComponent(this.el.integration.value);
    const session = this.session();
    this.onRun(session);
    const answer = await postJson(`/api/sessions/${encodeURIComponent(session)}/integrations/${name}`,
      { variables, userMessage: this.el.message.value });
    this.show(answer);
  }

  async runScript() {
    const session = this.session();
    this.onRun(session);
    const answer = await postJson(`/api/sessions/${encodeURIComponent(session)}/scripts`,
      { code: this.el.code.value, userMessage: this.el.message.value });
    this.show(answer);
  }

  fail(error) {
    this.showText(`The request failed: ${error.message}`);
  }

  showText(text) {
    this.el.answer.textContent = text;
  }

  /** A summary line, the messages the bot sent, then the answer as a tree (its events are in the stream). */
  show({ status, body }) {
    if (!body || typeof body !== 'object') {
      this.showText(`HTTP ${status}\n${body || ''}`);
      return;
    }
    const { events, ...rest } = body;
    const summary = document.createElement('div');
    summary.className = 'summary';
    summary.textContent = summaryOf(status, body) + (events ? ` · ${events.length} events, shown in the stream` : '');
    const parts = [summary];
    if (Array.isArray(body.messages) && body.messages.length) {
      const list = document.createElement('ul');
      list.className = 'messages';
      for (const m of body.messages) {
        const item = document.createElement('li');
        showText(item, m.text + (m.quickReplies ? `  [${m.quickReplies.join(' | ')}]` : ''));
        list.append(item);
      }
      parts.push(list);
    }
    parts.push(jsonTree(rest));
    this.el.answer.replaceChildren(...parts);
  }
}

function summaryOf(status, body) {
  if (body.error && body.error.code) return `HTTP ${status} · ${body.error.code}: ${body.error.message}`;
  const result = body.result;
  if (result) return `HTTP ${status} · ${body.outcome} · status ${result.statusCode} · ${result.durationMs} ms`;
  return `HTTP ${status} · ${body.outcome || ''}${body.durationMs !== undefined ? ` · ${body.durationMs} ms` : ''}`;
}

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key));
  } catch {
    return null;
  }
}
