/**
 * `edgerule flash`: put a signed bundle into the device's inactive slot and activate it (docs/PROTOCOL.md).
 *
 *   HELLO (nonce) → BEGIN (id, size, CRC: resumes an interrupted upload) → CHUNKs → VERIFY → ACTIVATE (polled
 *   while the device checks the slot) → HELLO again: the device must now run the new bundle id → CONFIRM (trial)
 *
 * A lost link (timeouts after the bounded retries, or the port closing) reopens the port and starts again from
 * HELLO; BEGIN then resumes where the device's progress marks stand. The outcome is one verdict.
 */
import * as C from '../../runtime/link/constants.ts';
import type { Value } from './codec.ts';
import { openSerial, type Transport } from './transport.ts';
import { LinkSession, LinkError, status } from './session.ts';
import { hello, helloReady, activeId, DeviceError, type HelloInfo } from './hello.ts';
import { uploadChunks, SessionLost, type UploadCounts } from './upload.ts';
import { describeDeviceFault, statusText } from './names.ts';
import { identify, type BundleIdentity } from './bundle-id.ts';
import { SF_ROLLBACK } from '../../runtime/signing/signed-faults.ts';

export interface FlashOptions {
  port: string;
  baud: number;
  trial: boolean;
  /** With trial: leave the trial unconfirmed (it reverts at the device's next restart). */
  noConfirm: boolean;
  /** Largest chunk of bundle bytes per frame (the device's limit applies too). */
  chunk: number;
  window: number;
  timeoutMs: number;
  tries: number;
  /** Reconnects after a lost link before giving up. */
  reconnects: number;
  /** How long to wait for the port to come back. */
  reopenMs: number;
  /** Longest time the device may take to check the slot. */
  activateMs: number;
  progress?: (p: FlashProgress) => void;
  log?: (line: string) => void;
  /** Test hook: the transport to use instead of opening `port`. */
  open?: () => Promise<Transport>;
}

export interface FlashProgress { phase: 'connect' | 'upload' | 'verify' | 'activate' | 'confirm'; done: number; total: number; bytesPerSecond: number }

export interface FlashResult {
  ok: boolean;
  verdict: string;
  port: string;
  bundle: { file: string; id: string; version: number; size: number; profile: string };
  device?: { id: number; engine: string; profile: string; runs?: string; previous?: string };
  trial: boolean;
  confirmed: boolean;
  already: boolean;
  /** Where the upload started (a resumed upload starts above 0). */
  resumedAt: number;
  uploadedBytes: number;
  uploadMs: number;
  bytesPerSecond: number;
  reconnects: number;
  counts: UploadCounts & { resentFrames: number; crcErrors: number; framingErrors: number };
  refused?: { status: string; fault?: number; at?: number; field?: number; reason: string; version?: number; minVersion?: number };
}

export const FLASH_DEFAULTS = {
  baud: 115200, trial: false, noConfirm: false, chunk: 1024, window: 2, timeoutMs: 500, tries: 4, reconnects: 3, reopenMs: 10000, activateMs: 120000,
};

/** Per-chunk reply timeout: the base plus the time the window takes on the line (10 bits per byte). */
function chunkTimeout(o: FlashOptions): number {
  return o.timeoutMs + Math.ceil(((o.chunk + 32) * o.window * 10 * 1000) / o.baud);
}

class Refused extends Error {
  constructor(readonly refused: NonNullable<FlashResult['refused']>) {
    super(refused.reason);
  }
}

