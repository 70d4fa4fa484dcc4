/**
 * Text that came from a peer, made safe to put in front of a person. A terminal obeys what it
 * is given: an escape sequence from a peer's error frame could clear the screen, set the
 * window title or draw a fake "✓ delivered", and a bidirectional override could make a name
 * read as another. So every character that acts on the terminal instead of being drawn is
 * shown as an escape (`\u001b`), visibly, and the peer's words are cut to a stated length.
 */

// C0 controls (newline and tab included: kept only by `printableText`), DEL, C1 controls; the
// bidirectional controls (ALM, LRM, RLM, the embeddings and overrides U+202A–202E, the
// isolates U+2066–2069); the line and paragraph separators; and any lone surrogate half,
// which is not a character at all (with the `u` flag, only an unpaired half matches).
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it finds.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u;
const UNSAFE_BUT_LINES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the same, newline and tab excepted.
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

/** True when the text holds a character that acts on a terminal, or a lone surrogate. */
export const hasUnsafeCharacters = (text: string): boolean => UNSAFE.test(text);

const shownAsEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** At most `max` characters (code points), with `…` when something was cut. */
const cut = (text: string, max: number): string => {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
};

/**
 * One line of a peer's words (an error frame's code or message, a claimed username), safe to
 * print: at most `max` of its characters, every unsafe one (newline included) escaped.
 */
export const printable = (text: string, max: number): string =>
  cut(text, max).replace(UNSAFE_ALL, shownAsEscape);

/**
 * A message's text: newlines and tabs kept (a message may have several lines), everything
 * else that is unsafe escaped. Not cut: a message is already bounded by the protocol.
 */
export const printableText = (text: string): string =>
  text.replace(UNSAFE_BUT_LINES, shownAsEscape);
