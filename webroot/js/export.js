// What leaves the page: a session's events as JSON lines, its integration calls as HAR 1.2, one call as a
// curl command, a value on the clipboard. Everything is built from the (already masked) debug events.
import { getJson } from './api.js';

const PAGE = 1000;
const LOOK_BACK = 500; // events searched before a finish for its start
/** Headers a replayed request gets from curl itself: the URL's host, the body's length. */
const CURL_SETS = new Set(['host', 'content-length']);

/** Every kept event of a session, from the gateway's history, page by page. */
export async function history(session) {
  const events = [];
  let after = 0;
  for (;;) {
    const page = await getJson(`/api/sessions/${encodeURIComponent(session)}/events?after=${after}&limit=${PAGE}`);
    events.push(...page.events);
    if (page.events.length < PAGE) return events;
    after = page.events[page.events.length - 1].seq;
  }
}

/** One kept event of a session, whole (as the page may hold it cut), or null when the gateway no longer keeps it. */
export async function keptEvent(session, seq) {
  const page = await getJson(`/api/sessions/${encodeURIComponent(session)}/events?after=${seq - 1}&limit=1`);
  const event = page.events[0];
  return event && event.seq === seq ? event : null;
}

export function jsonLines(events) {
  return events.map(e => JSON.stringify(strip(e))).join('\n') + (events.length ? '\n' : '');
}

/** The event as the gateway sent it, without the page's own bookkeeping. */
export function strip(event) {
  // the gateway's members never start with '_'; the page's own (_n, _run, _size, _cut, _group...) all do
  return Object.fromEntries(Object.entries(event).filter(([key]) => !key.startsWith('_')));
}

/** The integration calls among events as a HAR 1.2 log (secrets were masked by the gateway). */
export function har(events, version = '1') {
  const entries = [];
  events.forEach((event, i) => {
    if (isCallFinish(event)) entries.push(harEntry(event, streamed(event.data) ? startOf(events, i) : null));
  });
  return { log: { version: '1.2', creator: { name: 'botgate console', version }, pages: [], entries } };
}

export function isCallFinish(event) {
  return event.kind === 'integration' && event.data && event.data.phase === 'finish';
}

/**
 * Whether a finish event is of a pass-through call the upstream answered: its status is the upstream's, and the
 * bodies streamed between caller and upstream without being kept (the start event holds the headers sent).
 */
export function streamed(data) {
  return !data.response && !data.reason && !data.requestHeaders && /^\d{3}$/.test(String(data.statusCode));
}

/** The start event of the call the finish event at `index` ends: the nearest before it of the same call. */
export function startOf(events, index) {
  if (index < 0) return null;
  const finish = events[index];
  const d = finish.data;
  for (let i = index - 1; i >= 0 && i >= index - LOOK_BACK; i--) {
    const e = events[i];
    if (e.session === finish.session && e.kind === 'integration' && e.data && e.data.phase === 'start'
      && e.data.integration === d.integration && (!d.url || e.data.url === d.url)) return e;
  }
  return null;
}

/** Method and URL of a call: the fields of newer events, or the request line of older ones. */
export function requestOf(data) {
  if (data.method && data.url) return { method: data.method, url: data.url };
  const line = data.request || '';
  const space = line.indexOf(' ');
  return space > 0 ? { method: line.slice(0, space), url: line.slice(space + 1) } : null;
}