async function activate(s: LinkSession, b: BundleIdentity, o: FlashOptions, file: string): Promise<boolean> {
  const deadline = Date.now() + o.activateMs;
  const body = new Map<number, Value>([[C.AQ_ID, b.id], [C.AQ_TRIAL, o.trial ? 1 : 0]]);
  for (;;) {
    const r = await s.request(C.MSG_ACTIVATE, body, { what: 'ACTIVATE' });
    const st = status(r);
    if (st === C.ST_OK) return r.get(C.AR_ALREADY) === 1;
    if (st === C.ST_PENDING || st === C.ST_BUSY) {
      // PENDING: our check runs; BUSY: another one (a restarted device checks its active slot first)
      if (Date.now() > deadline) throw new LinkError(`the device was still checking a slot after ${o.activateMs} ms (ACTIVATE stayed ${st === C.ST_BUSY ? 'BUSY' : 'PENDING'})`, 'timeout');
      await new Promise((res) => setTimeout(res, 20));
      continue;
    }
    const n = (k: number) => (typeof r.get(k) === 'number' ? (r.get(k) as number) : undefined);
    const fault = n(C.AR_FAULT);
    const reason = st === C.ST_REFUSED && fault !== undefined ? describeDeviceFault(fault, n(C.AR_AT) ?? 0, n(C.AR_FIELD) ?? 0, file) : statusText(st);
    throw new Refused({ status: statusText(st), fault, at: n(C.AR_AT), field: n(C.AR_FIELD), reason, version: n(C.AR_VERSION), minVersion: n(C.AR_MIN_VERSION) });
  }
}

async function begin(s: LinkSession, b: BundleIdentity): Promise<{ next: number; chunk: number }> {
  const r = await s.request(C.MSG_BEGIN, new Map<number, Value>([[C.BQ_ID, b.id], [C.BQ_SIZE, b.bytes.length], [C.BQ_CRC, b.crc]]));
  const st = status(r);
  if (st !== C.ST_OK) throw new Refused({ status: statusText(st), reason: `upload refused: ${statusText(st)}` });
  return { next: r.get(C.BR_NEXT) as number, chunk: r.get(C.BR_CHUNK) as number };
}

async function verifySlot(s: LinkSession, b: BundleIdentity): Promise<void> {
  const r = await s.request(C.MSG_VERIFY, new Map<number, Value>([[C.VQ_ID, b.id]]));
  const st = status(r);
  if (st === C.ST_INCOMPLETE) throw new SessionLost(`VERIFY: the slot holds ${r.get(C.VR_NEXT)} of ${b.bytes.length} bytes`);
  if (st !== C.ST_OK) throw new Refused({ status: statusText(st), reason: `the uploaded slot failed verification: ${statusText(st)}` });
}

