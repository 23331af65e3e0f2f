// The event writer (runtime/signing/events.ts) on Node: records, chain and sequence across restarts and power loss,
// checkpoint triggers, the bounded queue's drop policy (oldest low-severity first, never critical, counted and
// reported), sliced signing that keeps emit() short, determinism whatever the slicing, and bad input.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { eventWriter, type EventHost, type WriterConfig } from '../runtime/signing/events.ts';
import { SIGNING_CHECKPOINT, SIGNING_PER_EVENT } from '../runtime/signing/modes.ts';
import * as S from '../runtime/signing/signed-faults.ts';
import { readEvents } from '../signing/event-record.ts';
import { verifyEvents } from '../signing/verify-events.ts';
import { recordSpan, eventTbs, EVENT_TBS_MAX } from '../runtime/signing/record.ts';
import { keyFromSeed, newSignCtx, signBegin, signStep } from '../runtime/signing/crypto/ed25519.ts';
import { Decoder, Tag } from 'cbor-x';
import { cbor } from '../signing/bundle.ts';
import { verifyBytes } from '../signing/ed.ts';
import { generateKey } from '../signing/keys.ts';
import { fuzzWriterOnce } from '../harness/fuzz/writer-state.ts';
import { prng } from '../harness/fuzz/mutate.ts';

const WRITER_FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 300);

