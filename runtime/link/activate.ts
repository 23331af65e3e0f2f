/**
 * Slot checks and the slot pointer: the boot check of the active slot, ACTIVATE (check the inactive slot
 * whole — CRC, id hash, COSE signature, rollback, profile, catalogue, bytecode verifier — then switch by one
 * pointer write, the last write of the activation), CONFIRM of a trial, and the revert of an unconfirmed
 * trial at boot. A check runs in slices from poll(); ACTIVATE answers PENDING until it is done. The pointer
 * carries the check mark of the bundle it names (check-mark.ts), so a boot verifies the signature only when the
 * bytes, the anchor or the device secret changed since it was last verified.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { eventSeed, eventDevice } from './event-key.ts';
import { checkMark, sameMark, isMark } from './check-mark.ts';
import {
  AQ_ID, AQ_TRIAL, AR_FAULT, AR_AT, AR_FIELD, AR_VERSION, AR_MIN_VERSION, AR_ALREADY, FQ_ID, NO_SLOT, SLOT_HEADER,
  SLOT_COMPLETE, BUNDLE_ID_BYTES, ST_OK, ST_PENDING, ST_MALFORMED, ST_REFUSED, ST_TRIAL, ST_NOT_FOUND, ST_BUSY,
  ST_UNPROVISIONED, ST_STORAGE, FAULT_SLOT_STATUS,
} from './constants.ts';
import { pointerCommit, slotIs } from './slots.ts';
import { SF_WRONG_KEY } from '../signing/signed-faults.ts';
import { hasId, hasUint, findSlot, readChecked } from './upload.ts';
import { reply, kUint, sendReply, replyStatus } from './reply.ts';
import { endRun } from './inject.ts';
import {
  JOB_NONE, JOB_BOOT, JOB_ACTIVATE, RES_STATUS, RES_FAULT, RES_AT, RES_FIELD, RES_VERSION, RES_MIN, RES_VALID,
  type LinkState,
} from './state.ts';

var FILE: Array<Uint8Array | null> = [null];

/** The trust anchor in force: provisioned over the link (identity.ts), else the factory's; null: none. */
export function anchor(a: LinkState): Uint8Array | null {
  return a.id.valid ? a.id.anchor : a.cfg.key;
}

function other(slot: number): number {
  return slot === 0 ? 1 : 0;
}

/** Lowest version an activation accepts: above the running bundle's, and at least the highest ever confirmed. */
export function minVersion(a: LinkState): number {
  var m = a.ptr.floor;
  if (a.rt && a.activeVersion + 1 > m) m = a.activeVersion + 1;
  return m;
}

/**
 * Makes (or keeps) the event writer for the running bundle's signing mode. A record is sent only once the
 * writer has handed it over (in seq order, signatures done), so a new writer first finishes any signature a
 * power cut interrupted; from then on its record() callback moves `handed` on.
 */
export function useWriter(a: LinkState, mode: number): void {
  var seed = eventSeed(a);
  var w;
  if (!seed || (a.writer && a.writerMode === mode)) return;
  if (a.writer) a.writer.flush(a.lastT);
  w = a.g.eventWriter({
    device: eventDevice(a), seed: seed, sealSeed: a.id.valid ? a.seal : undefined,
    signing: mode, capacity: a.cfg.queue,
  }, {
    read: function (k: string) { return a.store.get(k); },
    write: function (k: string, b: Uint8Array) { a.store.put(k, b); },
    record: function (b: Uint8Array, seq: number) { if (seq > a.handed) a.handed = seq; },
  });
  while (!w.work(1000)) {
    // finish signatures left from before a restart
  }
  a.handed = w.nextSeq() - 1;
  a.writer = w;
  a.writerMode = mode;
}

function setResult(a: LinkState, status: number, fault: number, at: number, field: number, version: number): void {
  var r = a.res;
  var i;
  r[RES_STATUS] = status;
  r[RES_FAULT] = fault;
  r[RES_AT] = at;
  r[RES_FIELD] = field;
  r[RES_VERSION] = version;
  r[RES_MIN] = a.jobMin;
  r[RES_VALID] = 1;
  for (i = 0; i < BUNDLE_ID_BYTES; i++) a.resId[i] = a.slots[a.jobSlot].id[i];
}