function harEntry(event, start) {
  const d = event.data;
  const request = requestOf(d) || { method: 'GET', url: 'about:blank' };
  const duration = Number(d.durationMs) || 0;
  const attempts = (d.phases || []).filter(p => p.name.startsWith('attempt '));
  const wait = attempts.length ? attempts.reduce((sum, p) => sum + p.durationMs, 0) : duration;
  const started = new Date(new Date(event.ts).getTime() - duration).toISOString();
  const response = d.response;
  const requestBody = d.requestBody;
  const passed = streamed(d);
  const entry = {
    startedDateTime: started,
    time: wait,
    request: {
      method: request.method,
      url: request.url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: pairs(d.requestHeaders || (start && start.data.headers)),
      queryString: queryOf(request.url),
      headersSize: -1,
      bodySize: requestBody ? requestBody.bytes : passed ? -1 : 0,
    },
    response: {
      status: response ? response.status : passed ? Number(d.statusCode) : 0,
      statusText: response || passed ? '' : (d.reason || 'no response'),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: response ? pairs(response.headers) : [],
      content: passed ? { size: 0, mimeType: 'x-unknown', comment: NOT_KEPT }
        : content(response && response.body, response && response.headers),
      redirectURL: '',
      headersSize: -1,
      bodySize: response && response.body ? response.body.bytes : -1,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait, receive: 0 },
    _botgate: { session: event.session, seq: event.seq, integration: d.integration, statusCode: d.statusCode,
      success: d.success, attempts: d.attempts, reason: d.reason, fields: d.fields, phases: d.phases, mode: d.mode },
  };
  if (requestBody) {
    entry.request.postData = { mimeType: headerOf(d.requestHeaders, 'content-type') || 'application/json', text: bodyText(requestBody) };
  }
  if (passed) entry.request.comment = 'a pass-through call: its request body (if any) streamed to the upstream, not kept';
  return entry;
}

/** What the page says of a pass-through call's answer body. */
export const NOT_KEPT = 'the body streamed to the caller, not kept';

function content(body, headers) {
  const mimeType = headerOf(headers, 'content-type') || 'application/json';
  if (!body) return { size: 0, mimeType };
  const out = { size: body.bytes, mimeType, text: bodyText(body) };
  if (body.truncated) out.comment = `truncated: ${body.bytes} bytes, the first ${out.text.length} characters kept`;
  return out;
}

export function bodyText(body) {
  return body.json !== undefined ? JSON.stringify(body.json, null, 2) : (body.text || '');
}

function pairs(headers) {
  return Object.entries(headers || {}).map(([name, value]) => ({ name, value: String(value) }));
}

function headerOf(headers, name) {
  for (const [k, v] of Object.entries(headers || {})) if (k.toLowerCase() === name) return v;
  return null;
}

function queryOf(url) {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/**
 * A curl command that replays a call; masked values stay masked (fill them in yourself). `note` ends it as a
 * shell comment.
 */
export function curl(data, note) {
  const request = requestOf(data);
  if (!request) return null;
  // A method other than letters, digits, '-' and '_' is quoted like the rest: a pass-through call's is whatever
  // token its caller sent, and HTTP's tokens may hold shell syntax (`GET&id&`, `X|sh`, backquotes) that would run
  // where the command is pasted.
  const parts = ['curl', '-X', /^[A-Za-z0-9_-]+$/.test(request.method) ? request.method : quote(request.method),
    quote(request.url)];
  for (const [name, value] of Object.entries(data.requestHeaders || {})) parts.push('-H', quote(`${name}: ${value}`));
  if (data.requestBody) parts.push('--data-raw', quote(data.requestBody.json !== undefined
    ? JSON.stringify(data.requestBody.json) : data.requestBody.text || ''));
  if (note) parts.push(`# ${note}`);
  return parts.join(' ');
}

/**
 * A curl command from a call's start event (method, URL, the headers sent), without the Host and
 * Content-Length curl sets itself: the start of a pass-through call shows the Host sent to the upstream.
 */
export function curlOfStart(start, note) {
  const headers = Object.fromEntries(Object.entries(start.headers || {})
    .filter(([name]) => !CURL_SETS.has(name.toLowerCase())));
  return curl({ method: start.method, url: start.url, requestHeaders: headers }, note);
}

function quote(text) {
  return `'${String(text).replaceAll("'", "'\\''")}'`;
}

export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
