// Wires the console page: session list, event stream, live connection and the try-it panel.
import { Connection } from './connection.js';
import { SessionList } from './sessions.js';
import { StreamView } from './stream.js';
import { TryIt } from './tryit.js';

const $ = (id) => document.getElementById(id);

const view = new StreamView({
  container: $('stream'), levels: $('levels'), search: $('search'), pause: $('pause'), clear: $('clear'),
  jump: $('jump'), notice: $('notice'),
});

const connection = new Connection({
  onEvent: (event) => {
    if (view.add(event) && event.session) sessions.seen(event);
  },
  onStatus: (state, text) => {
    const pill = $('connection');
    pill.className = `connection ${state}`;
    pill.textContent = text;
  },
  lastSeqs: () => view.lastSeq,
  onRestart: () => view.restarted(),
});

const sessions = new SessionList($('session-list'), (session) => {
  $('viewing').textContent = session === '*' ? 'All sessions' : `Session ${session}`;
  view.select(session);
  connection.follow(session);
});

new TryIt({
  session: $('try-session'), integration: $('try-integration'), variables: $('try-variables'),
  message: $('try-message'), execute: $('try-execute'), code: $('try-code'), run: $('try-run'),
  answer: $('try-answer'),
}, (session) => {
  // what you run shows up: follow its session unless you are watching all of them
  if (view.selection !== '*' && view.selection !== session) sessions.select(session);
}).load();

const initial = new URLSearchParams(location.search).get('session');
sessions.load().then(() => { if (initial) sessions.select(initial); });
connection.open();
