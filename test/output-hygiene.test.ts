/**
 * Names from files never break the output they are written to (cli/safe-text.ts): JUnit XML stays well-formed for
 * any Unicode in a name (U+FFFE, U+FFFF, unpaired surrogates and C0 controls used to pass through), and names
 * printed in the terminal never pass control characters (ESC, BEL) or bidirectional overrides through raw.
 */
import { describe, expect, test } from 'vitest';
import { junitXml, expectationText, type ExpectationReport } from '../simulator/expect.ts';
import { eventLine } from '../simulator/summary.ts';
import { terminalText, terminalLines, xmlText } from '../cli/safe-text.ts';

/** A name with every kind of trouble: ESC and an OSC title sequence ended by BEL, NUL, U+FFFE, U+FFFF, lone surrogates, an RTL override, and a real emoji. */
const NASTY = 'door\u001b]0;owned\u0007 \u0000x\ufffe\uffff\ud800y\udc00 \u202eevil\u202c 📦 & <tag> "q"\ttab\nline';

/** XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** The value of every name="…" attribute, references resolved. */
function attributes(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(` ${name}="([^"<]*)"`, 'g'))].map((m) => m[1]
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

describe('JUnit XML', () => {
  const report: ExpectationReport = {
    name: NASTY, suite: `suite ${NASTY}`, passed: 1, failed: 1, ok: false,
    cases: [{ name: `expect ${NASTY}`, ok: true }, { name: `forbid ${NASTY}`, ok: false, message: `fired: ${NASTY}`, detail: `+1s ${NASTY}` }],
  };
  const xml = junitXml([report], `run ${NASTY}`);

  test('every character is one XML 1.0 allows, whatever the names held', () => {
    const bad = [...xml].filter((c) => !isXmlChar(c.codePointAt(0)!));
    expect(bad.map((c) => c.codePointAt(0)!.toString(16))).toEqual([]);
  });

  test('names survive, with only the characters XML cannot hold replaced by U+FFFD, and markup escaped', () => {
    const want = NASTY.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
    expect(attributes(xml, 'name')).toEqual([`run ${want}`, `suite ${want}`, `expect ${want}`, `forbid ${want}`]);
    expect(attributes(xml, 'message')).toEqual([`fired: ${want}`]);
    expect(xml).not.toMatch(/name="[^"]*[<&][^;]*"/);
    expect(xmlText('a\r\nb', true)).toBe('a&#13;&#10;b');
  });
});

describe('terminal', () => {
  const ESC_OR_BEL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  test('terminalText shows control characters and bidirectional overrides as escapes', () => {
    expect(terminalText('a\u001b[2Jb\u0007c\u202ed\u009be\tf')).toBe('a\\x1b[2Jb\\x07c\\u202ed\\x9be\\x09f');
    expect(terminalLines('one\u001b\ntwo')).toBe('one\\x1b\ntwo');
    expect(terminalText('plain — ümlaut 📦')).toBe('plain — ümlaut 📦');
  });

  test('an event line and the expectations text print names without their control characters', () => {
    const line = eventLine({ index: 0, t: 0, rel: 0, ruleId: 0, rule: NASTY, severity: 'critical', values: { [NASTY]: 1 }, units: {} });
    expect(line).not.toMatch(ESC_OR_BEL);
    expect(line).toContain('door\\x1b]0;owned\\x07');
    const text = expectationText({ name: NASTY, suite: 's', passed: 0, failed: 1, ok: false, cases: [{ name: `expect ${NASTY}`, ok: false, message: NASTY }] });
    expect(text).not.toMatch(ESC_OR_BEL);
  });

  test('in colour, the only escape sequences are the colours the simulator adds', () => {
    const line = eventLine({ index: 0, t: 0, rel: 0, ruleId: 0, rule: NASTY, severity: 'critical', values: {}, units: {} }, true);
    expect(line.replace(/\u001b\[\d+m/g, '')).not.toMatch(ESC_OR_BEL);
  });
});
