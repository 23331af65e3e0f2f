/**
 * HELLO from the host: a fresh random nonce the device must echo (so nothing from before this session is taken
 * for it), the host's receive limit, whether to send events; the reply read into a HelloInfo.
 */
import { randomBytes } from 'node:crypto';
import * as C from '../../runtime/link/constants.ts';
import type { Body, Value } from './codec.ts';
import { LinkSession, status, type RequestOptions } from './session.ts';
import { statusText } from './names.ts';

export interface SlotView { state: number; id: string; size: number; next: number; version: number }

export interface HelloInfo {
  protocol: number;
  format: number;
  engine: string;
  device: number;
  eventKey?: Uint8Array;
  maxFrame: number;
  slots: SlotView[];
  /** Active slot, or undefined (none). */
  active?: number;
  trial: boolean;
  free: number;
  profile: string;
  catalogue: number;
  keyId?: string;
  boots: number;
  uptime: number;
  minVersion: number;
  checking: boolean;
  fault?: { code: number; at: number; field: number };
  slotMax: number;
  /** Provisioned over the link: the trust anchor's version and the event key's epoch. */
  anchorVersion?: number;
  keyEpoch?: number;
  /** Unprovisioned by a factory reset: the device id it erased. */
  resetFrom?: number;
  /** An injected run in progress (its id), or undefined. */
  run?: number;
}

/** The host receives frames up to this size (events are the largest the device sends). */
export const HOST_MAX_FRAME = 4096;

export class DeviceError extends Error {}

function num(b: Body, k: number): number {
  const v = b.get(k);
  if (typeof v !== 'number') throw new DeviceError(`HELLO reply: key ${k} missing or not a number`);
  return v;
}

function str(b: Body, k: number): string {
  const v = b.get(k);
  if (typeof v !== 'string') throw new DeviceError(`HELLO reply: key ${k} missing or not text`);
  return v;
}

function bytes(v: Value | undefined): Uint8Array | undefined {
  return v instanceof Uint8Array ? v : undefined;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A HELLO reply is ours when it echoes our nonce (a refusal has no nonce and is taken as it is). */
function echoes(b: Body, nonce: Uint8Array): boolean {
  if (status(b) !== C.ST_OK) return true;
  const echo = bytes(b.get(C.HR_NONCE));
  return !!echo && hex(echo) === hex(nonce);
}

export function parseHello(b: Body): HelloInfo {
  const slots = b.get(C.HR_SLOTS);
  if (!Array.isArray(slots) || slots.length !== 2) throw new DeviceError('HELLO reply: slots missing');
  const fault = b.get(C.HR_FAULT);
  const active = num(b, C.HR_ACTIVE);
  const keyId = bytes(b.get(C.HR_KEY_ID));
  return {
    protocol: num(b, C.HR_PROTOCOL), format: num(b, C.HR_FORMAT), engine: str(b, C.HR_ENGINE), device: num(b, C.HR_DEVICE),
    eventKey: bytes(b.get(C.HR_EVENT_KEY)), maxFrame: num(b, C.HR_MAX_FRAME),
    slots: slots.map((s) => {
      const a = s as Value[];
      return { state: a[C.SA_STATE] as number, id: hex(a[C.SA_ID] as Uint8Array), size: a[C.SA_SIZE] as number, next: a[C.SA_NEXT] as number, version: a[C.SA_VERSION] as number };
    }),
    active: active === C.NO_SLOT ? undefined : active, trial: num(b, C.HR_TRIAL) === 1, free: num(b, C.HR_FREE),
    profile: str(b, C.HR_PROFILE), catalogue: num(b, C.HR_CATALOGUE), keyId: keyId ? hex(keyId) : undefined,
    boots: num(b, C.HR_BOOTS), uptime: num(b, C.HR_UPTIME), minVersion: num(b, C.HR_MIN_VERSION), checking: num(b, C.HR_CHECKING) === 1,
    fault: Array.isArray(fault) ? { code: fault[0] as number, at: fault[1] as number, field: fault[2] as number } : undefined,
    slotMax: num(b, C.HR_SLOT_MAX),
    anchorVersion: typeof b.get(C.HR_ANCHOR_VERSION) === 'number' ? (b.get(C.HR_ANCHOR_VERSION) as number) : undefined,
    keyEpoch: typeof b.get(C.HR_KEY_EPOCH) === 'number' ? (b.get(C.HR_KEY_EPOCH) as number) : undefined,
    resetFrom: typeof b.get(C.HR_RESET_FROM) === 'number' ? (b.get(C.HR_RESET_FROM) as number) : undefined,
    run: typeof b.get(C.HR_RUN) === 'number' ? (b.get(C.HR_RUN) as number) : undefined,
  };
}

/** The id of the bundle the device runs, or undefined. */
export function activeId(h: HelloInfo): string | undefined {
  return h.active === undefined ? undefined : h.slots[h.active].id;
}

/**
 * HELLO with a fresh nonce; the reply must echo it and speak our protocol version. A reply to the same seq that
 * echoes another nonce is output from an earlier session (a previous run's bytes still on the line): it is
 * counted in `s.counts.stray` and the wait goes on.
 */
export async function hello(s: LinkSession, events: boolean, o: RequestOptions = {}): Promise<HelloInfo> {
  const nonce = new Uint8Array(randomBytes(16));
  const body = await s.request(C.MSG_HELLO, new Map<number, Value>([
    [C.HQ_NONCE, nonce], [C.HQ_MAX_FRAME, HOST_MAX_FRAME], [C.HQ_FLAGS, events ? C.HELLO_EVENTS : 0],
  ]), { tries: 5, ...o, accept: (b) => echoes(b, nonce) });
  const st = status(body);
  if (st !== C.ST_OK) throw new DeviceError(`HELLO refused: ${statusText(st)}`);
  const h = parseHello(body);
  if (h.protocol !== C.LINK_VERSION) throw new DeviceError(`the device speaks link protocol ${h.protocol}, this host ${C.LINK_VERSION}`);
  return h;
}

/** HELLO until the device has finished checking its slots (a restarted device checks its active slot first). */
export async function helloReady(s: LinkSession, events: boolean, waitMs = 120000): Promise<HelloInfo> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const h = await hello(s, events);
    if (!h.checking) return h;
    if (Date.now() > deadline) throw new DeviceError(`the device was still checking its slots after ${waitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
