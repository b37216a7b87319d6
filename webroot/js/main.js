// Wires the console page: token prompt, session list, event stream, live connection, try-it panel,
// downloads and the drawers of narrow screens.
import { adoptTokenFromAddress, onTokenNeeded, setToken } from './api.js';
import { Connection } from './connection.js';
import { download, har, history as keptEvents, jsonLines, strip } from './export.js';
import { SessionList } from './sessions.js';
import { StreamView } from './stream.js';
import { TryIt } from './tryit.js';
import { showText } from './visible.js';

const $ = (id) => document.getElementById(id);

adoptTokenFromAddress();
onTokenNeeded(askForToken);

const view = new StreamView({
  container: $('stream'), spacer: $('spacer'), empty: $('empty'), levels: $('levels'), onlyErrors: $('only-errors'),
  search: $('search'), pause: $('pause'), clear: $('clear'), jump: $('jump'), notice: $('notice'),
  noticeText: $('notice-text'), replay: $('replay'),
  onAdded: (events) => sessions.seen(events),
  // the gateway dropped events this page could not take in time: its history still holds them
  onReplay: () => {
    view.reset();
    connection.reconnect();
  },
});

const connection = new Connection({
  onEvent: (event) => view.add(event),
  onStatus: (state, text) => {
    const pill = $('connection');
    pill.className = `connection ${state}`;
    pill.textContent = text;
  },
  onProblem: (text) => {
    const problem = $('problem');
    problem.hidden = !text;
    problem.textContent = text || '';
  },
  resumeAfter: (session) => view.resumeAfter(session),
  onTooBig: () => view.resume.shrink(),
  onRestart: () => view.restarted(),
  onReplay: (on) => view.replaying(on),
});

const sessions = new SessionList({
  list: $('session-list'), count: $('session-count'), filter: $('session-filter'), more: $('session-more'),
}, (session) => {
  showText($('viewing'), session === '*' ? 'All sessions' : `Session ${session}`, true);
  const url = new URL(location.href);
  if (session === '*') url.searchParams.delete('session'); else url.searchParams.set('session', session);
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  view.select(session);
  connection.follow(session);
  tryIt.follow(session);
  closeDrawers();
});

const tryIt = new TryIt({
  session: $('try-session'), integration: $('try-integration'), variables: $('try-variables'),
  message: $('try-message'), execute: $('try-execute'), code: $('try-code'), run: $('try-run'),
  answer: $('try-answer'),
}, (session) => {
  // what you run shows up: follow its session unless you are watching all of them
  if (view.selection !== '*' && view.selection !== session) sessions.select(session);
});

// ---- downloads: the session in view from the gateway's history; "All sessions" from what the page holds ----

async function eventsToExport() {
  const session = view.selection;
  if (session === '*') return { name: 'all-sessions', events: view.eventsInView().filter(e => e.session) };
  return { name: session, events: await keptEvents(session) };
}

$('download-har').addEventListener('click', () => eventsToExport().then(({ name, events }) =>
  download(`botgate-${fileName(name)}.har`, JSON.stringify(har(events), null, 2), 'application/json'))
  .catch(reportFailure));
$('download-events').addEventListener('click', () => eventsToExport().then(({ name, events }) =>
  download(`botgate-${fileName(name)}.jsonl`, jsonLines(events.map(strip)), 'application/x-ndjson'))
  .catch(reportFailure));

function fileName(session) {
  return session.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'session';
}

function reportFailure(error) {
  view.add({ kind: 'error', level: 'error', ts: new Date().toISOString(), session: '',
    text: `Download failed: ${error.message}` });
}

// ---- drawers (narrow screens) ----

function toggleDrawer(name) {
  const open = !document.body.classList.contains(`${name}-open`);
  closeDrawers();
  document.body.classList.toggle(`${name}-open`, open);
  $('scrim').hidden = !open;
}

function closeDrawers() {
  document.body.classList.remove('sessions-open', 'tryit-open');
  $('scrim').hidden = true;
}

$('toggle-sessions').addEventListener('click', () => toggleDrawer('sessions'));
$('toggle-tryit').addEventListener('click', () => toggleDrawer('tryit'));
$('scrim').addEventListener('click', closeDrawers);
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closeDrawers(); });

// ---- the token prompt ----

function askForToken(wasWrong) {
  const dialog = $('token-dialog');
  const message = $('token-message');
  message.className = wasWrong ? 'wrong' : '';
  message.textContent = wasWrong
    ? 'The gateway refused that token (401). Enter the configured auth.token.'
    : 'This gateway requires its access token (auth.token).';
  $('connection').className = 'connection offline';
  $('connection').textContent = 'token needed';
  return new Promise((resolve) => {
    $('token-form').onsubmit = () => {
      setToken($('token-input').value.trim());
      $('token-input').value = '';
    };
    // however it closes (submitted, or escaped), the waiting requests try again and ask again if refused
    dialog.onclose = () => resolve();
    if (!dialog.open) dialog.showModal();
    $('token-input').focus();
  });
}

// ---- start ----

window.botgateConsole = { view, connection, sessions }; // for the browser tests and the page benchmark

async function start() {
  const initial = new URLSearchParams(location.search).get('session');
  await Promise.all([
    sessions.load().catch((e) => console.warn('sessions:', e.message)),
    tryIt.load().catch((e) => console.warn('integrations:', e.message)),
  ]);
  if (initial) sessions.select(initial);
  connection.open();
}

start();
