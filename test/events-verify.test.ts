// Host verification of events files: each kind of tampering is built from a real stream of the event writer
// (per-event and checkpoint signing) and the report text is checked exactly.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { eventStream, eventsFuzzTargets, fuzzEventsOnce } from '../harness/fuzz/events.ts';
import { prng } from '../harness/fuzz/mutate.ts';
import { eventWriter } from '../runtime/signing/events.ts';
import { SIGNING_CHECKPOINT, SIGNING_PER_EVENT } from '../runtime/signing/modes.ts';
import { verifyEvents } from '../signing/verify-events.ts';
import { readEvents } from '../signing/event-record.ts';
import { generateKey } from '../signing/keys.ts';
import { signBytes } from '../signing/ed.ts';
import { tbsLength, wrTbs, EVENT_PROTECTED } from '../runtime/signing/cose.ts';
import type { SigningMode } from '../compiler/dsl/rule.ts';
import { syntheticEventsFile, SYNTHETIC_KEY } from '../harness/events-file.ts';

const seedOf = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
const DEV = generateKey('device', 7, seedOf('edgerule test device 7'));
const THIEF = generateKey('device', 7, seedOf('someone else'));
const cat = (a: Uint8Array[]) => new Uint8Array(Buffer.concat(a));

/** 10 events (a critical one 7th), every = 4; flush at the end. Returns each handed-over record. */
const stream = (signing: number) => eventStream(DEV.seed!, 7, signing);

const PER = stream(SIGNING_PER_EVENT);
const CKP = stream(SIGNING_CHECKPOINT);
const report = (items: Uint8Array[] | Uint8Array, signing: SigningMode, key = DEV) =>
  verifyEvents(items instanceof Uint8Array ? items : cat(items), { publicKey: key.publicKey, device: key.device, signing, file: 'ev' }).text;
const text = (...lines: string[]) => lines.join('\n') + '\n';
const PER_HEAD = (n: number, range = '1–10') => `ev: ${n} records (${n} events, 0 checkpoints), seq ${range}, device 7, per-event signing`;
const CKP_HEAD = (n: number, c: number, range = '1–13') => `ev: ${n} records (${n - c} events, ${c} checkpoints), seq ${range}, device 7, checkpoint signing`;

/** Re-signs a COSE record's (modified) payload with another key: a well-formed forgery. */
function resign(item: Uint8Array, change: (payload: Uint8Array) => void, key = THIEF): Uint8Array {
  const out = new Uint8Array(item);
  const payAt = out[7] === 0x58 ? 9 : 10;
  const payLen = out[7] === 0x58 ? out[8] : out[8] * 256 + out[9];
  change(out.subarray(payAt, payAt + payLen));
  const tbs = new Uint8Array(tbsLength(3, payLen));
  wrTbs(tbs, EVENT_PROTECTED, 1, 3, out, payAt, payLen);
  out.set(signBytes(tbs, key.seed!), payAt + payLen + 2);
  return out;
}

/** Offset of the first attached value's float64 in a record payload (after "06 82 fb"). */
const valueAt = (payload: Uint8Array) => Buffer.from(payload).indexOf(Buffer.from([0x06, 0x82, 0xfb])) + 3;

