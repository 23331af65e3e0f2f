// docs/EVENTS.md's worked examples are what the code produces: the section between its GENERATED markers is
// rebuilt from the real event writer and bundle signer (signing/events-doc.ts) and must match byte for byte.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { DOC_PATH, regenerate } from '../signing/events-doc.ts';
import { readEvents } from '../signing/event-record.ts';
import { verifyBytes } from '../signing/ed.ts';
import { SEVERITY_NAMES } from '../runtime/engine/severity.ts';

test('docs/EVENTS.md examples are up to date (regenerate: node --import ./cli/register-ts.mjs signing/events-doc.ts --write)', () => {
  const doc = readFileSync(DOC_PATH, 'utf8');
  expect(regenerate(doc)).toBe(doc);
});

test('the whole-record hex in the document parses as the record it annotates', () => {
  const doc = readFileSync(DOC_PATH, 'utf8');
  const block = doc.split('Whole record, hex:')[1].split('```')[1];
  const bytes = new Uint8Array(Buffer.from(block.replace(/\s/g, ''), 'hex'));
  const items = readEvents(bytes).items;
  expect(items.length).toBe(1);
  const pub = new Uint8Array(Buffer.from(/public key `([0-9a-f]{64})`/.exec(doc)![1], 'hex'));
  expect(verifyBytes(items[0].signature!, items[0].tbs!, pub)).toBe(true);
  expect(items[0].record).toMatchObject({ type: 0, device: 7, seq: 1, t: 1_700_000_000_000, rule: 3, severity: 2, values: [-36.8485, 174.7633, 310042] });
});

test('the record table names the severities the device uses, in code order (runtime/engine/severity.ts)', () => {
  const doc = readFileSync(DOC_PATH, 'utf8');
  const row = doc.split('\n').find((l) => l.startsWith('| 5 | severity |'));
  expect(row).toBe(`| 5 | severity | uint | ${SEVERITY_NAMES.map((name, code) => `${code} ${name}`).join(', ')}; events only |`);
});