const seedOf = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
const DEV = generateKey('device', 7, seedOf('edgerule test device 7'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const V = new Float64Array(8);

class Device implements EventHost {
  store = new Map<string, Uint8Array>();
  out: Array<{ seq: number; cls: number; bytes: Uint8Array }> = [];
  /** Writes to ignore (simulated power loss before they reach flash). */
  lose = new Set<string>();
  read(k: string) { return this.store.get(k) ?? null; }
  write(k: string, b: Uint8Array) {
    if (this.lose.delete(k)) return;
    if (b.length) this.store.set(k, new Uint8Array(b));
    else this.store.delete(k);
  }
  record(bytes: Uint8Array, seq: number, cls: number) { this.out.push({ seq, cls, bytes: new Uint8Array(bytes) }); }
  file(): Uint8Array { return new Uint8Array(Buffer.concat(this.out.map((r) => r.bytes))); }
  seqs(): number[] { return this.out.map((r) => r.seq); }
}

const cfg = (over: Partial<WriterConfig> = {}): WriterConfig => ({ device: 7, seed: DEV.seed!, signing: SIGNING_PER_EVENT, ...over });
const drain = (w: ReturnType<typeof eventWriter>) => { while (!w.work(1000)) { /* sign everything */ } };
const verify = (d: Device, signing: 'per-event' | 'checkpoint') => verifyEvents(d.file(), { publicKey: DEV.publicKey, device: 7, signing, file: 'f' });

describe('records, chain and sequence', () => {
  test('per-event: each record is a COSE_Sign1 over the CBOR record; the chain and signatures verify', () => {
    const d = new Device();
    const w = eventWriter(cfg(), d);
    expect(hex(w.publicKey)).toBe(hex(DEV.publicKey));
    for (let i = 0; i < 5; i++) {
      V[0] = i / 3;
      w.emit(i, i % 3, 1000 * i, V, 1);
      drain(w);
    }
    expect(d.seqs()).toEqual([1, 2, 3, 4, 5]);
    const items = readEvents(d.file()).items;
    expect(items.map((i) => [i.signed, i.record!.seq, i.record!.rule, i.record!.severity, i.record!.t, i.record!.values])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [true, i + 1, i, i % 3, 1000 * i, [i / 3]]),
    );
    expect(hex(items[0].record!.prev)).toBe('00'.repeat(32));
    expect(hex(items[1].record!.prev)).toBe(items[0].hash);
    expect(verify(d, 'per-event').text).toBe('f: 5 records (5 events, 0 checkpoints), seq 1–5, device 7, per-event signing\nOK: every record authentic, chained and in sequence\n');
  });

  test('sequence and chain survive a restart, also with records still waiting for their signature', () => {
    const d = new Device();
    let w = eventWriter(cfg(), d);
    w.emit(1, 0, 1, V, 0);
    drain(w);
    w.emit(1, 0, 2, V, 0); // not signed before the restart
    w = eventWriter(cfg(), d);
    expect([w.nextSeq(), w.queued(), w.fault]).toEqual([3, 2, 0]);
    w.emit(1, 0, 3, V, 0);
    drain(w);
    expect(d.seqs()).toEqual([1, 2, 3]);
    expect(verify(d, 'per-event').ok).toBe(true);
  });

  test('power lost between the record and the state write: the queue tells the writer where it was', () => {
    const d = new Device();
    let w = eventWriter(cfg(), d);
    w.emit(1, 0, 1, V, 0);
    d.lose.add('es');
    w.emit(1, 0, 2, V, 0); // slot persisted, state not
    w = eventWriter(cfg(), d);
    expect(w.nextSeq()).toBe(3);
    w.emit(1, 0, 3, V, 0);
    drain(w);
    expect(d.seqs()).toEqual([1, 2, 3]);
    expect(verify(d, 'per-event').ok).toBe(true);
  });

  test('values: NaN and −0 are written canonically (7ff8…, +0); integral times as uint, others as float64', () => {
    const d = new Device();
    const w = eventWriter(cfg({ signing: SIGNING_CHECKPOINT }), d);
    const v = new Float64Array([NaN, -0, -NaN, Infinity]);
    w.emit(0, 0, 1.5, v, 4);
    const bare = hex(d.out[0].bytes);
    expect(bare).toContain('0684fb7ff8000000000000fb0000000000000000fb7ff8000000000000fb7ff0000000000000');
    expect(bare).toContain('03fb3ff8000000000000'); // t = 1.5
  });
});

describe('checkpoint mode', () => {
  test('a signed checkpoint after every N records, at once after a critical one, and after T ms', () => {
    const d = new Device();
    const w = eventWriter(cfg({ signing: SIGNING_CHECKPOINT, every: 3, period: 10_000 }), d);
    w.emit(1, 0, 0, V, 0);
    w.emit(1, 1, 100, V, 0);
    w.emit(1, 0, 200, V, 0); // third: checkpoint 4
    w.emit(2, 2, 300, V, 0); // critical: checkpoint 6
    w.emit(1, 0, 400, V, 0);
    w.tick(10_399);
    w.tick(10_400); // T after the first uncovered record: checkpoint 8
    drain(w);
    const items = readEvents(d.file()).items;
    expect(items.map((i) => `${i.record!.seq}${i.signed ? 'S' : ''}:${i.record!.type}`)).toEqual(['1:0', '2:0', '3:0', '4S:1', '5:0', '6S:1', '7:0', '8S:1']);
    expect(items[7].record!.t).toBe(10_400);
    expect(verify(d, 'checkpoint').text).toBe('f: 8 records (5 events, 3 checkpoints), seq 1–8, device 7, checkpoint signing\nOK: every record authentic, chained and in sequence\n');
  });

  test('flush() signs a checkpoint over the tail; records are handed over in sequence order', () => {
    const d = new Device();
    const w = eventWriter(cfg({ signing: SIGNING_CHECKPOINT, every: 10 }), d);
    w.emit(1, 0, 0, V, 0);
    w.emit(1, 0, 1, V, 0);
    expect(verify(d, 'checkpoint').text).toContain('seq 1–2: unverified: not covered by a signed checkpoint');
    w.flush(5);
    expect(d.seqs()).toEqual([1, 2, 3]);
    expect(verify(d, 'checkpoint').ok).toBe(true);
  });
});

describe('bounded queue', () => {
  test('full: the oldest low-severity records go first, never a critical one; drops are counted and reported', () => {
    const d = new Device();
    const w = eventWriter(cfg({ capacity: 4 }), d);
    const sev = [2, 0, 1, 0, 2, 0, 0, 1, 0];
    sev.forEach((s, i) => { w.emit(10 + i, s, i * 1000, V, 0); drain(w); });
    expect(w.dropped()).toBe(5);
    // Queue: the two critical records (1, 5) and the newest two.
    const kept = [0, 1, 2, 3].map((i) => readEvents(w.record(i)!).items[0].record!.seq);
    expect(kept).toEqual([1, 5, 8, 9]);
    const last = readEvents(d.out[d.out.length - 1].bytes).items[0].record!;
    expect(last.drops.map((r) => [r.first, r.last, r.count])).toEqual([[2, 4], [6, 7]].map(([a, b]) => [a, b, b - a + 1]));
    expect(last.droppedTotal).toBe(5);
    // Everything was handed over before it was dropped, so nothing is missing here.
    expect(verify(d, 'per-event').ok).toBe(true);
    // The backend lost those records: the verifier sees the device's signed account of them.
    const lost = new Device();
    lost.out = d.out.filter((r) => ![2, 3, 4, 6, 7].includes(r.seq));
    expect(verify(lost, 'per-event').text).toBe([
      'f: 4 records (4 events, 0 checkpoints), seq 1–9, device 7, per-event signing',
      'seq 2–4: dropped by the device (reported in seq 9)',
      'seq 6–7: dropped by the device (reported in seq 9)',
      'OK: every record authentic, chained and in sequence (5 dropped by the device, reported in signed records)',
      '',
    ].join('\n'));
  });

  test('acknowledged records leave the queue; ranges they carried are not repeated', () => {
    const d = new Device();
    const w = eventWriter(cfg({ capacity: 2 }), d);
    for (let i = 0; i < 4; i++) { w.emit(1, 0, i, V, 0); drain(w); }
    expect(readEvents(d.out[3].bytes).items[0].record!.drops.length).toBe(1);
    w.ack(4);
    expect(w.queued()).toBe(0);
    w.emit(1, 0, 9, V, 0);
    drain(w);
    const r = readEvents(d.out[4].bytes).items[0].record!;
    expect([r.seq, r.drops.length, r.droppedTotal]).toEqual([5, 0, 2]);
  });

  test('a queue of only critical records: a new critical record is still signed and handed over, with SF_QUEUE_FULL', () => {
    const d = new Device();
    const w = eventWriter(cfg({ capacity: 2 }), d);
    for (let i = 0; i < 3; i++) { w.emit(1, 2, i, V, 0); drain(w); }
    expect(w.fault).toBe(S.SF_QUEUE_FULL);
    expect(d.seqs()).toEqual([1, 2, 3]);
    expect([w.queued(), w.dropped()]).toEqual([2, 0]);
    w.emit(1, 0, 9, V, 0); // a low-severity record has nowhere to go: dropped itself, reported by the next
    w.emit(1, 2, 10, V, 0);
    expect(w.dropped()).toBe(1);
    expect(verify(d, 'per-event').text).toContain('seq 4: dropped by the device (reported in seq 5)');
  });
});

describe('slicing and determinism', () => {
  // Work is counted in the signer's own units (signStep), never timed: a timed bound fails on a loaded machine.
  test('emit() never signs; work(1) runs one unit of signing per call; output bytes do not depend on the slicing', () => {
    const run = (units: number) => {
      const d = new Device();
      const w = eventWriter(cfg({ signing: SIGNING_PER_EVENT }), d);
      let calls = 0;
      for (let i = 0; i < 6; i++) {
        V[0] = i * 1.25;
        const before = d.out.length;
        w.emit(3, i % 3, i * 500, V, 1);
        expect(d.out.length, 'emit() hands over nothing before its signature is made').toBe(before);
        for (;;) {
          const idle = w.work(units);
          calls++;
          if (idle) break;
        }
      }
      return { d, file: hex(d.file()), calls };
    };
    const fine = run(1);
    const coarse = run(1000);
    expect(fine.file).toBe(coarse.file);
    // Units one signature of each handed-over record takes when signed alone, one unit per signStep call.
    const key = keyFromSeed(DEV.seed!);
    const units = fine.d.out.map(({ bytes }) => {
      const span = new Float64Array(2);
      recordSpan(bytes, 0, bytes.length, span);
      const tbs = new Uint8Array(EVENT_TBS_MAX);
      const ctx = newSignCtx();
      signBegin(ctx, tbs.subarray(0, eventTbs(tbs, bytes, span[0], span[1])), key);
      let n = 1;
      while (!signStep(ctx, 1)) n++;
      return n;
    });
    // work(1) took exactly as many calls as the signatures have units (emit() did none of them, no call did two);
    // work(1000) finished each signature in one call.
    expect(fine.calls).toBe(units.reduce((a, b) => a + b, 0));
    expect(Math.min(...units)).toBeGreaterThan(90);
    expect(coarse.calls).toBe(6);
    console.log(`Node: ${Math.round(fine.calls / 6)} work(1) slices per signature`);
  });
});

describe('an independent decoder reads what the writer meant', () => {
  // Every other check of the writer's bytes goes through the device's own CBOR reader (runtime/signing/cbor.ts);
  // here cbor-x decodes them, and the fields are compared with what was emitted, not with what the reader says.
  const plain = new Decoder({ mapsAsObjects: false, useRecords: false });
  type Emitted = { rule: number; sev: number; t: number; values: number[] };

  /** Decodes one handed-over item; a COSE_Sign1's signature is checked over a Sig_structure cbor-x builds. */
  function decodeItem(bytes: Uint8Array): { signed: boolean; record: Map<number, unknown> } {
    const item = plain.decode(bytes);
    if (!(item instanceof Tag)) return { signed: false, record: item as Map<number, unknown> };
    expect(item.tag).toBe(18);
    const [prot, unprot, payload, sig] = item.value as [Uint8Array, Map<number, unknown>, Uint8Array, Uint8Array];
    expect([...(plain.decode(prot) as Map<number, number>)]).toEqual([[1, -8]]);
    expect(unprot.size).toBe(0);
    const tbs = cbor.encode(['Signature1', prot, new Uint8Array(0), payload]);
    expect(verifyBytes(sig, tbs, DEV.publicKey), 'signature over the Sig_structure').toBe(true);
    return { signed: true, record: plain.decode(payload) as Map<number, unknown> };
  }

  /** Checks the handed-over stream against the emitted events; returns the decoded records. */
  function check(d: Device, emitted: Emitted[]): Array<Map<number, unknown>> {
    let prev = new Uint8Array(32);
    let next = 0;
    const device = readEvents(d.file()).items;
    return d.out.map(({ bytes, seq }, k) => {
      const { signed, record: r } = decodeItem(bytes);
      const type = r.get(0);
      const keys = [0, 1, 2, 3, ...(type === 0 ? [4, 5, 6] : []), 7, ...(r.has(8) ? [8] : []), ...(r.has(9) ? [9] : [])];
      expect([...r.keys()], `seq ${seq}: keys in order`).toEqual(keys);
      expect([r.get(1), r.get(2)]).toEqual([7, seq]);
      if (type === 0) {
        const e = emitted[next++];
        // −0 is written as +0 (docs/EVENTS.md), so every engine writes the same bytes.
        expect([r.get(3), r.get(4), r.get(5), r.get(6)], `seq ${seq}`).toEqual([e.t, e.rule, e.sev, e.values.map((v) => (v === 0 ? 0 : v))]);
      }
      expect(Buffer.from(r.get(7) as Uint8Array).toString('hex'), `seq ${seq}: prev`).toBe(hex(prev));
      const own = signed ? ((plain.decode(bytes) as Tag).value as Uint8Array[])[2] : bytes;
      prev = new Uint8Array(createHash('sha512').update(own).digest().subarray(0, 32));
      // The device's reader agrees with cbor-x on the drop ranges and the total.
      const dev = device[k].record!;
      expect((r.get(8) as Array<[number, number, number, Uint8Array]> | undefined ?? []).map(([a, b, c, h]) => [a, b, c, hex(h)]))
        .toEqual(dev.drops.map((x) => [x.first, x.last, x.count, hex(x.prev)]));
      expect(r.get(9) ?? 0).toBe(dev.droppedTotal);
      return r;
    });
  }

  test('per-event records with drops: COSE_Sign1 around each record, fields as emitted, chain, ranges', () => {
    const d = new Device();
    const w = eventWriter(cfg({ capacity: 3 }), d);
    const emitted: Emitted[] = [0, 1, 0, 2, 0, 1, 0].map((sev, i) => ({ rule: 10 + i, sev, t: i * 1000 + (i % 2 ? 0.25 : 0), values: [i * 1.5, -i] }));
    for (const e of emitted) { w.emit(e.rule, e.sev, e.t, Float64Array.from(e.values), 2); drain(w); }
    const records = check(d, emitted);
    expect(records.some((r) => r.has(8) && r.has(9)), 'some record reports drops').toBe(true);
  });

  test('checkpoint signing: bare records, signed checkpoints (type 1) over the chain', () => {
    const d = new Device();
    const w = eventWriter(cfg({ signing: SIGNING_CHECKPOINT, every: 3 }), d);
    const emitted: Emitted[] = [0, 0, 1, 0, 0].map((sev, i) => ({ rule: i, sev, t: 60_000 * i, values: [i] }));
    for (const e of emitted) w.emit(e.rule, e.sev, e.t, Float64Array.from(e.values), 1);
    w.flush(400_000);
    const records = check(d, emitted);
    expect(records.map((r) => r.get(0))).toEqual([0, 0, 0, 1, 0, 0, 1]);
    expect(d.out.map((o) => o.bytes[0] === 0xd2)).toEqual([false, false, false, true, false, false, true]);
  });
});

describe('bad input', () => {
  test('a malformed seed or device id: SF_BAD_KEY, and the writer stays inert', () => {
    const d = new Device();
    for (const bad of [cfg({ seed: new Uint8Array(31) }), cfg({ device: 2 ** 32 }), cfg({ device: -1 })]) {
      const w = eventWriter(bad, d);
      expect([w.fault, w.field]).toEqual([S.SF_BAD_KEY, S.FLD_KEY]);
      w.emit(1, 0, 0, V, 0);
      expect(w.work(10)).toBe(true);
    }
    expect(d.out.length).toBe(0);
  });

  test('emit() with a severity, rule id or value count out of range: SF_BAD_EVENT, no record', () => {
    const d = new Device();
    const w = eventWriter(cfg(), d);
    w.emit(1, 3, 0, V, 0);
    w.emit(70000, 0, 0, V, 0);
    w.emit(1, 0, 0, V, 9);
    expect([w.fault, w.nextSeq(), w.queued()]).toEqual([S.SF_BAD_EVENT, 1, 0]);
  });

  test('unreadable persisted state or slot: SF_STATE, ignored, and the sequence continues from the queue', () => {
    const d = new Device();
    let w = eventWriter(cfg(), d);
    w.emit(1, 0, 0, V, 0);
    w.emit(1, 0, 1, V, 0);
    drain(w);
    d.store.set('es', new Uint8Array(5));
    d.store.set('eq1', new Uint8Array([9, 9, 9]));
    w = eventWriter(cfg(), d);
    expect([w.fault, w.field, w.nextSeq(), w.queued(), w.dropped()]).toEqual([S.SF_STATE, S.FLD_STATE, 2, 1, 1]);
    expect(d.store.has('eq1')).toBe(false);
  });
});

describe('persisted state is untrusted input: the writer signs only bytes it wrote', () => {
  /** A per-event writer that persisted two records and signed neither yet; the slot key of seq 2. */
  function twoUnsigned(): { d: Device; slot2: string } {
    const d = new Device();
    const w = eventWriter(cfg(), d);
    w.emit(1, 0, 1000, new Float64Array([1.5]), 1);
    w.emit(2, 1, 2000, new Float64Array([2.5]), 1);
    const slot2 = [...d.store.keys()].find((k) => k.startsWith('eq') && new DataView(d.store.get(k)!.buffer).getFloat64(4, true) === 2)!;
    return { d, slot2 };
  }
  const restart = (d: Device) => {
    const w = eventWriter(cfg(), d);
    drain(w);
    w.emit(3, 2, 3000, V, 0);
    drain(w);
    return w;
  };

  test('a record changed in its slot is not signed: refused, and the loss is noted in the next signed record', () => {
    const { d, slot2 } = twoUnsigned();
    const b = d.store.get(slot2)!;
    b[b.indexOf(0xfb) + 1] ^= 0x40; // the value 2.5 of record 2 becomes another float64: still a well-formed record
    const w = restart(d);
    expect([w.fault, w.field]).toEqual([S.SF_STATE, S.FLD_SLOT]);
    const items = readEvents(d.file()).items;
    expect(items.map((i) => [i.record!.seq, i.record!.values])).toEqual([[1, [1.5]], [3, []]]);
    expect(items[1].record!.drops.map((r) => [r.first, r.last, r.count, hex(r.prev)])).toEqual([[2, 2, 1, '00'.repeat(32)]]);
    expect(items[1].record!.droppedTotal).toBe(1);
    expect(verify(d, 'per-event').text).toBe('f: 2 records (2 events, 0 checkpoints), seq 1–3, device 7, per-event signing\nseq 2: dropped by the device (reported in seq 3)\nOK: every record authentic, chained and in sequence (1 dropped by the device, reported in signed records)\n');
  });

  test('a slot whose COSE framing claims a longer record than it holds: refused, work() does not throw', () => {
    const { d, slot2 } = twoUnsigned();
    const b = d.store.get(slot2)!;
    b[12 + 7] = 0x59; // the payload bstr head: a two-byte length…
    b[12 + 8] = 0x01; // …of 0x01xx bytes, longer than any record
    expect(() => restart(d)).not.toThrow();
    expect(readEvents(d.file()).items.map((i) => i.record!.seq)).toEqual([1, 3]);
  });

  test('a slot copied under another key, and values of the wrong type, are refused', () => {
    const { d, slot2 } = twoUnsigned();
    const slot1 = slot2 === 'eq0' ? 'eq1' : 'eq0';
    d.store.set(slot1, new Uint8Array(d.store.get(slot2)!)); // seq 2 twice
    (d.store as Map<string, unknown>).set('eq5', 'eq5');
    (d.store as Map<string, unknown>).set('es', Array.from({ length: 336 }, () => 0));
    const w = restart(d);
    expect(w.dropped()).toBe(2); // the overwritten slot (seq 2 by its header; seq 1 is lost with it) and the string
    expect(readEvents(d.file()).items.map((i) => i.record!.seq)).toEqual([2, 3]);
  });
});

describe('restarting from corrupted persisted state (harness/fuzz/writer-state.ts)', () => {
  test(`${WRITER_FUZZ_CASES} random corruptions: never a throw, never a record handed over (or signed) that the writer did not produce`, () => {
    const rand = prng(3);
    const seed = seedOf('edgerule writer fuzz');
    for (let i = 0; i < WRITER_FUZZ_CASES; i++) {
      const r = fuzzWriterOnce(rand, seed);
      if (r.problem) throw new Error(`writer fuzz case ${i} (seed 3): ${r.problem}: ${r.detail}`);
    }
  });
});
