/**
 * Provisioning over the link (docs/PROVISIONING.md): PROVISION installs the trust anchor on an unprovisioned
 * device, which makes its own event key from the board's random source and proves it holds it; ROTATE_TRUST
 * replaces the anchor by a new build key the current one signed, with a higher version; ROTATE_EVENT_KEY, signed by
 * the anchor, makes a new event key, announced by the last record under the old one. The secret never leaves the
 * device: replies carry public keys and signatures only.
 *
 * Every step writes its new record first and switches by one identity write last (identity.ts), and a repeated
 * request finds the step done and answers the same (PR_ALREADY / XR_ALREADY / TR_ALREADY). A rotation cut short
 * by a power cut after its secret record was written is finished at the next start (finishRotation).
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use. These requests are rare (a few
 * per device life) and each may allocate (a signature, a key); no other frame does.
 */
import {
  PQ_ANCHOR, PQ_DEVICE, PQ_NONCE, PR_DEVICE, PR_EVENT_KEY, PR_PROOF, PR_ANCHOR_VERSION, PR_EPOCH, PR_ALREADY, PR_ANCHOR_ID,
  XQ_DEVICE, XQ_EPOCH, XQ_SIGNATURE, XQ_NONCE, XR_EPOCH, XR_EVENT_KEY, XR_SEQ, XR_PROOF, XR_ALREADY,
  TQ_ANCHOR, TQ_VERSION, TQ_SIGNATURE, TR_VERSION, TR_ALREADY, SECRET_KEYS,
  ST_OK, ST_MALFORMED, ST_BUSY, ST_STORAGE, ST_PROVISIONED, ST_BAD_KEY, ST_SIGNATURE, ST_STALE, ST_NO_RANDOM, ST_UNPROVISIONED,
} from './constants.ts';
import { V_UINT, V_BYTES } from './body.ts';
import { reply, kUint, kBytes, sendReply, replyStatus } from './reply.ts';
import { identityCommit, identityErase, recordErase, secretLoad, secretWrite, secretAnnounce, secretSeed, secretSeal } from './identity.ts';
import { provisionStatement, rotateKeyStatement, rotateProofStatement, trustStatement } from './statements.ts';
import { useWriter, anchor as anchorKey } from './activate.ts';
import { JOB_NONE, type LinkState } from './state.ts';

export function deviceId(a: LinkState): number {
  return a.id.valid ? a.id.device : a.cfg.device;
}

export function same(x: Uint8Array, xAt: number, y: Uint8Array, yAt: number, n: number): boolean {
  var i;
  for (i = 0; i < n; i++) if (x[xAt + i] !== y[yAt + i]) return false;
  return true;
}

export function isBytes(a: LinkState, k: number, lo: number, hi: number): boolean {
  return a.body.kind[k] === V_BYTES && a.body.num[k] >= lo && a.body.num[k] <= hi;
}

export function isU32(a: LinkState, k: number): boolean {
  return a.body.kind[k] === V_UINT && a.body.num[k] <= 4294967295;
}

/** True when the 64-byte signature at body key `k` verifies over a.stmt[0…n) with the trust anchor in force. */
export function anchorSigned(a: LinkState, k: number, n: number): boolean {
  var at = a.body.at[k];
  return a.g.verify(a.r.b.subarray(at, at + 64), a.stmt.subarray(0, n), a.id.anchor);
}

/** Takes the secret of a record as the one in force. */
function useSecret(a: LinkState, s: Uint8Array): void {
  a.seed.set(secretSeed(s));
  a.seal.set(secretSeal(s));
  a.hasSeed = true;
}

/** 64 bytes of key material: SHA-512 of 64 bytes from the board's random source (null: none to be had). */
function material(a: LinkState): Uint8Array | null {
  if (!a.io.random || !a.io.random(a.rnd)) return null;
  return a.sha(a.rnd);
}

/** The writer again, from the key in force (a fresh writer re-reads the queue and state, sealed alike). */
function renewWriter(a: LinkState): void {
  var mode = a.writerMode >= 0 ? a.writerMode : 0;
  a.writer = null;
  useWriter(a, mode);
}

/**
 * At start (before the boot check): the identity's secret, then any rotation a power cut interrupted; after a
 * factory reset, whatever of the old identity a power cut left (identity.ts).
 */
export function provisionBoot(a: LinkState): void {
  var s;
  if (!a.id.valid) {
    if (a.id.reset) identityErase(a.store, a.id, a.cfg.queue as number);
    useWriter(a, 0);
    return;
  }
  s = secretLoad(a.store, a.id.epoch);
  if (s) useSecret(a, s);
  useWriter(a, 0);
  s = secretLoad(a.store, a.id.epoch + 1);
  if (s && a.writer) finishRotation(a, s);
}