describe('per-event signing', () => {
  test('the untouched stream', () => {
    expect(report(PER, 'per-event')).toBe(text(PER_HEAD(10), 'OK: every record authentic, chained and in sequence'));
  });

  test('a value changed in seq 5', () => {
    const f = PER.map((b) => new Uint8Array(b));
    f[4][9 + valueAt(f[4].subarray(9)) + 1] ^= 0x10;
    expect(report(f, 'per-event')).toBe(text(PER_HEAD(10), 'seq 5: forged: signature does not verify', 'FAIL: 1 forged'));
  });

  test('seq 5 replaced by a record re-signed with another key', () => {
    const f = [...PER];
    f[4] = resign(PER[4], (p) => { p[valueAt(p)] ^= 0x40; });
    expect(report(f, 'per-event')).toBe(text(PER_HEAD(10), 'seq 5: forged: signature does not verify', 'FAIL: 1 forged'));
  });

  test('a forged extra copy next to the genuine record', () => {
    const f = [...PER.slice(0, 5), resign(PER[4], () => {}), ...PER.slice(5)];
    expect(report(f, 'per-event')).toBe(text(PER_HEAD(11), 'seq 5: forged copy: signature does not verify', 'FAIL: 1 forged'));
  });

  test('seq 5 missing; seq 5–7 missing', () => {
    expect(report(PER.filter((_, i) => i !== 4), 'per-event')).toBe(text(PER_HEAD(9), 'seq 5: missing', 'FAIL: 1 missing'));
    expect(report(PER.filter((_, i) => i < 4 || i > 6), 'per-event')).toBe(text(PER_HEAD(7), 'seq 5–7: missing', 'FAIL: 3 missing'));
  });

  test('seq 5 twice; seq 3 replayed at the end', () => {
    expect(report([...PER.slice(0, 5), PER[4], ...PER.slice(5)], 'per-event')).toBe(text(PER_HEAD(11), 'seq 5: duplicated (2 identical copies)', 'FAIL: 1 duplicated'));
    expect(report([...PER, PER[2]], 'per-event')).toBe(text(PER_HEAD(11), 'seq 3: duplicated (2 identical copies)', 'FAIL: 1 duplicated'));
  });

  test('seq 5 and 6 swapped; seq 9 delivered first', () => {
    expect(report([...PER.slice(0, 4), PER[5], PER[4], ...PER.slice(6)], 'per-event')).toBe(text(PER_HEAD(10), 'seq 6: reordered (received before seq 5)', 'FAIL: 1 reordered'));
    expect(report([PER[8], ...PER.filter((_, i) => i !== 8)], 'per-event')).toBe(text(PER_HEAD(10), 'seq 9: reordered (received before seq 1)', 'FAIL: 1 reordered'));
  });

  test('checked with another device\'s key', () => {
    const other = generateKey('device', 8, seedOf('device 8'));
    expect(report(PER, 'per-event', other)).toBe(text(PER_HEAD(10), 'seq 1–10: forged: names device 7, the key belongs to device 8', 'FAIL: 10 forged'));
    const sameId = generateKey('device', 7, seedOf('device 7 bis'));
    expect(report(PER, 'per-event', sameId)).toBe(text(PER_HEAD(10), 'seq 1–10: forged: signature does not verify', 'FAIL: 10 forged'));
  });

  test('a truncated file; garbage after the last record', () => {
    const all = cat(PER);
    const last = all.length - PER[9].length;
    expect(report(all.subarray(0, all.length - 10), 'per-event')).toBe(text(
      PER_HEAD(9, '1–9'),
      `byte ${last}: malformed record, reading stopped (${PER[9].length - 10} bytes not read): byte ${all.length - 66}: field 'signature': fault 40 TRUNCATED: the input ends inside this item`,
      'FAIL: 1 malformed',
    ));
    expect(report(cat([...PER, new Uint8Array([0xff, 0xff])]), 'per-event')).toBe(text(
      PER_HEAD(10),
      `byte ${all.length}: malformed record, reading stopped (2 bytes not read): byte ${all.length}: field 'record': fault 41 WRONG_TYPE: not the CBOR type, tag, length or value the format expects here`,
      'FAIL: 1 malformed',
    ));
  });

  test('a record whose payload is not a valid record, inside a well-formed COSE_Sign1', () => {
    const f = [...PER];
    f[4] = resign(PER[4], (p) => { p[1] = 0x05; }, DEV); // key 0 (type) → 5
    const at = cat(PER.slice(0, 4)).length;
    expect(report(f, 'per-event')).toBe(text(
      PER_HEAD(9),
      `byte ${at}: malformed record: byte ${at + 10}: field 'record': fault 41 WRONG_TYPE: not the CBOR type, tag, length or value the format expects here`,
      'seq 5: missing',
      'FAIL: 1 malformed, 1 missing',
    ));
  });

  test('with the bundle\'s rule ids: events of other rules are named', () => {
    const r = verifyEvents(cat(PER), { publicKey: DEV.publicKey, device: 7, signing: 'per-event', ruleIds: new Set([0, 1, 2]), file: 'ev' }).text;
    expect(r).toBe(text(PER_HEAD(10), 'seq 4: rule 3 is not in the bundle', 'seq 8: rule 3 is not in the bundle', 'FAIL: 2 unknown rule'));
  });

  test('device state lost: a second life reuses sequence numbers (conflicting) and does not chain on (chain broken)', () => {
    const store = new Map<string, Uint8Array>();
    const again: Uint8Array[] = [];
    const w = eventWriter({ device: 7, seed: DEV.seed!, signing: SIGNING_PER_EVENT }, {
      read: (k) => store.get(k) ?? null, write: (k, b) => { if (b.length) store.set(k, new Uint8Array(b)); else store.delete(k); }, record: (b) => again.push(new Uint8Array(b)),
    });
    for (let i = 0; i < 8; i++) { w.emit(9, 0, i, new Float64Array(1), 0); while (!w.work(100)) { /* sign */ } }
    expect(report([...PER.slice(0, 2), ...again.slice(0, 2), ...PER.slice(2)], 'per-event')).toBe(text(
      PER_HEAD(12),
      'seq 1–2: 2 different records, each authentic (key reused or device state lost)',
      'FAIL: 2 conflicting',
    ));
    expect(report([...PER.slice(0, 5), ...again.slice(5, 8)], 'per-event')).toBe(text(PER_HEAD(8, '1–8'), 'seq 6: chain broken: prev hash does not match seq 5', 'FAIL: 1 chain broken'));
  });

  test('an unsigned record in a per-event stream', () => {
    const payload = readEvents(PER[4]).items[0].payload;
    const f = [...PER.slice(0, 4), payload, ...PER.slice(5)];
    expect(report(f, 'per-event')).toBe(text(PER_HEAD(10), 'seq 5: forged: unsigned record in a per-event stream', 'FAIL: 1 forged'));
  });
});

