/**
 * Text that came from files — rule, trace, scenario and expectation names, paths, reasons — made safe for where it
 * is written, in one place every command uses:
 * - terminalText: a name printed in a terminal never passes a control character through (ESC could recolour,
 *   retitle or rewrite the screen, BEL rings) nor a bidirectional override that makes text read otherwise than it
 *   is: each is shown as an escape (`\x1b`, `\u202e`);
 * - xmlText: anything can go into XML 1.0 and stay well-formed: markup characters are escaped, and the characters
 *   XML cannot hold at all (C0 controls but tab, LF and CR; U+FFFE, U+FFFF; unpaired surrogates) become U+FFFD.
 */

/** C0 controls, DEL, C1 controls, and the bidirectional marks, embeddings, overrides and isolates. */
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(s: string): string {
  return s.replace(TERMINAL_UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** terminalText for a message of several lines: its line ends stay, every other control character is escaped. */
export function terminalLines(s: string): string {
  return s.split('\n').map(terminalText).join('\n');
}

/** Characters outside XML 1.0's Char production (a surrogate is fine only as half of a pair). */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text for XML content, or (`attribute`) for a quoted attribute value, whose tabs and line ends must be references to survive. */
export function xmlText(s: string, attribute = false): string {
  const escaped = s.replace(NOT_XML, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return attribute ? escaped.replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;') : escaped.replace(/\r/g, '&#13;');
}
