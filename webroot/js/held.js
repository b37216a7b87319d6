// What the page holds of one event, bounded by size: its text and every string in its data are cut at
// CUT_CHARS with a visible marker, so that a stream of large events costs the page about CUT_CHARS each. The
// whole event stays in the gateway's history, from which an opened row fetches it.
export const CUT_CHARS = 16 * 1024;
const MEMBER_CHARS = 8; // what a member name, a number or a literal costs beside its strings, roughly

/**
 * Cuts in place the event's strings over CUT_CHARS and notes on it (`_cut`) how many characters were left out.
 * Answers the characters the event holds, about: its share of the page's budget.
 */
export function hold(event) {
  let size = MEMBER_CHARS * 8;
  let cut = 0;
  const keep = (text) => {
    if (text.length <= CUT_CHARS) return text;
    const end = cutAt(text);
    cut += text.length - end;
    return cutText(text, end);
  };
  if (typeof event.text === 'string') event.text = keep(event.text);
  for (const key of ['text', 'session', 'ts', 'kind', 'level']) {
    if (typeof event[key] === 'string') size += event[key].length;
  }
  if (event.data !== null && typeof event.data === 'object') {
    // a loop over a stack of containers, not a recursion: a deep value cannot exhaust the page's call stack
    const stack = [event.data];
    while (stack.length) {
      const container = stack.pop();
      for (const key of Object.keys(container)) {
        const value = container[key];
        size += key.length + MEMBER_CHARS;
        if (typeof value === 'string') {
          container[key] = keep(value);
          size += container[key].length;
        } else if (value !== null && typeof value === 'object') {
          stack.push(value);
        }
      }
    }
  }
  if (cut) event._cut = cut;
  return size;
}

/** Where a text over CUT_CHARS is cut: not inside a surrogate pair. */
function cutAt(text) {
  const last = text.charCodeAt(CUT_CHARS - 1);
  return last >= 0xd800 && last <= 0xdbff ? CUT_CHARS - 1 : CUT_CHARS;
}

/** The text's first `end` characters and a marker saying how many more there were. */
function cutText(text, end) {
  const kept = `${text.slice(0, end)}… (cut: ${(text.length - end).toLocaleString('en-US')} characters)`;
  // a slice of a string may keep the whole of it alive in V8: a copy holds only its own characters
  return JSON.parse(JSON.stringify(kept));
}
