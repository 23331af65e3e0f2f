/**
 * Mutation fuzzing of the host's events-file verifier (signing/verify-events.ts): real streams from the device's
 * event writer, mutated by one bit flip, one inserted byte or a cut-out run of bytes. The verifier must always
 * answer (never throw) and must never call a changed file OK — except a file that only lost its tail, which
 * nothing can notice. The test suite runs a few hundred cases; `npm run fuzz -- --target events` runs long.
 */
import { eventWriter } from '../../runtime/signing/events.ts';
import { SIGNING_CHECKPOINT, SIGNING_PER_EVENT } from '../../runtime/signing/modes.ts';
import { SEV_CRITICAL } from '../../runtime/engine/severity.ts';
import { verifyEvents } from '../../signing/verify-events.ts';
import type { SigningMode } from '../../compiler/dsl/rule.ts';

/** 10 events (a critical one 7th), a checkpoint every 4 records, flushed at the end: each handed-over record. */
export function eventStream(seed: Uint8Array, device: number, signing: number): Uint8Array[] {
  const store = new Map<string, Uint8Array>();
  const out: Uint8Array[] = [];
  const w = eventWriter({ device, seed, signing, every: 4 }, {
    read: (k) => store.get(k) ?? null,
    write: (k, b) => { if (b.length) store.set(k, new Uint8Array(b)); else store.delete(k); },
    record: (b) => out.push(new Uint8Array(b)),
  });
  const v = new Float64Array([12.5, -3]);
  for (let i = 0; i < 10; i++) {
    w.emit(i % 4, i === 6 ? SEV_CRITICAL : i % 2, 60_000 * i, v, 2);
    while (!w.work(100)) { /* sign */ }
  }
  w.flush(600_000);
  return out;
}

/** One bit flipped, one byte inserted, or 1…40 bytes cut out. */
export function mutateEventsFile(base: Uint8Array, rand: () => number): Uint8Array {
  let b: Uint8Array = new Uint8Array(base);
  const at = Math.floor(rand() * b.length);
  const kind = Math.floor(rand() * 3);
  if (kind === 0) b[at] ^= 1 << Math.floor(rand() * 8);
  else if (kind === 1) b = new Uint8Array([...b.subarray(0, at), Math.floor(rand() * 256), ...b.subarray(at)]);
  else b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + 1 + Math.floor(rand() * 40))]);
  return b;
}

export interface EventsFuzzTarget { base: Uint8Array; signing: SigningMode; publicKey: Uint8Array; device: number }

/** The per-event and checkpoint streams of a device key, as fuzz targets. */
export function eventsFuzzTargets(key: { seed: Uint8Array; publicKey: Uint8Array; device: number }): EventsFuzzTarget[] {
  const cat = (a: Uint8Array[]) => new Uint8Array(Buffer.concat(a));
  return [
    { base: cat(eventStream(key.seed, key.device, SIGNING_PER_EVENT)), signing: 'per-event', publicKey: key.publicKey, device: key.device },
    { base: cat(eventStream(key.seed, key.device, SIGNING_CHECKPOINT)), signing: 'checkpoint', publicKey: key.publicKey, device: key.device },
  ];
}

/** One mutated file through the verifier; a description of what went wrong, or undefined. */
export function fuzzEventsOnce(t: EventsFuzzTarget, rand: () => number): string | undefined {
  const b = mutateEventsFile(t.base, rand);
  let ok: boolean;
  try {
    ok = verifyEvents(b, { publicKey: t.publicKey, device: t.device, signing: t.signing, file: 'ev' }).ok;
  } catch (e) {
    return `${t.signing}: verifyEvents threw ${(e as Error).stack}\nfile: ${Buffer.from(b).toString('hex')}`;
  }
  // A removed tail record cannot be noticed (nothing after it says it existed); anything else must be.
  const onlyLostItsTail = b.length <= t.base.length && Buffer.compare(Buffer.from(t.base.subarray(0, b.length)), Buffer.from(b)) === 0;
  if (ok && !onlyLostItsTail) return `${t.signing}: a changed file verified OK\nfile: ${Buffer.from(b).toString('hex')}`;
  return undefined;
}