describe('checkpoint signing (checkpoints at seq 5, 9 (after the critical seq 8) and 13)', () => {
  test('the untouched stream', () => {
    expect(readEvents(cat(CKP)).items.map((i) => i.signed ? i.record!.seq : 0).filter(Boolean)).toEqual([5, 9, 13]);
    expect(report(CKP, 'checkpoint')).toBe(text(CKP_HEAD(13, 3), 'OK: every record authentic, chained and in sequence'));
  });

  test('a value changed in the bare record seq 6', () => {
    const f = CKP.map((b) => new Uint8Array(b));
    f[5][valueAt(f[5])] ^= 1;
    expect(report(f, 'checkpoint')).toBe(text(CKP_HEAD(13, 3), 'seq 6: forged: hash does not match the chain from seq 7', 'FAIL: 1 forged'));
  });

  test('the bare record seq 6 missing', () => {
    expect(report(CKP.filter((_, i) => i !== 5), 'checkpoint')).toBe(text(CKP_HEAD(12, 3), 'seq 6: missing', 'FAIL: 1 missing'));
  });

  test('checkpoint seq 5 missing: the records only it covered are unverified', () => {
    expect(report(CKP.filter((_, i) => i !== 4), 'checkpoint')).toBe(text(CKP_HEAD(12, 2), 'seq 1–4: unverified: not covered by a signed checkpoint', 'seq 5: missing', 'FAIL: 1 missing, 4 unverified'));
  });

  test('checkpoint seq 9 with a damaged signature: forged, but the later checkpoint still covers its records', () => {
    const f = CKP.map((b) => new Uint8Array(b));
    f[8][f[8].length - 1] ^= 1;
    expect(report(f, 'checkpoint')).toBe(text(CKP_HEAD(13, 3), 'seq 9: forged: signature does not verify', 'FAIL: 1 forged'));
  });

  test('the last checkpoint missing: the tail is unverified', () => {
    expect(report(CKP.slice(0, 12), 'checkpoint')).toBe(text(CKP_HEAD(12, 2, '1–12'), 'seq 10–12: unverified: not covered by a signed checkpoint', 'FAIL: 3 unverified'));
  });

  test('a checkpoint stripped of its signature (the next checkpoint still covers 1–4); a bare record swapped in order', () => {
    const f = [...CKP];
    f[4] = readEvents(CKP[4]).items[0].payload;
    expect(report(f, 'checkpoint')).toBe(text(CKP_HEAD(13, 3), 'seq 5: forged: checkpoint without a signature', 'FAIL: 1 forged'));
    expect(report([...CKP.slice(0, 5), CKP[6], CKP[5], ...CKP.slice(7)], 'checkpoint')).toBe(text(CKP_HEAD(13, 3), 'seq 7: reordered (received before seq 6)', 'FAIL: 1 reordered'));
  });

  test('checked as a per-event stream (the bundle says per-event): bare records are forged', () => {
    expect(report(CKP, 'per-event')).toBe(text(
      `ev: 13 records (10 events, 3 checkpoints), seq 1–13, device 7, per-event signing`,
      'seq 1–4: forged: unsigned record in a per-event stream',
      'seq 6–8: forged: unsigned record in a per-event stream',
      'seq 10–12: forged: unsigned record in a per-event stream',
      'FAIL: 10 forged',
    ));
  });
});