export async function flash(file: string, bytes: Uint8Array, opts: Partial<FlashOptions> & { port: string }): Promise<FlashResult> {
  const o: FlashOptions = { ...FLASH_DEFAULTS, ...opts };
  const b = identify(bytes, file);
  const counts = { chunks: 0, resentBytes: 0, gaps: 0, timeouts: 0, resentFrames: 0, crcErrors: 0, framingErrors: 0 };
  const res: FlashResult = {
    ok: false, verdict: '', port: o.port, bundle: { file, id: b.idHex, version: b.version, size: bytes.length, profile: b.profile },
    trial: o.trial, confirmed: false, already: false, resumedAt: -1, uploadedBytes: 0, uploadMs: 0, bytesPerSecond: 0, reconnects: 0, counts,
  };
  const log = o.log ?? (() => {});
  let transport: Transport | undefined;
  let s: LinkSession | undefined;
  let before: HelloInfo | undefined;
  let t0 = 0;
  let done = -1;
  const account = () => {
    if (!s) return;
    counts.resentFrames += s.counts.resent;
    counts.crcErrors += s.frameErrors.crc;
    counts.framingErrors += s.frameErrors.framing;
  };
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        o.progress?.({ phase: 'connect', done: 0, total: bytes.length, bytesPerSecond: 0 });
        transport = await (o.open ? o.open() : openSerial(o.port, o.baud, attempt ? o.reopenMs : 0));
        s = new LinkSession(transport, { timeoutMs: o.timeoutMs, tries: o.tries, log });
        const h = await helloReady(s, false, o.activateMs);
        before ??= h;
        res.device = { id: h.device, engine: h.engine, profile: h.profile, previous: activeId(before) };
        if (activeId(h) === b.idHex) {
          res.already = done < 0;
          break;
        }
        if (h.trial) throw new Refused({ status: statusText(C.ST_TRIAL), reason: `the device runs bundle ${activeId(h)} on trial: flash that bundle again to confirm it, or restart the device (which reverts it), first` });
        const bg = await begin(s, b);
        if (res.resumedAt < 0) res.resumedAt = bg.next;
        const startAt = bg.next;
        if (!t0) t0 = Date.now();
        await uploadChunks(s, bytes, bg.next, {
          chunk: Math.min(o.chunk, bg.chunk), minChunk: Math.min(128, bg.chunk), window: o.window, timeoutMs: chunkTimeout(o), minTimeoutMs: 20, tries: o.tries,
          progress: (n) => {
            done = n;
            o.progress?.({ phase: 'upload', done: n, total: bytes.length, bytesPerSecond: (n - (res.resumedAt < 0 ? 0 : res.resumedAt)) / Math.max(0.001, (Date.now() - t0) / 1000) });
          },
        }, counts);
        res.uploadedBytes += bytes.length - startAt;
        res.uploadMs = Date.now() - t0;
        o.progress?.({ phase: 'verify', done: bytes.length, total: bytes.length, bytesPerSecond: 0 });
        await verifySlot(s, b);
        o.progress?.({ phase: 'activate', done: bytes.length, total: bytes.length, bytesPerSecond: 0 });
        await activate(s, b, o, file);
        break;
      } catch (e) {
        const lost = e instanceof LinkError || e instanceof SessionLost;
        if (!lost || attempt >= o.reconnects) throw e;
        res.reconnects++;
        log(`link lost (${(e as Error).message}); reconnecting (${attempt + 1} of ${o.reconnects})`);
        account();
        await transport?.close();
        s = undefined;
      }
    }
    const after = await helloReady(s!, false, o.activateMs);
    res.device!.runs = activeId(after);
    if (activeId(after) !== b.idHex) throw new DeviceError(`after ACTIVATE the device runs ${activeId(after) ?? 'no bundle'}, not ${b.idHex}`);
    if (after.trial && !o.noConfirm) {
      // the device runs this bundle on trial (this flash activated it, or an earlier one with --no-confirm): keep it
      o.progress?.({ phase: 'confirm', done: bytes.length, total: bytes.length, bytesPerSecond: 0 });
      const r = await s!.request(C.MSG_CONFIRM, new Map<number, Value>([[C.FQ_ID, b.id]]));
      if (status(r) !== C.ST_OK) throw new DeviceError(`CONFIRM refused: ${statusText(status(r))}`);
      res.confirmed = true;
    }
    res.ok = true;
    const rate = res.uploadMs > 0 ? (res.uploadedBytes * 1000) / res.uploadMs : 0;
    res.bytesPerSecond = Math.round(rate);
    res.verdict = res.already
      ? `OK: the device already runs ${b.idHex} (version ${b.version}${res.confirmed ? ', trial confirmed' : ''}); nothing uploaded`
      : `OK: device ${after.device} runs ${b.idHex} (version ${b.version}${res.confirmed ? ', trial confirmed' : after.trial ? ', on trial: reverts at the next restart unless confirmed' : ''}); ` +
        `${res.uploadedBytes} bytes in ${(res.uploadMs / 1000).toFixed(2)} s (${res.bytesPerSecond} B/s)${res.resumedAt > 0 ? `, resumed at ${res.resumedAt}` : ''}${res.reconnects ? `, ${res.reconnects} reconnect(s)` : ''}`;
  } catch (e) {
    res.ok = false;
    if (e instanceof Refused) res.refused = e.refused;
    let still = '';
    if (s && !s.closed && !(e instanceof LinkError)) {
      try {
        const h = await helloReady(s, false, o.activateMs);
        res.device!.runs = activeId(h);
        still = `; the device still runs ${activeId(h) ?? 'no bundle'}${h.active !== undefined && h.slots[h.active].version >= 0 ? ` (version ${h.slots[h.active].version})` : ''}`;
      } catch {
        // the verdict below already says what failed
      }
    }
    const versions = e instanceof Refused && e.refused.fault === SF_ROLLBACK ? ` (bundle version ${e.refused.version}, the device accepts ${e.refused.minVersion} or above)` : '';
    res.verdict = `FAILED: ${(e as Error).message}${versions}${still}`;
  } finally {
    account();
    await transport?.close();
  }
  return res;
}
