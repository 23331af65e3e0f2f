/**
 * HELLO, STATS and CLOCK replies: what the device is, what its slots hold, how it is doing.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import {
  HQ_NONCE, HQ_MAX_FRAME, HQ_FLAGS, HELLO_EVENTS, HR_NONCE, HR_PROTOCOL, HR_FORMAT, HR_ENGINE, HR_DEVICE,
  HR_EVENT_KEY, HR_MAX_FRAME, HR_SLOTS, HR_ACTIVE, HR_TRIAL, HR_FREE, HR_PROFILE, HR_CATALOGUE, HR_KEY_ID, HR_BOOTS,
  HR_UPTIME, HR_MIN_VERSION, HR_CHECKING, HR_FAULT, HR_SLOT_MAX, HR_ANCHOR_VERSION, HR_KEY_EPOCH, HR_RUN, HR_RESET_FROM, LINK_VERSION, MIN_MAX_FRAME, MAX_MAX_FRAME,
  BUNDLE_ID_BYTES, SLOT_EMPTY, SLOT_ACTIVE, ST_OK, ST_MALFORMED, SR_UPTIME, SR_QUEUE, SR_DROPPED, SR_RUNTIME_FAULT,
  SR_FREE, SR_ACTIVE, SR_TRIAL, SR_WRITER_FAULT, SR_NEXT_SEQ, KQ_UNIX_MS, KR_DEVICE_MS, KR_OFFSET_MS,
} from './constants.ts';
import { V_UINT, V_BYTES } from './body.ts';
import { wrHead, CBOR_UINT, CBOR_ARRAY, CBOR_BYTES, CBOR_NEG } from '../signing/cbor.ts';
import { reply, kUint, kInt, kBytes, kText, sendReply, replyStatus } from './reply.ts';
import { eventsRestart } from './events-out.ts';
import { minVersion, anchor } from './activate.ts';
import { deviceId } from './provision.ts';
import { RUN_NONE } from './inject.ts';
import { JOB_NONE, type LinkState } from './state.ts';

/** Appends one slot as [state, id, size, next, version] to the frame being built. */
function slotArray(a: LinkState, i: number): void {
  var s = a.slots[i];
  var b = a.raw;
  var p = wrHead(b, a.p, CBOR_ARRAY, 5);
  var k;
  p = wrHead(b, p, CBOR_UINT, i === a.ptr.active && a.rt ? SLOT_ACTIVE : s.state);
  p = wrHead(b, p, CBOR_BYTES, s.state === SLOT_EMPTY ? 0 : BUNDLE_ID_BYTES);
  if (s.state !== SLOT_EMPTY) for (k = 0; k < BUNDLE_ID_BYTES; k++) b[p++] = s.id[k];
  p = wrHead(b, p, CBOR_UINT, s.size);
  p = wrHead(b, p, CBOR_UINT, s.next);
  p = s.version < 0 ? wrHead(b, p, CBOR_NEG, 0) : wrHead(b, p, CBOR_UINT, s.version);
  a.p = p;
}

function free(a: LinkState): number {
  return a.io.free ? a.io.free() : 0;
}