describe('retransmissions and large files', () => {
  test('an identical copy of a bare record (a retransmission on a lossy link) is a duplicate, not a forgery', () => {
    expect(report([...CKP.slice(0, 7), CKP[5], ...CKP.slice(7)], 'checkpoint')).toBe(text(CKP_HEAD(14, 3), 'seq 6: duplicated (2 identical copies)', 'FAIL: 1 duplicated'));
    expect(report([...CKP, CKP[1]], 'checkpoint')).toBe(text(CKP_HEAD(14, 3), 'seq 2: duplicated (2 identical copies)', 'FAIL: 1 duplicated'));
  });

  const synth = (o: { records: number; firstSeq?: number; every?: number }) => syntheticEventsFile(o);
  const check = (f: Uint8Array, window?: number) => verifyEvents(f, { publicKey: SYNTHETIC_KEY.publicKey, device: 7, file: 'big', window });

  test('130,000 records: checked in bounded memory (no call-stack overflow), every one authentic', () => {
    const r = check(synth({ records: 130_000 }));
    expect(r.text).toBe(text('big: 130000 records (129870 events, 130 checkpoints), seq 1–130000, device 7, checkpoint signing', 'OK: every record authentic, chained and in sequence'));
    expect(r.peakPending).toBeLessThan(2 * 65536);
  });

  test('one record at seq 2·10⁷, or at 2⁵²: the gap is one finding, never walked number by number', () => {
    expect(check(synth({ records: 1, firstSeq: 2e7 })).text).toBe(text(
      'big: 1 record (0 events, 1 checkpoints), seq 20000000–20000000, device 7, per-event signing', 'seq 1–19999999: missing', 'FAIL: 19999999 missing',
    ));
    expect(check(synth({ records: 1, firstSeq: 2 ** 52 })).text).toBe(text(
      'big: 1 record (0 events, 1 checkpoints), seq 4503599627370496–4503599627370496, device 7, per-event signing', 'seq 1–4503599627370495: missing', 'FAIL: 4503599627370495 missing',
    ));
  });

  test('a window of 256 records over 5,000 finds what a check of the whole file finds', () => {
    const whole = synth({ records: 5000, every: 10 });
    const f = readEvents(whole).items.map((i) => whole.subarray(i.offset, i.offset + i.length));
    f.splice(1200, 3);                       // seq 1201–1203 missing (1200 is left unverified)
    f[2400] = new Uint8Array(f[2400]);
    f[2400][30] ^= 1;                        // a bare record changed: forged (2399–2403 unverified)
    f.splice(3000, 0, f[2998]);              // a retransmitted copy
    [f[4000], f[4001]] = [f[4001], f[4000]]; // two swapped
    const file = cat(f);
    const small = check(file, 256);
    expect(small.text).toBe(check(file).text);
    expect(small.text).toBe(text(
      'big: 4998 records (4543 events, 455 checkpoints), seq 1–5000, device 7, checkpoint signing',
      'seq 1200: unverified: not covered by a signed checkpoint', 'seq 1201–1203: missing', 'seq 2399–2403: unverified: not covered by a signed checkpoint',
      'seq 2404: forged: hash does not match the chain from seq 2405', 'seq 3002: duplicated (2 identical copies)', 'seq 4004: reordered (received before seq 4003)',
      'FAIL: 1 forged, 3 missing, 1 duplicated, 1 reordered, 6 unverified',
    ));
    expect(small.peakPending).toBeLessThan(2 * 256 + 4096);
  });
});

describe('nothing crashes', () => {
  // Sized to stay far inside the test timeout on a loaded machine; `npm run fuzz -- --target events` runs long.
  const CASES = 200;
  test(`${2 * CASES} mutated events files: the verifier always answers, never throws, and never calls a changed file OK`, () => {
    const rand = prng(23);
    for (const target of eventsFuzzTargets({ seed: DEV.seed!, publicKey: DEV.publicKey, device: 7 })) {
      for (let i = 0; i < CASES; i++) {
        const problem = fuzzEventsOnce(target, rand);
        expect(problem, `${target.signing} mutation ${i}`).toBeUndefined();
      }
    }
  });
});
