// HTTP helpers. When the gateway requires a token, open the page as /?token=... once; it is kept for the tab.
const params = new URLSearchParams(location.search);
if (params.get('token')) sessionStorage.setItem('botgate.token', params.get('token'));
const token = sessionStorage.getItem('botgate.token');

export function authHeaders(extra = {}) {
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

export function consoleUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?access_token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${location.host}/console${query}`;
}

export async function getJson(path) {
  const response = await fetch(path, { headers: authHeaders() });
  return response.json();
}

export async function postJson(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: authHeaders({ 'Content-Type': 'application/json' }),
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
