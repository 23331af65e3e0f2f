/**
 * Large, valid events files for tests and measurements, made fast: the device's own record encoder
 * (runtime/signing/record.ts) writes checkpoint-mode records, Node's SHA-512 chains them and the host's ed25519
 * signs one checkpoint every `every` records — what a device with that setting hands over, without running the
 * writer record by record (its JS SHA-512 and signatures would take hours for 10⁷ records).
 *
 *   node --import ./cli/register-ts.mjs harness/events-file.ts <records> <file>   writes one (device 7, key below)
 */
import { createHash } from 'node:crypto';
import { openSync, writeSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newRecordBuf, encodeRecord, wrCoseHead, wrSignature, eventTbs, EVENT_TBS_MAX, REC_EVENT, REC_CHECKPOINT, RECORD_MAX, COSE_OVERHEAD } from '../runtime/signing/record.ts';
import { newDropRanges } from '../runtime/signing/drop-ranges.ts';
import { signBytes } from '../signing/ed.ts';
import { generateKey, type KeyFile } from '../signing/keys.ts';

/** The device key of the synthetic files (device 7). */
export const SYNTHETIC_KEY: KeyFile = generateKey('device', 7, new Uint8Array(createHash('sha256').update('edgerule synthetic events').digest()));

export interface SyntheticOptions {
  /** Records, checkpoints included. */
  records: number;
  /** A signed checkpoint after every `every` event records (and one at the end). */
  every?: number;
  /** Sequence number of the first record (default 1). */
  firstSeq?: number;
}

/** The file's items, in chunks of about `chunk` bytes (concatenate them for the whole file). */
export function* syntheticEvents(o: SyntheticOptions, chunk = 1 << 20): Generator<Uint8Array> {
  const every = o.every ?? 1000;
  const rec = newRecordBuf();
  const drops = newDropRanges();
  const tbs = new Uint8Array(EVENT_TBS_MAX);
  const prev = new Uint8Array(32);
  const values = new Float64Array([-36.8485, 174.7633]);
  let out = new Uint8Array(chunk + RECORD_MAX + COSE_OVERHEAD);
  let used = 0;
  let since = 0;
  let seq = o.firstSeq ?? 1;
  for (let i = 0; i < o.records; i++, seq++) {
    const checkpoint = since === every || i === o.records - 1;
    encodeRecord(rec, checkpoint ? REC_CHECKPOINT : REC_EVENT, 7, seq, i % 17, i % 2, 1_700_000_000_000 + i * 1000, values, 2, prev, drops, 0);
    if (checkpoint) {
      const p = wrCoseHead(out, used, rec.len);
      out.set(rec.b.subarray(0, rec.len), p);
      used = wrSignature(out, p + rec.len, signBytes(tbs.subarray(0, eventTbs(tbs, rec.b, 0, rec.len)), SYNTHETIC_KEY.seed!));
      since = 0;
    } else {
      out.set(rec.b.subarray(0, rec.len), used);
      used += rec.len;
      since++;
    }
    prev.set(createHash('sha512').update(rec.b.subarray(0, rec.len)).digest().subarray(0, 32));
    if (used >= chunk) {
      yield out.slice(0, used);
      used = 0;
    }
  }
  if (used) yield out.slice(0, used);
  out = new Uint8Array(0);
}

/** The whole file in memory. */
export function syntheticEventsFile(o: SyntheticOptions): Uint8Array {
  return new Uint8Array(Buffer.concat([...syntheticEvents(o)]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [records, path] = process.argv.slice(2);
  const fd = openSync(path, 'w');
  for (const c of syntheticEvents({ records: Number(records) })) writeSync(fd, c);
  closeSync(fd);
}
