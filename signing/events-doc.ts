/**
 * Generates the worked examples of docs/EVENTS.md (between its GENERATED markers) by running the real event
 * writer and bundle signer with fixed keys; test/events-doc.test.ts checks that the document still says this.
 *   node --import ./cli/register-ts.mjs signing/events-doc.ts --write     rewrites the section in place
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventWriter, type WriterConfig } from '../runtime/signing/events.ts';
import { SIGNING_CHECKPOINT, SIGNING_PER_EVENT } from '../runtime/signing/modes.ts';
import { tbsLength, COSE_SIGN1_TAG, COSE_SIGN1_HEAD, COSE_LABEL_ALG, COSE_LABEL_CRIT, COSE_LABEL_KID, EVENT_PROTECTED } from '../runtime/signing/cose.ts';
import { LABEL_VERSION, LABEL_PROFILE, LABEL_CATALOGUE, LABEL_SIGNING } from '../runtime/signing/signed-bundle.ts';
import * as R from '../runtime/signing/record.ts';
import { CATALOGUE_HASH } from '../runtime/engine/catalogue.generated.ts';
import { generateKey, keyId } from './keys.ts';
import { protectedHeader } from './bundle.ts';
import { chainHash, hex } from './ed.ts';

export const DOC_PATH = fileURLToPath(new URL('../docs/EVENTS.md', import.meta.url));
const BEGIN = '<!-- BEGIN GENERATED EXAMPLES (node --import ./cli/register-ts.mjs signing/events-doc.ts --write) -->';
const END = '<!-- END GENERATED EXAMPLES -->';

const seedOf = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());

const RECORD_KEYS: Record<number, string> = {
  [R.KEY_TYPE]: 'type', [R.KEY_DEVICE]: 'device', [R.KEY_SEQ]: 'seq', [R.KEY_TIME]: 'time (ms)', [R.KEY_RULE]: 'rule',
  [R.KEY_SEVERITY]: 'severity', [R.KEY_VALUES]: 'values', [R.KEY_PREV]: 'prev', [R.KEY_DROPPED]: 'dropped', [R.KEY_DROPPED_TOTAL]: 'dropped total',
};
const HEADER_KEYS: Record<number, string> = {
  [COSE_LABEL_ALG]: 'alg', [COSE_LABEL_CRIT]: 'crit', [COSE_LABEL_KID]: 'kid', [LABEL_VERSION]: 'version', [LABEL_PROFILE]: 'profile',
  [LABEL_CATALOGUE]: 'catalogue hash', [LABEL_SIGNING]: 'event signing',
};

/** One line per CBOR item: offset, its head (and short content) in hex, and what it is. */
function annotate(b: Uint8Array, keys: Record<number, string>, base = 0): string[] {
  const lines: string[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const row = (at: number, len: number, depth: number, what: string) => {
    const h = hex(b.subarray(at, at + len));
    const shown = h.length > 36 ? `${h.slice(0, 34)}…` : h;
    lines.push(`${String(base + at).padStart(4)}  ${('  '.repeat(depth) + shown).padEnd(40)} ${what}`);
  };
  const head = (at: number): { major: number; val: number; len: number } => {
    const ib = b[at];
    const ai = ib & 31;
    const n = ai < 24 ? 0 : ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : 8;
    let val = ai < 24 ? ai : 0;
    for (let i = 1; i <= n; i++) val = val * 256 + b[at + i];
    return { major: ib >> 5, val, len: 1 + n };
  };
  const item = (at: number, depth: number, label: string): number => {
    const h = head(at);
    const pre = label ? `${label}: ` : '';
    switch (h.major) {
      case 0: row(at, h.len, depth, `${pre}${h.val}`); return at + h.len;
      case 1: row(at, h.len, depth, `${pre}${-1 - h.val}`); return at + h.len;
      case 2: row(at, h.len + h.val, depth, `${pre}${h.val} bytes`); return at + h.len + h.val;
      case 3: row(at, h.len + h.val, depth, `${pre}"${Buffer.from(b.subarray(at + h.len, at + h.len + h.val)).toString('latin1')}"`); return at + h.len + h.val;
      case 4: {
        row(at, h.len, depth, `${pre}array(${h.val})`);
        let p = at + h.len;
        for (let i = 0; i < h.val; i++) p = item(p, depth + 1, '');
        return p;
      }
      case 5: {
        row(at, h.len, depth, `${pre}map(${h.val})`);
        let p = at + h.len;
        for (let i = 0; i < h.val; i++) {
          const k = head(p);
          const key = k.major === 0 ? k.val : -1 - k.val;
          row(p, k.len, depth + 1, `key ${key}`);
          p = item(p + k.len, depth + 2, keys[key] ?? String(key));
        }
        return p;
      }
      case 6: row(at, h.len, depth, `${pre}tag ${h.val}${h.val === COSE_SIGN1_TAG ? ' (COSE_Sign1)' : ''}`); return item(at + h.len, depth + 1, '');
      default: row(at, 9, depth, `${pre}float64 ${dv.getFloat64(at + 1, false)}`); return at + 9;
    }
  };
  let p = 0;
  while (p < b.length) p = item(p, 0, '');
  return lines;
}

/** Where the record inside a handed-over item lies: [start, length] (the device's own reading). */
function recordSpan(c: Uint8Array): [number, number] {
  const span = new Float64Array(2);
  R.recordSpan(c, 0, c.length, span);
  return [span[0], span[1]];
}

/** A COSE_Sign1 event: its parts by name, then the record inside annotated at its own offsets. */
function annotateCose(c: Uint8Array): string[] {
  const [payAt, payLen] = recordSpan(c);
  const row = (at: number, len: number, what: string) => {
    const h = hex(c.subarray(at, at + len));
    return `${String(at).padStart(4)}  ${(h.length > 36 ? `${h.slice(0, 34)}…` : h).padEnd(40)} ${what}`;
  };
  return [
    row(0, 1, `tag ${COSE_SIGN1_TAG} (COSE_Sign1)`),
    row(1, 1, 'array(4)'),
    row(2, 4, "protected: bstr(3) {1: -8} (alg EdDSA)"),
    row(6, 1, 'unprotected: {}'),
    row(7, payAt - 7, `payload: bstr(${payLen}), the record:`),
    ...annotate(c.subarray(payAt, payAt + payLen), RECORD_KEYS, payAt).map((l) => l.slice(0, 6) + '    ' + l.slice(6)),
    row(payAt + payLen, 66, 'signature: bstr(64)'),
  ];
}

function block(lines: string[]): string {
  return '```\n' + lines.join('\n') + '\n```';
}

/** Runs a writer and returns every record it hands over. */
function records(cfg: WriterConfig, run: (w: ReturnType<typeof eventWriter>) => void): Uint8Array[] {
  const store = new Map<string, Uint8Array>();
  const out: Uint8Array[] = [];
  const w = eventWriter(cfg, {
    read: (k) => store.get(k) ?? null,
    write: (k, b) => { if (b.length) store.set(k, new Uint8Array(b)); else store.delete(k); },
    record: (b) => out.push(new Uint8Array(b)),
  });
  run(w);
  while (!w.work(1000)) { /* sign */ }
  return out;
}

export function generatedExamples(): string {
  const dev = generateKey('device', 7, seedOf('edgerule docs device 7'));
  const build = generateKey('build', undefined, seedOf('edgerule docs build key'));
  const values = new Float64Array([-36.8485, 174.7633, 310042]);
  const T = 1_700_000_000_000;
  const per = records({ device: 7, seed: dev.seed!, signing: SIGNING_PER_EVENT }, (w) => {
    w.emit(3, 2, T, values, 3);
    w.emit(5, 0, T + 1500.25, values, 0);
  });
  const [first, second] = per;
  const payload = (c: Uint8Array) => { const [at, len] = recordSpan(c); return c.subarray(at, at + len); };
  const p1 = payload(first);
  const tbs = new Uint8Array(tbsLength(EVENT_PROTECTED.length - 1, p1.length));
  R.eventTbs(tbs, p1, 0, p1.length);
  const ckp = records({ device: 7, seed: dev.seed!, signing: SIGNING_CHECKPOINT, every: 2 }, (w) => {
    w.emit(5, 0, T, values, 1);
    w.emit(5, 1, T + 60_000, values, 1);
  });
  const dropped = records({ device: 7, seed: dev.seed!, signing: SIGNING_PER_EVENT, capacity: 2 }, (w) => {
    for (let i = 0; i < 4; i++) {
      w.emit(5, 0, T + i * 1000, values, 0);
      while (!w.work(1000)) { /* sign */ }
    }
  });
  const last = dropped[dropped.length - 1];
  const prot = protectedHeader(build.publicKey.subarray(0, 8), CATALOGUE_HASH, { version: 12, profile: 'container-tracker', signing: 'checkpoint' });
  return [
    BEGIN,
    `Keys: the device key's seed is SHA-256("edgerule docs device 7") (public key \`${hex(dev.publicKey)}\`); the build key's seed is SHA-256("edgerule docs build key") (key id \`${keyId(build.publicKey)}\`).`,
    '',
    `### 1. A critical event, per-event signing (device 7, seq 1, rule 3, t = ${T}, three values)`,
    '',
    `The record (${p1.length} bytes); it is the first, so \`prev\` is 32 zero bytes:`,
    '',
    block(annotate(p1, RECORD_KEYS)),
    '',
    `What the device hands over: the record wrapped in a COSE_Sign1 (${first.length} bytes):`,
    '',
    block(annotateCose(first)),
    '',
    'The bytes signed (Sig_structure `["Signature1", h\'a10127\', h\'\', record]`):',
    '',
    block([hex(tbs).replace(/(.{64})/g, '$1\n').trim()]),
    '',
    'Whole record, hex:',
    '',
    block([hex(first).replace(/(.{64})/g, '$1\n').trim()]),
    '',
    `### 2. The next record: \`prev\` is the first 32 bytes of SHA-512 of record 1's CBOR bytes`,
    '',
    `SHA-512(record 1)[0…31] = \`${hex(chainHash(p1))}\`; record 2 (an info event with no values and a time that is not an integer, so a float64):`,
    '',
    block(annotate(payload(second), RECORD_KEYS)),
    '',
    '### 3. Checkpoint signing (every 2 records): two bare records, then a signed checkpoint over the chain head',
    '',
    block(ckp.flatMap((r, i) => [`# item ${i + 1} (${r.length} bytes)`, ...(r[0] === COSE_SIGN1_HEAD ? annotateCose(r) : annotate(r, RECORD_KEYS))])),
    '',
    `### 4. A record after the queue (2 slots, nothing acknowledged) dropped two records`,
    '',
    'Key 8 lists the dropped ranges `[first, last, count, prev hash of first]`, key 9 counts every record dropped so far:',
    '',
    block(annotate(payload(last), RECORD_KEYS)),
    '',
    '### 5. The protected header of a signed bundle (version 12, profile container-tracker, checkpoint signing)',
    '',
    block(annotate(prot, HEADER_KEYS)),
    END,
  ].join('\n');
}

/** The document with its generated section replaced. */
export function regenerate(doc: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${DOC_PATH}: generated-section markers not found`);
  return doc.slice(0, a) + generatedExamples() + doc.slice(b + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = readFileSync(DOC_PATH, 'utf8');
  const next = regenerate(doc);
  if (process.argv.includes('--write')) {
    writeFileSync(DOC_PATH, next);
    console.log(next === doc ? 'docs/EVENTS.md is up to date' : 'rewrote the examples in docs/EVENTS.md');
  } else {
    process.stdout.write(generatedExamples() + '\n');
  }
}
