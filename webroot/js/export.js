// What leaves the page: a session's events as JSON lines, its integration calls as HAR 1.2, one call as a
// curl command, a value on the clipboard. Everything is built from the (already masked) debug events.
import { getJson } from './api.js';

const PAGE = 1000;

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

export function jsonLines(events) {
  return events.map(e => JSON.stringify(strip(e))).join('\n') + (events.length ? '\n' : '');
}

/** The event as the gateway sent it, without the page's own bookkeeping. */
export function strip(event) {
  // the gateway's members never start with '_'; the page's own (_n, _run, _hay, _group...) all do
  return Object.fromEntries(Object.entries(event).filter(([key]) => !key.startsWith('_')));
}

/** The integration calls among events as a HAR 1.2 log (secrets were masked by the gateway). */
export function har(events, version = '1') {
  const entries = events.filter(isCallFinish).map(harEntry);
  return { log: { version: '1.2', creator: { name: 'botgate console', version }, pages: [], entries } };
}

export function isCallFinish(event) {
  return event.kind === 'integration' && event.data && event.data.phase === 'finish';
}

/** Method and URL of a call: the fields of newer events, or the request line of older ones. */
export function requestOf(data) {
  if (data.method && data.url) return { method: data.method, url: data.url };
  const line = data.request || '';
  const space = line.indexOf(' ');
  return space > 0 ? { method: line.slice(0, space), url: line.slice(space + 1) } : null;
}

function harEntry(event) {
  const d = event.data;
  const request = requestOf(d) || { method: 'GET', url: 'about:blank' };
  const duration = Number(d.durationMs) || 0;
  const attempts = (d.phases || []).filter(p => p.name.startsWith('attempt '));
  const wait = attempts.length ? attempts.reduce((sum, p) => sum + p.durationMs, 0) : duration;
  const started = new Date(new Date(event.ts).getTime() - duration).toISOString();
  const response = d.response;
  const requestBody = d.requestBody;
  const entry = {
    startedDateTime: started,
    time: wait,
    request: {
      method: request.method,
      url: request.url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: pairs(d.requestHeaders),
      queryString: queryOf(request.url),
      headersSize: -1,
      bodySize: requestBody ? requestBody.bytes : 0,
    },
    response: {
      status: response ? response.status : 0,
      statusText: response ? '' : (d.reason || 'no response'),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: response ? pairs(response.headers) : [],
      content: content(response && response.body, response && response.headers),
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
  return entry;
}

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

/** A curl command that replays a call; masked values stay masked (fill them in yourself). */
export function curl(data) {
  const request = requestOf(data);
  if (!request) return null;
  const parts = ['curl', '-X', request.method, quote(request.url)];
  for (const [name, value] of Object.entries(data.requestHeaders || {})) parts.push('-H', quote(`${name}: ${value}`));
  if (data.requestBody) parts.push('--data-raw', quote(data.requestBody.json !== undefined
    ? JSON.stringify(data.requestBody.json) : data.requestBody.text || ''));
  return parts.join(' ');
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
