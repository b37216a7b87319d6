// A JSON value as a collapsible tree, built from text nodes only. Large values are cut at MAX_NODES
// entries, saying how many more there were.
import { showText } from './visible.js';

const MAX_NODES = 2000;
const OPEN_DEPTH = 2;

export function jsonTree(value) {
  const root = document.createElement('div');
  root.className = 'tree';
  const budget = { left: MAX_NODES };
  root.append(node(null, value, 0, budget));
  return root;
}

function node(key, value, depth, budget) {
  budget.left--;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const box = document.createElement('details');
    box.open = depth < OPEN_DEPTH;
    const summary = document.createElement('summary');
    if (key !== null) summary.append(keyOf(key));
    summary.append(Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`);
    box.append(summary);
    let shown = 0;
    for (const [k, v] of entries) {
      if (budget.left <= 0) break;
      box.append(node(k, v, depth + 1, budget));
      shown++;
    }
    if (shown < entries.length) {
      const more = document.createElement('div');
      more.className = 'entry note';
      more.textContent = `… ${entries.length - shown} more not shown`;
      box.append(more);
    }
    return box;
  }
  const entry = document.createElement('div');
  entry.className = 'entry';
  if (key !== null) entry.append(keyOf(key));
  const leaf = document.createElement('span');
  leaf.className = value === null ? 'null' : typeof value === 'string' ? 'str' : typeof value === 'number' ? 'num' : 'bool';
  showText(leaf, JSON.stringify(value));
  entry.append(leaf);
  return entry;
}

function keyOf(key) {
  const span = document.createElement('span');
  span.className = 'key';
  showText(span, typeof key === 'number' ? `${key}: ` : `${JSON.stringify(key)}: `, true);
  return span;
}