/**
 * Completes a rotation whose secret record `s` (epoch + 1) is written: the rotation record under the old key
 * (unless a power cut came after it), then the identity naming the new epoch, then the old secret is erased.
 */
function finishRotation(a: LinkState, s: Uint8Array): number {
  var w = a.writer;
  var epoch = a.id.epoch + 1;
  var seq = secretAnnounce(s);
  if (!w) return ST_UNPROVISIONED;
  if (w.nextSeq() <= seq) {
    if (w.nextSeq() !== seq) {
      // the writer's state went back (storage lost): announce at the seq it will really use
      a.rnd.set(secretSeed(s));
      a.rnd.set(secretSeal(s), 32);
      if (!secretWrite(a.store, a.secret, epoch, w.nextSeq(), a.rnd, null)) return ST_STORAGE;
      s = a.secret;
      seq = w.nextSeq();
    }
    if (w.rotate(secretSeed(s), a.lastT) < 0) return ST_STORAGE;
  }
  if (!identityCommit(a.store, a.id, a.id.device, a.id.version, epoch, a.id.anchor, 0, a.id.hasPrev ? a.id.prev : null)) return ST_STORAGE;
  useSecret(a, s);
  renewWriter(a);
  recordErase(a.store, SECRET_KEYS[(epoch + 1) & 1]); // the retired secret: nothing needs it now
  return ST_OK;
}

/** The PROVISION reply of a provisioned device: its key, and a proof of possession over this request's nonce. */
function provisionReply(a: LinkState, type: number, seq: number, already: boolean): void {
  var b = a.body;
  var w = a.writer;
  var n, proof;
  if (!w || !a.hasSeed) {
    replyStatus(a, type, seq, ST_STORAGE);
    return;
  }
  n = provisionStatement(a.stmt, a.r.b, b.at[PQ_NONCE], b.num[PQ_NONCE], a.id.device, a.id.version, a.id.anchor, w.publicKey);
  proof = a.g.sign(a.stmt.subarray(0, n), a.seed);
  reply(a, type, seq, ST_OK);
  kUint(a, PR_DEVICE, a.id.device);
  kBytes(a, PR_EVENT_KEY, w.publicKey, 0, 32);
  kBytes(a, PR_PROOF, proof, 0, 64);
  kUint(a, PR_ANCHOR_VERSION, a.id.version);
  kUint(a, PR_EPOCH, a.id.epoch);
  if (already) kUint(a, PR_ALREADY, 1);
  sendReply(a, type, seq);
}

export function onProvision(a: LinkState, type: number, seq: number): void {
  var b = a.body;
  var dev, anchor, s, m;
  if (!isBytes(a, PQ_ANCHOR, 32, 32) || !isU32(a, PQ_DEVICE) || !isBytes(a, PQ_NONCE, 16, 32)) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (a.job !== JOB_NONE) {
    replyStatus(a, type, seq, ST_BUSY);
    return;
  }
  dev = b.num[PQ_DEVICE];
  a.cand.set(a.r.b.subarray(b.at[PQ_ANCHOR], b.at[PQ_ANCHOR] + 32));
  anchor = anchorKey(a);
  if (anchor) {
    if (a.id.valid && dev === a.id.device && same(anchor, 0, a.cand, 0, 32)) {
      provisionReply(a, type, seq, true);
      return;
    }
    reply(a, type, seq, ST_PROVISIONED);
    kBytes(a, PR_ANCHOR_ID, anchor, 0, 8);
    sendReply(a, type, seq);
    return;
  }
  if (a.g.isWeakPublicKey(a.cand)) {
    replyStatus(a, type, seq, ST_BAD_KEY);
    return;
  }
  // after a factory reset nothing of the erased identity may be taken up again (its secret above all)
  if (a.id.reset && !identityErase(a.store, a.id, a.cfg.queue as number)) {
    replyStatus(a, type, seq, ST_STORAGE);
    return;
  }
  // a secret written before a power cut is used again: it never left the device
  s = secretLoad(a.store, 0);
  if (!s) {
    m = material(a);
    if (!m) {
      replyStatus(a, type, seq, ST_NO_RANDOM);
      return;
    }
    if (!secretWrite(a.store, a.secret, 0, 0, m, null)) {
      replyStatus(a, type, seq, ST_STORAGE);
      return;
    }
    s = a.secret;
  }
  useSecret(a, s);
  if (!identityCommit(a.store, a.id, dev, 0, 0, a.cand, 0, null)) {
    replyStatus(a, type, seq, ST_STORAGE);
    return;
  }
  renewWriter(a);
  provisionReply(a, type, seq, false);
}

