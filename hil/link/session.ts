/**
 * One host ↔ device conversation over a transport (docs/PROTOCOL.md): requests with a sequence number, a reply
 * awaited for each with a timeout and a bounded number of resends of the same frame, and every failure naming
 * what was awaited (`no reply to UPLOAD offset 4096 after 3 tries (500 ms each)`). Replies to nothing pending
 * (a previous run's, a resend's second answer) are counted and dropped. The device's own requests (EVENT) go to
 * a handler whose answer is the reply.
 */
import { randomBytes } from 'node:crypto';
import { REPLY, DEVICE_REQUESTS, K_STATUS } from '../../runtime/link/constants.ts';
import { encodeFrame, FrameReader, type Body, type Frame } from './codec.ts';
import { messageName } from './names.ts';
import type { Transport } from './transport.ts';

export type FailureKind = 'timeout' | 'closed';

export class LinkError extends Error {
  constructor(message: string, readonly kind: FailureKind) {
    super(message);
  }
}

export interface RequestOptions {
  /** How the failure message names the request (default the message name). */
  what?: string;
  timeoutMs?: number;
  tries?: number;
  /** A reply this says is not ours (an earlier session's, with the same seq) is counted as stray and waited past. */
  accept?: (body: Body) => boolean;
}

interface Waiter { type: number; resolve: (f: Frame) => void }

export interface SessionOptions {
  /** The seq before the first request's (default random): tests replay an earlier session's bytes with it. */
  firstSeq?: number;
  timeoutMs?: number;
  tries?: number;
  /** A line of diagnostics (resends, stale replies). */
  log?: (line: string) => void;
}

export class LinkSession {
  private seq: number;
  private readonly waiters = new Map<number, Waiter>();
  private readonly reader: FrameReader;
  private closedWhy = '';
  private onClosedCbs: Array<(why: string) => void> = [];
  /** The device's requests (EVENT): return the reply body, or undefined to not answer. */
  deviceRequest: (f: Frame) => Body | undefined = () => undefined;
  /** Replies nobody waits for: default dropped. */
  stray: (f: Frame) => void = () => { this.counts.stray++; };
  readonly counts = { sent: 0, resent: 0, replies: 0, stray: 0, bytesOut: 0, bytesIn: 0 };
  readonly timeoutMs: number;
  readonly tries: number;

  constructor(readonly transport: Transport, private readonly opts: SessionOptions = {}) {
    this.seq = opts.firstSeq ?? randomBytes(2).readUInt16LE(0);
    this.timeoutMs = opts.timeoutMs ?? 500;
    this.tries = opts.tries ?? 3;
    this.reader = new FrameReader((f) => this.onFrame(f));
    this.attach();
  }

  /** Takes the transport's bytes (again, after another session used the same open port: flash inside hil). */
  attach(): void {
    this.transport.onData((b) => {
      this.counts.bytesIn += b.length;
      this.reader.push(b);
    });
    this.transport.onClose((why) => {
      this.closedWhy = why;
      for (const cb of this.onClosedCbs) cb(why);
    });
  }

  get frameErrors() {
    return this.reader.errors;
  }

  get closed(): string {
    return this.closedWhy || (this.transport.isOpen ? '' : `port ${this.transport.path} is closed`);
  }

  onClosed(cb: (why: string) => void): () => void {
    this.onClosedCbs.push(cb);
    return () => { this.onClosedCbs = this.onClosedCbs.filter((x) => x !== cb); };
  }

  nextSeq(): number {
    this.seq = (this.seq + 1) & 0xffff;
    return this.seq;
  }

  /** Sends one frame; returns its bytes (to resend them unchanged). */
  sendFrame(type: number, seq: number, body: Body): Uint8Array {
    const wire = encodeFrame(type, seq, body);
    this.transport.write(wire);
    this.counts.sent++;
    this.counts.bytesOut += wire.length;
    return wire;
  }

  resend(wire: Uint8Array): void {
    this.transport.write(wire);
    this.counts.resent++;
    this.counts.bytesOut += wire.length;
  }

  /**
   * Waits for the reply to (type, seq); resolves with it, or null after timeoutMs (or at once when the port closed).
   * A reply `accept` says is not ours (an earlier session's with the same seq) is counted as stray and waited past.
   */
  waitReply(type: number, seq: number, timeoutMs: number, accept?: (body: Body) => boolean): Promise<Frame | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      let done = false;
      const finish = (f: Frame | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        off();
        if (this.waiters.get(seq)?.resolve === onReply) this.waiters.delete(seq);
        resolve(f);
      };
      const onReply = (f: Frame) => {
        if (!accept || accept(f.body)) return finish(f);
        this.counts.stray++;
        this.waiters.set(seq, { type, resolve: onReply });
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      const off = this.onClosed(() => finish(null));
      this.waiters.set(seq, { type, resolve: onReply });
    });
  }

  /** A request and its reply, resent up to `tries` times; rejects with a LinkError naming what was awaited. */
  async request(type: number, body: Body, o: RequestOptions = {}): Promise<Body> {
    const timeoutMs = o.timeoutMs ?? this.timeoutMs;
    const tries = o.tries ?? this.tries;
    const what = o.what ?? messageName(type);
    const seq = this.nextSeq();
    const wire = this.sendFrame(type, seq, body);
    for (let i = 1; ; i++) {
      const f = await this.waitReply(type, seq, timeoutMs, o.accept);
      if (f) return f.body;
      if (this.closed) throw new LinkError(`${this.closed} while awaiting the reply to ${what}`, 'closed');
      if (i >= tries) throw new LinkError(`no reply to ${what} after ${tries} tries (${timeoutMs} ms each)`, 'timeout');
      this.opts.log?.(`no reply to ${what} within ${timeoutMs} ms: resending (try ${i + 1} of ${tries})`);
      this.resend(wire);
    }
  }

  private onFrame(f: Frame): void {
    if (f.type & REPLY) {
      const w = this.waiters.get(f.seq);
      if (w && (w.type | REPLY) === f.type) {
        this.counts.replies++;
        this.waiters.delete(f.seq);
        w.resolve(f);
      } else {
        this.stray(f);
      }
      return;
    }
    if (f.type >= DEVICE_REQUESTS) {
      const reply = this.deviceRequest(f);
      if (reply) this.sendFrame(f.type | REPLY, f.seq, reply);
    }
  }
}

/** The status of a reply body (a reply without one is malformed: −1). */
export function status(b: Body): number {
  const s = b.get(K_STATUS);
  return typeof s === 'number' ? s : -1;
}
