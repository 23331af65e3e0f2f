/**
 * The signed event stream of a replay, made by the device's own event writer (runtime/signing/events.ts, reached through
 * the runtime artifact like everything else): each rule event becomes a hash-chained CBOR record, signed per event
 * or by checkpoint (docs/EVENTS.md). The result is the CBOR sequence a backend would receive; `edgerule verify`
 * checks it with the device's public key.
 *
 * Replay specifics: signing is finished after every evaluation that raised events, and each finished record is
 * acknowledged at once (the simulated backend is always reachable), so the queue never fills. Checkpoint mode sees
 * time pass (tick) when events happen and at the end (flush), not continuously.
 */
import type { RuntimeApi } from './artifact.ts';
import { signingCode } from '../signing/bundle.ts';
import type { EventWriter, EventHost, WriterConfig } from '../runtime/signing/events.ts';

export interface SignerConfig {
  /** The device's 32-byte event key seed. */
  seed: Uint8Array;
  device: number;
  signing: 'per-event' | 'checkpoint';
}

type WriterApi = { eventWriter(cfg: WriterConfig, host: EventHost): EventWriter };

export class EventSigner {
  private readonly w: EventWriter;
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  private lastSeq = 0;
  private pending = false;
  private readonly store = new Map<string, Uint8Array>();
  readonly publicKey: Uint8Array;
  records = 0;

  constructor(api: RuntimeApi, readonly cfg: SignerConfig) {
    const writerApi = api as unknown as Partial<WriterApi>;
    if (typeof writerApi.eventWriter !== 'function') throw new Error('this runtime artifact has no event writer (rebuild with `npm run build`)');
    const self = this;
    const host: EventHost = {
      record(bytes, seq) {
        self.parts.push(bytes.slice());
        self.size += bytes.length;
        self.lastSeq = seq;
        self.records++;
      },
      read(key) { return self.store.get(key) ?? null; },
      write(key, bytes) { self.store.set(key, bytes.slice()); },
    };
    this.w = writerApi.eventWriter({ device: cfg.device, seed: cfg.seed, signing: signingCode(cfg.signing), capacity: 64 }, host);
    if (this.w.fault) throw new Error(`the event writer refused its configuration: fault ${this.w.fault} (field ${this.w.field})`);
    this.publicKey = this.w.publicKey;
  }

  /** A rule event (absolute device time). */
  emit(rule: number, severity: number, t: number, values: Float64Array, n: number): void {
    this.w.emit(rule, severity, t, values, n);
    this.pending = true;
  }

  /** After an evaluation that raised events: let time pass, finish signing, acknowledge what was handed over. */
  settle(now: number): void {
    if (!this.pending) return;
    this.pending = false;
    this.w.tick(now);
    while (!this.w.work(1 << 20)) { /* sign everything now */ }
    if (this.lastSeq) this.w.ack(this.lastSeq);
  }

  /** End of the replay: checkpoint mode signs a last checkpoint over everything. */
  finish(now: number): Uint8Array {
    this.settle(now);
    if (this.cfg.signing === 'checkpoint') this.w.flush(now);
    while (!this.w.work(1 << 20)) { /* finish */ }
    if (this.lastSeq) this.w.ack(this.lastSeq);
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

/** A fixed, public demo device key: for `edgerule demo` only — anyone can forge events signed with it. */
export const DEMO_DEVICE = { device: 1, seed: new Uint8Array(32).map((_, i) => (i * 37 + 11) & 255) };
