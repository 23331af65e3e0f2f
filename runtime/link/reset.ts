/**
 * FACTORY_RESET (docs/PROVISIONING.md): a command the trust anchor signed, naming this device and the event key in
 * force, makes a provisioned device unprovisioned again — identity, secrets, the event writer's state and queue
 * erased — so PROVISION works on it afresh. Event records no host has acknowledged are not lost silently: the
 * device answers UNSENT while any remain, unless the signed command says to discard them. The bundle slots and the
 * slot pointer (with its rollback floor) are kept; with no anchor nothing runs until the device is provisioned
 * again and restarts (or is flashed).
 *
 * One write commits the reset: a reset record as the next identity generation (identity.ts). A power cut before it
 * leaves the device as it was; after it, the device is unprovisioned and every start erases what is left.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import {
  ZQ_DEVICE, ZQ_EVENT_KEY, ZQ_FLAGS, ZQ_NONCE, ZQ_SIGNATURE, ZR_DEVICE, ZR_QUEUED, ZR_NEXT_SEQ, ZR_ALREADY,
  RESET_DISCARD_EVENTS, ST_OK, ST_MALFORMED, ST_BUSY, ST_STORAGE, ST_SIGNATURE, ST_STALE, ST_UNPROVISIONED, ST_UNSENT,
} from './constants.ts';
import { reply, kUint, sendReply, replyStatus } from './reply.ts';
import { identityReset, identityErase } from './identity.ts';
import { resetStatement } from './statements.ts';
import { isBytes, isU32, same, anchorSigned } from './provision.ts';
import { endRun, injecting } from './inject.ts';
import { JOB_NONE, type LinkState } from './state.ts';

function resetReply(a: LinkState, type: number, seq: number, st: number, queued: number, already: boolean): void {
  reply(a, type, seq, st);
  kUint(a, ZR_DEVICE, a.id.device);
  kUint(a, ZR_QUEUED, queued);
  if (st === ST_UNSENT && a.writer) kUint(a, ZR_NEXT_SEQ, a.writer.nextSeq());
  if (already) kUint(a, ZR_ALREADY, 1);
  sendReply(a, type, seq);
}

/** After the commit: nothing of the old identity runs on (no bundle, no writer, no key in RAM). */
function forget(a: LinkState): void {
  var i;
  a.rt = null;
  a.activeCheck = null;
  a.activeVersion = -1;
  a.writer = null;
  a.writerMode = -1;
  a.handed = 0;
  a.subscribed = false;
  a.evSent = 0;
  a.hasSeed = false;
  for (i = 0; i < 32; i++) {
    a.seed[i] = 0;
    a.seal[i] = 0;
  }
}

/** The same command again after the reset (its reply lost, or a power cut): the reset record kept its nonce. */
function resetBefore(a: LinkState): boolean {
  var b = a.body;
  return a.id.reset && a.id.nonceLen === b.num[ZQ_NONCE] && same(a.id.nonce, 0, a.r.b, b.at[ZQ_NONCE], a.id.nonceLen);
}

export function onFactoryReset(a: LinkState, type: number, seq: number): void {
  var b = a.body;
  var w, n, queued;
  if (!isU32(a, ZQ_DEVICE) || !isBytes(a, ZQ_EVENT_KEY, 32, 32) || !(isU32(a, ZQ_FLAGS) && b.num[ZQ_FLAGS] <= RESET_DISCARD_EVENTS) || !isBytes(a, ZQ_NONCE, 16, 32) || !isBytes(a, ZQ_SIGNATURE, 64, 64)) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (!a.id.valid) {
    if (resetBefore(a)) resetReply(a, type, seq, ST_OK, 0, true);
    else replyStatus(a, type, seq, ST_UNPROVISIONED);
    return;
  }
  if (a.job !== JOB_NONE) {
    replyStatus(a, type, seq, ST_BUSY);
    return;
  }
  // the device's own writer (an injected run has one of its own, with the same key, in a.writer)
  w = injecting(a) && a.run ? a.run.mainWriter : a.writer;
  if (!w) {
    replyStatus(a, type, seq, ST_STORAGE);
    return;
  }
  // a command for another key's life (a replay: after a rotation, or a reset and provisioning since) is stale
  if (!same(w.publicKey, 0, a.r.b, b.at[ZQ_EVENT_KEY], 32)) {
    replyStatus(a, type, seq, ST_STALE);
    return;
  }
  // the statement names this device and its key: a command for another device does not verify
  n = resetStatement(a.stmt, a.id.device, w.publicKey, 0, b.num[ZQ_FLAGS], a.r.b, b.at[ZQ_NONCE], b.num[ZQ_NONCE]);
  if (b.num[ZQ_DEVICE] !== a.id.device || !anchorSigned(a, ZQ_SIGNATURE, n)) {
    replyStatus(a, type, seq, ST_SIGNATURE);
    return;
  }
  queued = w.queued();
  if (queued > 0 && !(b.num[ZQ_FLAGS] & RESET_DISCARD_EVENTS)) {
    resetReply(a, type, seq, ST_UNSENT, queued, false);
    return;
  }
  endRun(a); // an injected run's records were the host's already
  if (!identityReset(a.store, a.id, a.r.b, b.at[ZQ_NONCE], b.num[ZQ_NONCE])) {
    replyStatus(a, type, seq, ST_STORAGE);
    return;
  }
  forget(a);
  resetReply(a, type, seq, identityErase(a.store, a.id, a.cfg.queue as number) ? ST_OK : ST_STORAGE, queued, false);
}