/**
 * The signed-bundle check of slot `slot`'s bytes under `key`. A boot check whose check mark (check-mark.ts) is the
 * pointer's skips the signature: those bytes passed it under this key before; every other check runs.
 */
function checkUnder(a: LinkState, f: Uint8Array, key: Uint8Array, kind: number, slot: number, min: number): void {
  var known = checkMark(a, key, slot, a.jobMark) && kind === JOB_BOOT && sameMark(a.jobMark, a.ptr.mark);
  a.jobKnown = known;
  a.check = a.g.checkBegin(f.subarray(SLOT_HEADER, SLOT_HEADER + a.slots[slot].size), { key: key, profile: a.cfg.profile, active: min, signed: known });
}

/** Starts checking `slot`; returns ST_PENDING, or the status that stopped it before the signature check. */
function startJob(a: LinkState, kind: number, slot: number, trial: number, min: number): number {
  var st = readChecked(a, slot, FILE);
  var f = FILE[0];
  FILE[0] = null;
  a.jobSlot = slot;
  a.jobTrial = trial;
  a.jobMin = min;
  if (st !== ST_OK || !f) return st;
  a.job = kind;
  checkUnder(a, f, anchor(a) as Uint8Array, kind, slot, min);
  // A bundle installed before the last trust-anchor rotation still boots; only ACTIVATE needs the current anchor.
  if (kind === JOB_BOOT && a.check!.fault === SF_WRONG_KEY && a.id.valid && a.id.hasPrev) checkUnder(a, f, a.id.prev, kind, slot, min);
  return ST_PENDING;
}

/**
 * The boot check of a slot could not run or failed: remember why (the first failure), and try the other slot
 * once if it holds a complete bundle (a fallback that succeeds becomes the active slot).
 */
function bootFailed(a: LinkState, code: number, at: number, field: number): void {
  var o = other(a.jobSlot);
  a.job = JOB_NONE;
  if (a.jobFallback) return;
  a.bootFault[0] = code;
  a.bootFault[1] = at;
  a.bootFault[2] = field;
  if (a.slots[o].state !== SLOT_COMPLETE) return;
  a.jobFallback = true;
  if (startJob(a, JOB_BOOT, o, 0, 0) !== ST_PENDING) a.job = JOB_NONE;
}

/** Boot: revert an unconfirmed trial, count the restart, then check the active slot (from poll). */
export function boot(a: LinkState): void {
  var p = a.ptr;
  var active = p.active;
  var st;
  if (p.trial) active = a.slots[other(active)].state === SLOT_COMPLETE ? other(active) : NO_SLOT;
  pointerCommit(a.store, p, active, 0, p.floor, p.boots + 1, active === p.active ? p.mark : null);
  if (active === NO_SLOT || !anchor(a)) return;
  a.jobFallback = false;
  st = startJob(a, JOB_BOOT, active, 0, 0);
  if (st !== ST_PENDING) bootFailed(a, FAULT_SLOT_STATUS + st, 0, 0);
}

/** Applies a checked bundle: commit the pointer (activation) and run it. */
function finishJob(a: LinkState): void {
  var c = a.check;
  var rt, slot, trial, floor;
  a.check = null;
  if (!c) return;
  // the translation kept at an earlier boot, used by load() only when it is this bundle's by this runtime build
  if (a.io.keptCode) a.host.keptCode = a.io.keptCode();
  rt = a.g.loadChecked(c, a.host);
  a.host.keptCode = undefined;
  slot = a.jobSlot;
  if (rt.fault) {
    if (a.job === JOB_BOOT) bootFailed(a, rt.fault, rt.faultAt, rt.field);
    else setResult(a, ST_REFUSED, rt.fault, rt.faultAt, rt.field, c.version);
    a.job = JOB_NONE;
    return;
  }
  if (a.job === JOB_ACTIVATE) {
    trial = a.jobTrial;
    floor = trial || c.version < a.ptr.floor ? a.ptr.floor : c.version;
    if (!pointerCommit(a.store, a.ptr, slot, trial, floor, a.ptr.boots, a.jobMark)) {
      setResult(a, ST_STORAGE, 0, 0, 0, c.version);
      a.job = JOB_NONE;
      return;
    }
    setResult(a, ST_OK, 0, 0, 0, c.version);
  } else if (a.jobFallback || (!a.jobKnown && isMark(a.jobMark))) {
    // a fallback becomes the active slot; a boot that verified the signature marks the bundle for the next boots
    pointerCommit(a.store, a.ptr, slot, 0, a.ptr.floor, a.ptr.boots, a.jobMark);
  }
  a.job = JOB_NONE;
  a.slots[slot].version = c.version;
  if (a.ptr.active !== slot) return;
  endRun(a); // an injected run of the old bundle ends with it
  useWriter(a, rt.signing);
  a.rt = rt;
  a.activeCheck = c;
  a.activeVersion = c.version;
}

