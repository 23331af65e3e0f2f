/**
 * The host's side of event delivery: each EVENT the device sends carries one record and the seq of the record
 * before it in the device's queue. Records are kept once per seq (a resend after a lost ack, or after a
 * reconnect, is counted and dropped), and the acknowledgement only moves over records received without a hole,
 * so the device drops nothing the host does not hold.
 */
import { EQ_RECORD, EQ_PREV, ER_ACK, K_STATUS, ST_OK } from '../../runtime/link/constants.ts';
import { readEvents, type Item } from '../../signing/event-record.ts';
import { verifyBytes } from '../../signing/ed.ts';
import type { Body, Value } from './codec.ts';

export interface Received {
  seq: number;
  item: Item;
  bytes: Uint8Array;
  /** Signature check: true/false for signed records, undefined for bare ones (checkpoint mode). */
  signature?: boolean;
  /** The record's prev hash equals the hash of the record before it (undefined: that one is not here). */
  chain?: boolean;
}

export class EventCollector {
  readonly bySeq = new Map<number, Received>();
  /** Highest seq acknowledged: everything the device sent up to it has arrived. */
  acked = 0;
  duplicates = 0;
  malformed = 0;

  /** Keys announced by rotation records on the way: each signs from `from` on. */
  readonly rotated: Array<{ from: number; key: Uint8Array }> = [];

  /** @param key the device's event public key (signatures are checked when given) */
  constructor(public key?: Uint8Array, private readonly onRecord?: (r: Received) => void) {}

  /** The key that signs seq (the given key, or one a rotation record announced). */
  keyFor(seq: number): Uint8Array | undefined {
    let k = this.key;
    for (const r of this.rotated) if (r.from <= seq) k = r.key;
    return k;
  }

  /** Handles an EVENT body; returns the reply body (the acknowledgement). */
  onEvent(body: Body): Body {
    const rec = body.get(EQ_RECORD);
    const prev = body.get(EQ_PREV);
    const reply = (): Body => new Map<number, Value>([[K_STATUS, ST_OK], [ER_ACK, this.acked]]);
    if (!(rec instanceof Uint8Array) || typeof prev !== 'number') {
      this.malformed++;
      return reply();
    }
    const read = readEvents(rec);
    const item = read.items[0];
    if (!item?.record || read.items.length !== 1 || read.stopped) {
      this.malformed++;
      return reply();
    }
    const seq = item.record.seq;
    if (this.bySeq.has(seq)) this.duplicates++;
    else this.add(seq, item, rec);
    if (prev === 0 || prev <= this.acked || this.contiguous(prev)) this.acked = Math.max(this.acked, seq);
    return reply();
  }

  /** True when prev arrived and everything between the last ack and it did too. */
  private contiguous(prev: number): boolean {
    for (let s = this.acked + 1; s <= prev; s++) if (!this.bySeq.has(s)) return false;
    return true;
  }

  private add(seq: number, item: Item, bytes: Uint8Array): void {
    const r: Received = { seq, item, bytes: bytes.slice() };
    const key = this.keyFor(seq);
    if (item.signed && key) r.signature = verifyBytes(item.signature!, item.tbs!, key);
    // a rotation record signed by the key it retires names the key of the records after it
    if (r.signature && item.record!.type === 2 && item.record!.next) {
      this.rotated.push({ from: seq + 1, key: item.record!.next });
      this.rotated.sort((a, b) => a.from - b.from);
    }
    const before = this.bySeq.get(seq - 1);
    if (before) r.chain = Buffer.compare(Buffer.from(item.record!.prev), Buffer.from(before.item.hash, 'hex')) === 0;
    this.bySeq.set(seq, r);
    const after = this.bySeq.get(seq + 1);
    if (after) after.chain = Buffer.compare(Buffer.from(after.item.record!.prev), Buffer.from(item.hash, 'hex')) === 0;
    this.onRecord?.(r);
  }

  /** Every record held, in seq order, as one CBOR sequence (what `edgerule verify` reads). */
  stream(): Uint8Array {
    const parts = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq).map((r) => r.bytes);
    return new Uint8Array(Buffer.concat(parts));
  }
}
