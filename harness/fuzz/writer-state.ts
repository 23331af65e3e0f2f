/**
 * Fuzzing the event writer's restart from corrupted persisted state (runtime/signing/events.ts): a writer runs a
 * random scenario (events, partial signing, acknowledgements) against an in-memory store; the store is then
 * corrupted (bit flips, cuts, junk, slots copied, swapped or deleted, values of the wrong type) and a new writer
 * restarts from it and goes on. It must never throw, and it must never hand over — above all never sign — a record
 * it did not produce: every record it hands over is one an uncorrupted restart hands over too (same bytes), or a
 * record of an event emitted after the restart (their times are ≥ AFTER, so no old record can pass for one).
 * The test suite runs a few hundred cases (test/events-writer.test.ts); `npm run fuzz -- --target writer` runs long.
 */
import { eventWriter, type EventWriter } from '../../runtime/signing/events.ts';
import { SIGNING_CHECKPOINT, SIGNING_PER_EVENT } from '../../runtime/signing/modes.ts';
import { readEvents, readRecord, type EventRecord } from '../../signing/event-record.ts';
import { recordSpan } from '../../runtime/signing/record.ts';
import { SLOT_HEADER } from '../../runtime/signing/event-queue.ts';
import { cborIn } from '../../runtime/signing/cbor.ts';
import { COSE_SIGN1_HEAD } from '../../runtime/signing/cose.ts';

/** Events after the restart have times from here on. */
const AFTER = 1e9;

type Store = Map<string, unknown>;

interface Scenario { seed: Uint8Array; signing: number; capacity: number; every: number; device: number }

function writerOn(store: Store, sc: Scenario, out: Uint8Array[]): EventWriter {
  return eventWriter({ device: sc.device, seed: sc.seed, signing: sc.signing, capacity: sc.capacity, every: sc.every }, {
    read: (k) => (store.has(k) ? store.get(k) as Uint8Array : null),
    write: (k, b) => { if (b.length) store.set(k, new Uint8Array(b)); else store.delete(k); },
    record: (b) => out.push(new Uint8Array(b)),
  });
}

/** The calls before the restart: events, signing in random slices (some left unfinished), acknowledgements. */
function before(w: EventWriter, rand: () => number, int: (n: number) => number): void {
  const n = 3 + int(10);
  for (let k = 0; k < n; k++) {
    const op = int(6);
    if (op <= 2) w.emit(int(4), int(3), k * 1000, Float64Array.from({ length: 3 }, () => rand() * 100), int(4));
    else if (op === 3) w.work(int(300));
    else if (op === 4) w.ack(int(k + 1));
    else w.tick(k * 1000 + int(400_000));
  }
  w.work(int(120)); // usually leaves a signature unfinished
}

/** The calls after the restart; emitted events are recorded so their records can be recognised. */
function after(w: EventWriter, emitted: string[]): void {
  for (let k = 0; k < 3; k++) {
    const v = new Float64Array([k, -k]);
    w.emit(k, k, AFTER + k * 1000, v, 2);
    emitted.push(`${k} ${k} ${AFTER + k * 1000} ${k},${-k}`);
    w.work(40);
  }
  w.tick(AFTER + 10_000_000);
  w.flush(AFTER + 20_000_000);
  for (let i = 0; w.record(i) !== null && i < 64; i++) { /* read back every finished record */ }
  w.ack(w.nextSeq());
}

const SLOTS = (sc: Scenario) => Array.from({ length: sc.capacity + 1 }, (_, i) => `eq${i}`);