/** Runs a slice of the check in progress; true while work remains. */
export function jobStep(a: LinkState, units: number): boolean {
  if (a.job === JOB_NONE || !a.check) return false;
  if (a.g.checkStep(a.check, units)) finishJob(a);
  return a.job !== JOB_NONE;
}

function replyResult(a: LinkState, type: number, seq: number, already: boolean): void {
  var r = a.res;
  reply(a, type, seq, r[RES_STATUS]);
  if (r[RES_STATUS] === ST_REFUSED) {
    kUint(a, AR_FAULT, r[RES_FAULT]);
    kUint(a, AR_AT, r[RES_AT]);
    kUint(a, AR_FIELD, r[RES_FIELD]);
  }
  if (r[RES_VERSION] >= 0) kUint(a, AR_VERSION, r[RES_VERSION]);
  kUint(a, AR_MIN_VERSION, r[RES_MIN]);
  if (already) kUint(a, AR_ALREADY, 1);
  sendReply(a, type, seq);
}

function resultFor(a: LinkState, idAt: number): boolean {
  var i;
  if (!a.res[RES_VALID]) return false;
  for (i = 0; i < BUNDLE_ID_BYTES; i++) if (a.resId[i] !== a.r.b[idAt + i]) return false;
  return true;
}

export function onActivate(a: LinkState, type: number, seq: number): void {
  var idAt, slot, st;
  if (!hasId(a, AQ_ID) || (a.body.kind[AQ_TRIAL] && !hasUint(a, AQ_TRIAL))) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  idAt = a.body.at[AQ_ID];
  slot = findSlot(a, a.r.b, idAt);
  if (a.job !== JOB_NONE) {
    replyStatus(a, type, seq, a.job === JOB_ACTIVATE && slot === a.jobSlot ? ST_PENDING : ST_BUSY);
    return;
  }
  if (slot !== NO_SLOT && slot === a.ptr.active && a.rt) {
    if (!resultFor(a, idAt) || a.res[RES_STATUS] !== ST_OK) {
      a.jobMin = minVersion(a);
      a.jobSlot = slot;
      setResult(a, ST_OK, 0, 0, 0, a.activeVersion);
      replyResult(a, type, seq, true);
      return;
    }
    replyResult(a, type, seq, false);
    return;
  }
  if (resultFor(a, idAt) && a.res[RES_STATUS] === ST_REFUSED) {
    replyResult(a, type, seq, false);
    return;
  }
  if (!anchor(a)) st = ST_UNPROVISIONED;
  else if (a.ptr.trial) st = ST_TRIAL;
  else if (slot === NO_SLOT) st = ST_NOT_FOUND;
  else st = startJob(a, JOB_ACTIVATE, slot, a.body.num[AQ_TRIAL] === 1 ? 1 : 0, minVersion(a));
  if (st === ST_PENDING && !jobStep(a, a.checkUnits) && resultFor(a, idAt)) {
    replyResult(a, type, seq, false);
    return;
  }
  replyStatus(a, type, seq, st);
}

export function onConfirm(a: LinkState, type: number, seq: number): void {
  var p = a.ptr;
  var floor;
  if (!hasId(a, FQ_ID)) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (p.active === NO_SLOT || !a.rt || !slotIs(a.slots[p.active], a.r.b, a.body.at[FQ_ID])) {
    replyStatus(a, type, seq, ST_NOT_FOUND);
    return;
  }
  if (p.trial) {
    floor = a.activeVersion > p.floor ? a.activeVersion : p.floor;
    if (!pointerCommit(a.store, p, p.active, 0, floor, p.boots, p.mark)) {
      replyStatus(a, type, seq, ST_STORAGE);
      return;
    }
  }
  replyStatus(a, type, seq, ST_OK);
}