export function onHello(a: LinkState, type: number, seq: number): void {
  var b = a.body;
  var n = b.num[HQ_NONCE];
  var key = anchor(a);
  var max;
  if (b.kind[HQ_NONCE] !== V_BYTES || n < 8 || n > 32 || b.kind[HQ_MAX_FRAME] !== V_UINT || b.num[HQ_MAX_FRAME] < MIN_MAX_FRAME || (b.kind[HQ_FLAGS] && b.kind[HQ_FLAGS] !== V_UINT)) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  max = b.num[HQ_MAX_FRAME];
  a.hostMax = max > MAX_MAX_FRAME ? MAX_MAX_FRAME : max;
  reply(a, type, seq, ST_OK);
  kBytes(a, HR_NONCE, a.r.b, b.at[HQ_NONCE], n);
  kUint(a, HR_PROTOCOL, LINK_VERSION);
  kUint(a, HR_FORMAT, a.g.formatVersion);
  kText(a, HR_ENGINE, a.cfg.engine);
  kUint(a, HR_DEVICE, deviceId(a));
  if (a.writer) kBytes(a, HR_EVENT_KEY, a.writer.publicKey, 0, 32);
  kUint(a, HR_MAX_FRAME, a.maxFrame);
  a.p = wrHead(a.raw, wrHead(a.raw, a.p, CBOR_UINT, HR_SLOTS), CBOR_ARRAY, 2);
  a.count++;
  slotArray(a, 0);
  slotArray(a, 1);
  kUint(a, HR_ACTIVE, a.rt ? a.ptr.active : 255);
  kUint(a, HR_TRIAL, a.ptr.trial);
  kUint(a, HR_FREE, free(a));
  kText(a, HR_PROFILE, a.cfg.profile);
  kUint(a, HR_CATALOGUE, a.g.catalogueHash);
  if (key) kBytes(a, HR_KEY_ID, key, 0, 8);
  kUint(a, HR_BOOTS, a.ptr.boots);
  kUint(a, HR_UPTIME, a.now - a.bootAt);
  kUint(a, HR_MIN_VERSION, minVersion(a));
  kUint(a, HR_CHECKING, a.job !== JOB_NONE ? 1 : 0);
  if (a.bootFault[0]) {
    a.p = wrHead(a.raw, wrHead(a.raw, a.p, CBOR_UINT, HR_FAULT), CBOR_ARRAY, 3);
    a.p = wrHead(a.raw, a.p, CBOR_UINT, a.bootFault[0]);
    a.p = wrHead(a.raw, a.p, CBOR_UINT, a.bootFault[1]);
    a.p = wrHead(a.raw, a.p, CBOR_UINT, a.bootFault[2]);
    a.count++;
  }
  kUint(a, HR_SLOT_MAX, a.slotMax);
  if (a.id.valid) {
    kUint(a, HR_ANCHOR_VERSION, a.id.version);
    kUint(a, HR_KEY_EPOCH, a.id.epoch);
  } else if (a.id.reset) kUint(a, HR_RESET_FROM, a.id.device);
  if (a.run && a.run.state !== RUN_NONE) kUint(a, HR_RUN, a.run.id);
  sendReply(a, type, seq);
  eventsRestart(a, b.kind[HQ_FLAGS] === V_UINT && (b.num[HQ_FLAGS] & HELLO_EVENTS) !== 0);
}

/** STATS: the counters in a.stats (SR_* keys), with the live ones filled in. */
export function onStats(a: LinkState, type: number, seq: number): void {
  var st = a.stats;
  var k;
  st[SR_UPTIME] = a.now - a.bootAt;
  st[SR_QUEUE] = a.writer ? a.writer.queued() : 0;
  st[SR_DROPPED] = a.writer ? a.writer.dropped() : 0;
  st[SR_RUNTIME_FAULT] = a.rt ? a.rt.fault : 0;
  st[SR_FREE] = free(a);
  st[SR_ACTIVE] = a.rt ? a.ptr.active : 255;
  st[SR_TRIAL] = a.ptr.trial;
  st[SR_WRITER_FAULT] = a.writer ? a.writer.fault : 0;
  st[SR_NEXT_SEQ] = a.writer ? a.writer.nextSeq() : 0;
  reply(a, type, seq, ST_OK);
  for (k = 1; k < st.length; k++) kUint(a, k, Math.floor(st[k]));
  sendReply(a, type, seq);
}

/** CLOCK: the host's wall clock; the reply gives the device's clock and the offset it held before. */
export function onClock(a: LinkState, type: number, seq: number): void {
  var before = a.clockOffset;
  if (a.body.kind[KQ_UNIX_MS] !== V_UINT) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  a.clockOffset = a.body.num[KQ_UNIX_MS] - a.now;
  reply(a, type, seq, ST_OK);
  kUint(a, KR_DEVICE_MS, a.now);
  if (before === before) kInt(a, KR_OFFSET_MS, before);
  sendReply(a, type, seq);
}
