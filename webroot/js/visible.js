// Text as the page shows it: a character that is invisible or that reorders what follows it (a bidi control, a
// zero-width one, a control character) shows as its code point, marked, so that a session `demo\u200B` does not
// pass for `demo` and a right-to-left override does not turn `gnp.exe` into `exe.png`. Copy buttons still copy
// the text as it is.

/** Marked in every text: they hide, or change the order of what is shown around them. */
const HIDDEN = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B\\u200E\\u200F'
  + '\\u2028-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF\\uFFF9-\\uFFFB';
/**
 * Marked in names (sessions) too, where two names must never look alike: joiners, soft hyphens, fillers and tags,
 * which a message's text may hold for its script or its emoji.
 */
const HIDDEN_IN_NAMES = '\\u00AD\\u034F\\u115F\\u1160\\u17B4\\u17B5\\u200C\\u200D\\u3164\\uFFA0\\u{E0000}-\\u{E007F}';

const IN_TEXT = new RegExp(`[${HIDDEN}]`, 'u');
const IN_NAME = new RegExp(`[${HIDDEN}${HIDDEN_IN_NAMES}]`, 'u');
const ALL_IN_TEXT = new RegExp(`[${HIDDEN}]`, 'gu');
const ALL_IN_NAME = new RegExp(`[${HIDDEN}${HIDDEN_IN_NAMES}]`, 'gu');

/** Puts a text in an element as text, its hidden characters marked; `name` for a session's name. */
export function showText(element, text, name = false) {
  const value = text === null || text === undefined ? '' : String(text);
  if (!(name ? IN_NAME : IN_TEXT).test(value)) {
    if (element.textContent !== value || element.childElementCount) element.textContent = value;
    return;
  }
  const parts = [];
  let from = 0;
  for (const match of value.matchAll(name ? ALL_IN_NAME : ALL_IN_TEXT)) {
    if (match.index > from) parts.push(value.slice(from, match.index));
    const mark = document.createElement('span');
    mark.className = 'hidden-char';
    mark.textContent = codePoint(match[0]);
    mark.title = 'a character that does not show, or that changes the order of what does';
    parts.push(mark);
    from = match.index + match[0].length;
  }
  if (from < value.length) parts.push(value.slice(from));
  element.replaceChildren(...parts);
}

/** The text for a tooltip or the address bar's title: hidden characters written as their code points. */
export function plainText(text, name = false) {
  return written(text, name, (c) => `[${codePoint(c)}]`);
}

/** The text as a row shows it, for the search: each hidden character as its code point, unbracketed (U+202E). */
export function shownText(text, name = false) {
  return written(text, name, codePoint);
}

function written(text, name, write) {
  const value = text === null || text === undefined ? '' : String(text);
  // most texts hold none: no copy of a 16 KiB text for each row drawn
  if (!(name ? IN_NAME : IN_TEXT).test(value)) return value;
  return value.replace(name ? ALL_IN_NAME : ALL_IN_TEXT, write);
}

function codePoint(c) {
  return `U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