function rotateReply(a: LinkState, type: number, seq: number, already: boolean): void {
  var b = a.body;
  var w = a.writer;
  var s = secretLoad(a.store, a.id.epoch);
  var at, n, proof;
  if (!w || !s) {
    replyStatus(a, type, seq, ST_STORAGE);
    return;
  }
  at = secretAnnounce(s);
  n = rotateProofStatement(a.stmt, a.r.b, b.at[XQ_NONCE], b.num[XQ_NONCE], a.id.device, a.id.epoch, w.publicKey, at);
  proof = a.g.sign(a.stmt.subarray(0, n), a.seed);
  reply(a, type, seq, ST_OK);
  kUint(a, XR_EPOCH, a.id.epoch);
  kBytes(a, XR_EVENT_KEY, w.publicKey, 0, 32);
  kUint(a, XR_SEQ, at);
  kBytes(a, XR_PROOF, proof, 0, 64);
  if (already) kUint(a, XR_ALREADY, 1);
  sendReply(a, type, seq);
}

export function onRotateEventKey(a: LinkState, type: number, seq: number): void {
  var b = a.body;
  var epoch, n, s, m, st;
  if (!isU32(a, XQ_DEVICE) || !isU32(a, XQ_EPOCH) || !isBytes(a, XQ_SIGNATURE, 64, 64) || !isBytes(a, XQ_NONCE, 16, 32)) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (!a.id.valid || !a.writer) {
    replyStatus(a, type, seq, ST_UNPROVISIONED);
    return;
  }
  if (a.job !== JOB_NONE) {
    replyStatus(a, type, seq, ST_BUSY);
    return;
  }
  epoch = b.num[XQ_EPOCH];
  // the statement names this device: a command for another one does not verify
  n = rotateKeyStatement(a.stmt, a.id.device, epoch);
  if (b.num[XQ_DEVICE] !== a.id.device || !anchorSigned(a, XQ_SIGNATURE, n)) {
    replyStatus(a, type, seq, ST_SIGNATURE);
    return;
  }
  if (epoch + 1 === a.id.epoch) {
    rotateReply(a, type, seq, true);
    return;
  }
  if (epoch !== a.id.epoch) {
    replyStatus(a, type, seq, ST_STALE);
    return;
  }
  s = secretLoad(a.store, epoch + 1);
  if (!s) {
    m = material(a);
    if (!m) {
      replyStatus(a, type, seq, ST_NO_RANDOM);
      return;
    }
    if (!secretWrite(a.store, a.secret, epoch + 1, a.writer.nextSeq(), m, a.seal)) {
      replyStatus(a, type, seq, ST_STORAGE);
      return;
    }
    s = a.secret;
  }
  st = finishRotation(a, s);
  if (st !== ST_OK) replyStatus(a, type, seq, st);
  else rotateReply(a, type, seq, false);
}

export function onRotateTrust(a: LinkState, type: number, seq: number): void {
  var b = a.body;
  var version, n;
  if (!isBytes(a, TQ_ANCHOR, 32, 32) || !isU32(a, TQ_VERSION) || !isBytes(a, TQ_SIGNATURE, 64, 64)) {
    replyStatus(a, type, seq, ST_MALFORMED);
    return;
  }
  if (!a.id.valid) {
    replyStatus(a, type, seq, ST_UNPROVISIONED);
    return;
  }
  if (a.job !== JOB_NONE) {
    replyStatus(a, type, seq, ST_BUSY);
    return;
  }
  version = b.num[TQ_VERSION];
  a.cand.set(a.r.b.subarray(b.at[TQ_ANCHOR], b.at[TQ_ANCHOR] + 32));
  if (version === a.id.version && same(a.cand, 0, a.id.anchor, 0, 32)) {
    reply(a, type, seq, ST_OK);
    kUint(a, TR_VERSION, version);
    kUint(a, TR_ALREADY, 1);
    sendReply(a, type, seq);
    return;
  }
  if (a.g.isWeakPublicKey(a.cand)) {
    replyStatus(a, type, seq, ST_BAD_KEY);
    return;
  }
  n = trustStatement(a.stmt, version, a.cand, 0);
  if (!anchorSigned(a, TQ_SIGNATURE, n)) {
    replyStatus(a, type, seq, ST_SIGNATURE);
    return;
  }
  if (version <= a.id.version) {
    replyStatus(a, type, seq, ST_STALE);
    return;
  }
  if (!identityCommit(a.store, a.id, a.id.device, version, a.id.epoch, a.cand, 0, a.id.anchor)) {
    replyStatus(a, type, seq, ST_STORAGE);
    return;
  }
  reply(a, type, seq, ST_OK);
  kUint(a, TR_VERSION, version);
  sendReply(a, type, seq);
}