/** One to three corruptions of the persisted keys. */
function corrupt(store: Store, sc: Scenario, rand: () => number, int: (n: number) => number): string[] {
  const keys = ['es', ...SLOTS(sc)];
  const done: string[] = [];
  for (let r = 1 + int(3); r > 0; r--) {
    const key = keys[int(keys.length)];
    const v = store.get(key);
    const b = v instanceof Uint8Array ? new Uint8Array(v) : new Uint8Array(0);
    const kind = int(9);
    if (kind === 0 && b.length) { const at = int(b.length); b[at] ^= 1 << int(8); store.set(key, b); done.push(`${key}: bit flipped at ${at}`); }
    else if (kind === 1 && b.length) { const at = int(b.length); b[at] = int(256); store.set(key, b); done.push(`${key}: byte ${at} overwritten`); }
    else if (kind === 2) { store.set(key, b.subarray(0, int(b.length + 1))); done.push(`${key}: cut`); }
    else if (kind === 3) { store.set(key, Uint8Array.from({ length: int(600) }, () => int(256))); done.push(`${key}: junk`); }
    else if (kind === 4) { const other = keys[1 + int(keys.length - 1)]; if (store.has(other)) store.set(key, store.get(other)); done.push(`${key}: copy of ${other}`); }
    else if (kind === 5) { const other = keys[1 + int(keys.length - 1)]; const x = store.get(other); store.set(other, v); store.set(key, x); done.push(`${key}: swapped with ${other}`); }
    else if (kind === 6) { store.delete(key); done.push(`${key}: deleted`); }
    else if (kind === 7) { const junk = [Array.from(b), 'eq', 7, { length: 3 }, true][int(5)]; store.set(key, junk); done.push(`${key}: ${typeof junk} instead of bytes`); }
    else if (kind === 8 && b.length) { b[0] = 1 + int(2); store.set(key, b); done.push(`${key}: first byte set to ${b[0]}`); }
    for (const [k, x] of store) if (x === undefined) store.delete(k);
  }
  return done;
}

/** The record bytes in a persisted queue slot as the writer wrote it (header, then the record, framed or bare). */
function slotRecord(b: Uint8Array): Uint8Array | undefined {
  const data = b.subarray(SLOT_HEADER);
  if (data[0] === COSE_SIGN1_HEAD) {
    const span = new Float64Array(2);
    recordSpan(data, 0, data.length, span);
    return data.subarray(span[0], span[0] + span[1]);
  }
  const r = cborIn(data, 0, data.length);
  return readRecord(r) ? data.subarray(0, r.pos) : undefined;
}

/** A record the writer made after the restart: a checkpoint then, or the record of an event emitted then. */
function madeAfter(r: EventRecord, device: number, emitted: string[]): boolean {
  if (r.device !== device || !(r.t >= AFTER)) return false;
  return r.type === 1 || emitted.includes(`${r.rule} ${r.severity} ${r.t} ${r.values!.join(',')}`);
}

export interface WriterCase { problem?: 'throw' | 'signed-not-produced' | 'handed-not-produced'; detail?: string }

/** One scenario, one corruption, one restart; what went wrong, if anything. */
export function fuzzWriterOnce(rand: () => number, seed: Uint8Array): WriterCase {
  const int = (n: number) => Math.floor(rand() * n);
  const sc: Scenario = { seed, signing: rand() < 0.5 ? SIGNING_PER_EVENT : SIGNING_CHECKPOINT, capacity: 2 + int(5), every: 2 + int(4), device: 7 };
  const store: Store = new Map();
  const produced = new Set<string>();
  const key = (b: Uint8Array) => Buffer.from(b).toString('hex');
  let out: Uint8Array[] = [];
  before(writerOn(store, sc, out), rand, int);
  for (const [k, v] of store) {
    const r = k.startsWith('eq') ? slotRecord(v as Uint8Array) : undefined;
    if (r) produced.add(key(r));
  }
  // What an uncorrupted restart hands over: the bytes every later record must match unless made after the restart.
  const clean = new Map(store);
  const emittedClean: string[] = [];
  after(writerOn(clean, sc, out), emittedClean);
  for (const item of out) for (const i of readEvents(item).items) produced.add(key(i.payload));
  const what = corrupt(store, sc, rand, int);
  out = [];
  const emitted: string[] = [];
  try {
    after(writerOn(store, sc, out), emitted);
  } catch (e) {
    return { problem: 'throw', detail: `${(e as Error).stack}\ncorrupted: ${what.join('; ')}` };
  }
  for (const item of out) {
    const read = readEvents(item);
    const items = read.items.length ? read.items : [undefined];
    for (const i of items) {
      if (i && produced.has(key(i.payload))) continue;
      if (i?.record && madeAfter(i.record, sc.device, emitted)) continue;
      return {
        problem: i?.signed ? 'signed-not-produced' : 'handed-not-produced',
        detail: `handed over ${key(item)}\ncorrupted: ${what.join('; ')}`,
      };
    }
  }
  return {};
}
