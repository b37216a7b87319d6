// What an expanded row shows, per kind of event: everything the event carries, as text (never HTML).
import { jsonTree } from './jsontree.js';
import { showText } from './visible.js';
import { bodyText, copyText, curl, curlOfStart, NOT_KEPT, requestOf, streamed, strip } from './export.js';

/**
 * The details of one event. {@code context.next(predicate)} finds a later event of the same session (the
 * postProcess run that belongs to an integration call); {@code context.start()} the start event of the call
 * a finish event ends.
 */
export function details(event, context) {
  const box = el('div', 'details');
  const data = event.data || {};
  if (event.kind === 'integration' && data.phase === 'finish') integrationFinish(box, event, data, context);
  else if (event.kind === 'integration') integrationStart(box, data);
  else if (event.kind === 'variable') variable(box, data);
  else if (event.kind === 'script' && data.phase === 'error') scriptError(box, data);
  else if (event.kind === 'message') message(box, event, data);
  else generic(box, event, data);
  box.append(actions([['Copy event JSON', () => JSON.stringify(strip(event), null, 2)]]));
  return box;
}

function integrationFinish(box, event, d, context) {
  const result = section(box, 'Result');
  const status = el('span', d.success ? 'status-ok' : 'status-bad', `${d.statusCode} (${d.success ? 'success' : 'failure'})`);
  result.append(kv([['status', status], ['duration', `${d.durationMs} ms`], ['attempts', String(d.attempts)],
    ...(d.mode && d.mode !== 'live' ? [['upstream', d.mode]] : []),
    ...(d.reason ? [['reason', d.reason]] : [])]));

  const request = requestOf(d);
  const passed = streamed(d);
  const start = passed && context.start ? context.start() : null;
  const headers = d.requestHeaders || (start && start.data.headers);
  const sent = section(box, 'Request');
  sent.append(pre(request ? `${request.method} ${request.url}` : '(not sent)'));
  if (headers && Object.keys(headers).length) sent.append(kv(Object.entries(headers)));
  if (d.requestBody) sent.append(body(d.requestBody));
  if (passed) sent.append(el('div', 'note', 'a pass-through call: its request body, if any, streamed to the upstream, not kept'));

  const received = section(box, 'Response');
  if (d.response) {
    received.append(pre(`HTTP ${d.response.status}`));
    if (d.response.headers) received.append(kv(Object.entries(d.response.headers)));
    if (d.response.body) received.append(body(d.response.body));
    else received.append(el('div', 'note', 'no body'));
  } else if (passed) {
    received.append(pre(`HTTP ${d.statusCode} — ${NOT_KEPT}`));
  } else {
    received.append(el('div', 'note', request ? `no response${d.reason ? `: ${d.reason}` : ''}` : 'not sent'));
  }

  if (d.phases && d.phases.length) {
    const post = context.next(e => e.kind === 'script' && e.data && e.data.script === 'postProcess' && e.data.phase !== 'start');
    section(box, 'Timings').append(waterfall(d, event, post));
  }

  const fields = Object.entries(d.fields || {});
  if (fields.length) {
    section(box, 'Mapped fields').append(kv(fields.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
  }

  const buttons = [];
  const command = passed && start ? curlOfStart(start.data, BODY_NOT_KEPT) : curl(d);
  if (command) buttons.push(['Copy curl', () => command]);
  if (d.response && d.response.body) buttons.push(['Copy response body', () => bodyText(d.response.body)]);
  if (fields.length) buttons.push(['Copy fields', () => JSON.stringify(d.fields, null, 2)]);
  box.append(actions(buttons));
}

/** Each step of a call on one time axis: scripts, attempts, mapping, and the postProcess run after it. */
function waterfall(d, event, post) {
  const phases = d.phases.map(p => ({ ...p }));
  if (post) {
    const start = new Date(event.ts).getTime() - d.durationMs;
    const ms = Number(post.data.durationMs) || 0;
    phases.push({ name: 'postProcess', startMs: Math.max(0, new Date(post.ts).getTime() - start - ms),
      durationMs: ms, outcome: post.data.phase === 'error' ? 'error' : 'ok' });
  }
  const total = Math.max(d.durationMs || 0, ...phases.map(p => p.startMs + p.durationMs), 1);
  const grid = el('div', 'waterfall');
  for (const p of phases) {
    const kind = p.name.startsWith('attempt') ? 'attempt' : p.name === 'mapping' ? 'mapping'
      : p.name === 'Retry-After' ? 'wait' : 'script';
    const failed = p.outcome === 'error' || (kind === 'attempt' && !/^2\d\d$/.test(String(p.outcome || '').split(' ')[0]));
    const label = el('span', 'name', p.outcome && kind === 'attempt' ? `${p.name} → ${p.outcome}` : p.name);
    label.title = kind === 'wait' ? p.outcome || p.name : label.textContent;
    const track = el('div', 'track');
    const bar = el('div', `bar ${kind}${failed ? ' failed' : ''}`);
    bar.style.left = `${(p.startMs / total) * 100}%`;
    bar.style.width = `${(p.durationMs / total) * 100}%`;
    track.append(bar);
    grid.append(label, track, el('span', 'ms', `${p.durationMs} ms`));
    // what the upstream asked for, and whether it was waited for or past the deadline: a sentence of its own
    if (kind === 'wait' && p.outcome) grid.append(el('div', 'note', p.outcome));
  }
  return grid;
}

function integrationStart(box, d) {
  const request = section(box, 'Request');
  request.append(pre(`${d.method || ''} ${d.url || ''}`.trim()));
  if (d.headers && Object.keys(d.headers).length) request.append(kv(Object.entries(d.headers)));
  const command = curlOfStart(d);
  if (command) box.append(actions([['Copy curl', () => command]]));
}

const BODY_NOT_KEPT = 'the request body, if any, streamed through the gateway and was not kept: add it with --data-binary';

function variable(box, d) {
  const s = section(box, 'Variable');
  s.append(kv([['name', d.name], ['scope', d.scope || '']]));
  const value = section(box, 'Value');
  value.append(isTree(d.value) ? jsonTree(d.value) : pre(typeof d.value === 'string' ? d.value : JSON.stringify(d.value)));
  box.append(actions([['Copy value', () => typeof d.value === 'string' ? d.value : JSON.stringify(d.value, null, 2)]]));
}

function scriptError(box, d) {
  const error = d.error || {};
  const where = error.line ? `line ${error.line}${error.column ? `, column ${error.column}` : ''}` : 'unknown';
  section(box, 'Script error').append(kv([['script', error.script || d.script || ''], ['type', error.type || ''],
    ['where', where]]));
  section(box, 'Message').append(pre(error.message || ''));
  if (d.source && d.source.lines) section(box, 'Source').append(source(d.source, error.line, error.column));
  box.append(actions([['Copy message', () => error.message || '']]));
}

/** The lines around an error, the error's line marked and a caret under its column. */
function source(src, line, column) {
  const grid = el('div', 'source');
  src.lines.forEach((text, i) => {
    const n = src.firstLine + i;
    const here = n === line;
    grid.append(el('span', 'n', String(n)), el('span', here ? 'l here' : 'l', text || ' '));
    if (here && column > 0) grid.append(el('span', 'n', ''), el('span', 'caret', `${' '.repeat(column - 1)}^`));
  });
  return grid;
}

function message(box, event, d) {
  section(box, 'Message').append(pre(d.text !== undefined ? d.text : event.text));
  if (Array.isArray(d.quickReplies) && d.quickReplies.length) {
    const replies = el('div', 'replies');
    for (const reply of d.quickReplies) replies.append(el('span', 'reply', String(reply)));
    section(box, 'Quick replies').append(replies);
  }
  box.append(actions([['Copy text', () => event.text || '']]));
}

function generic(box, event, d) {
  section(box, 'Text').append(pre(event.text || ''));
  if (Object.keys(d).length) section(box, 'Data').append(jsonTree(d));
  box.append(actions([['Copy text', () => event.text || '']]));
}

function body(b) {
  const wrap = el('div', 'body');
  if (b.json !== undefined) wrap.append(isTree(b.json) ? jsonTree(b.json) : pre(JSON.stringify(b.json)));
  else wrap.append(pre(b.text || ''));
  const note = b.truncated ? `${b.bytes} bytes; the first ${(b.text || '').length} characters shown`
    : `${b.bytes} bytes`;
  wrap.append(el('div', 'note', note));
  return wrap;
}

function isTree(value) {
  return value !== null && typeof value === 'object';
}

function section(box, title) {
  const s = el('section', '');
  s.append(el('h4', '', title));
  box.append(s);
  return s;
}

function kv(pairs) {
  const grid = el('div', 'kv');
  for (const [k, v] of pairs) {
    const value = el('span', 'v');
    if (v instanceof Node) value.append(v); else showText(value, v);
    grid.append(el('span', 'k', k), value);
  }
  return grid;
}

function pre(text) {
  return el('pre', 'value', text);
}

function actions(buttons) {
  const bar = el('div', 'actions');
  for (const [label, text] of buttons) {
    const button = el('button', '', label);
    button.type = 'button';
    button.addEventListener('click', async () => {
      const ok = await copyText(text());
      button.textContent = ok ? 'Copied' : 'Copy failed';
      setTimeout(() => { button.textContent = label; }, 1200);
    });
    bar.append(button);
  }
  return bar;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) showText(node, text);
  return node;
}
