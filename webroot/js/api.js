// HTTP helpers and the access token. With auth.token set, the page asks for the token once; it is kept
// for the tab in sessionStorage and sent as a header, never put in the address bar.
const TOKEN_KEY = 'botgate.token';

let askToken = null;   // (wasWrong) => Promise<void>, resolved once the user has given a token
let asking = null;     // the prompt in progress, shared by every request that met a 401

/** An older link may carry ?token=...: keep it for the tab and take it out of the address bar. */
export function adoptTokenFromAddress() {
  const url = new URL(location.href);
  if (!url.searchParams.has('token')) return;
  const token = url.searchParams.get('token');
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

/** Registers what asks the user for a token when the gateway answers 401. */
export function onTokenNeeded(prompt) {
  askToken = prompt;
}

/** Asks once for a token, however many requests are waiting for it. */
export function needToken() {
  if (!asking) {
    const wasWrong = Boolean(token());
    asking = Promise.resolve(askToken ? askToken(wasWrong) : undefined).finally(() => { asking = null; });
  }
  return asking;
}

export class HttpError extends Error {
  constructor(status, body) {
    super(body && body.error ? `${status} ${body.error.code}: ${body.error.message}` : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function send(path, init = {}) {
  for (;;) {
    const headers = { ...(init.headers || {}) };
    const current = token();
    if (current) headers.Authorization = `Bearer ${current}`;
    const response = await fetch(path, { ...init, headers, credentials: 'same-origin' });
    if (response.status !== 401 || !askToken) return response;
    await needToken();
  }
}

async function bodyOf(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** GET a JSON answer; rejects with an HttpError for a status other than 2xx. */
export async function getJson(path) {
  const response = await send(path);
  const body = await bodyOf(response);
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

/** POST JSON (as application/json, which the gateway requires); answers {status, body} whatever the status. */
export async function postJson(path, body) {
  const response = await send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await bodyOf(response) };
}

/**
 * What the gateway would answer the console's WebSocket handshake now, as {status, body}: a browser hides from the
 * page why a handshake was refused, so the page asks. A POST, which carries the page's Origin as the handshake does;
 * a 401 asks for the token, as every request does.
 */
export async function checkConsole() {
  const response = await send('/console/check', { method: 'POST' });
  return { status: response.status, body: await bodyOf(response) };
}

/**
 * The console WebSocket's address. A browser cannot put headers on a WebSocket handshake, so the token
 * goes in this request's query, as the gateway accepts it; the page's own address never holds it.
 */
export function consoleUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const current = token();
  const query = current ? `?access_token=${encodeURIComponent(current)}` : '';
  return `${scheme}//${location.host}/console${query}`;
}
