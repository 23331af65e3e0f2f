/**
 * Ed25519 (RFC 8032, pure) for engines without BigInt: key derivation, signing and verification, each
 * runnable in bounded slices so the rule engine never waits long behind a signature.
 *
 *   var key = keyFromSeed(seed32);                  // { publicKey, secretKey (seed || pub), scalar, prefix }
 *   var sig = sign(msg, key);                       // 64 bytes; key may also be a 32-byte seed or 64-byte secretKey
 *   var ok = verify(sig, msg, key.publicKey);       // boolean
 *
 *   var ctx = newSignCtx();                         // preallocated state, reusable
 *   signBegin(ctx, msg, key);
 *   while (!signStep(ctx, 1)) { ...let other work run... }   // ctx.sig holds the signature
 *   (verifyBegin / verifyStep / ctx.valid alike)
 *
 * A unit of work is one point addition or doubling, CHAIN_UNIT squarings of an exponentiation chain,
 * SHA512_ROUNDS_PER_UNIT rounds of the built-in SHA-512 (or one call of a plugged hash), or one scalar
 * step (see docs/ED25519.md for measured times per engine).
 * Verification follows ZIP-215, like @noble/ed25519 3.2's default verify: S must be < L; A and R may be
 * non-canonical encodings (y >= p, or x = 0 with the sign bit set) and of small order; the challenge is
 * hashed over the bytes as given; the equation is cofactored: [8]([S]B) = [8]R + [8]([k]A).
 * Inputs of the wrong length are rejected (false) instead of thrown on.
 *
 * The hash is pluggable (setSha512), the default being sha512.ts. The fixed-base table is built on first
 * use unless the host installs one (setBaseTable, e.g. loadBaseTable(ed25519TableB64())).
 * Runtime subset: ES5 + typed arrays, var only, functions defined before use, no recursion.
 * Timing: the operation sequence is fixed, but table indices and a few branches depend on secrets; the
 * interpreters themselves give no constant-time guarantee.
 */
import { sha512, sha512Rounds, sha512Init, sha512Pad, sha512PaddedLength, sha512Digest, SHA512_ROUNDS_PER_UNIT } from './sha512.ts';
import { newChain, chainBegin, chainRun, CHAIN_INV, type Chain } from './field25519.ts';
import { scFromHash, scMulAdd, scRecode, scIsCanonical, scClamp } from './scalar25519.ts';
import {
  newPoint, ptIdentity, ptCopy, ptDouble, ptAddNiels, ptAddCached, ptToCached, ptEncode, ptIsIdentity,
  newDecoder, decodeBegin, decodeFinish, type Decoder, NIELS,
} from './edpoint.ts';
import { buildBaseTable, TABLE_IDENTITY } from './edtable.ts';

export type Sha512 = (msg: Uint8Array) => Uint8Array;

export interface Ed25519Key {
  publicKey: Uint8Array;
  /** seed || publicKey, the 64-byte form other libraries (tweetnacl) call the secret key. */
  secretKey: Uint8Array;
  /** Clamped secret scalar reduced mod L (32 bytes). */
  scalar: Uint8Array;
  /** Nonce prefix: second half of SHA-512(seed). */
  prefix: Uint8Array;
}

/** Squarings of an exponentiation chain per unit (about one point addition's worth of work). */
export var CHAIN_UNIT = 12;
/** Units per step when signStep/verifyStep get no (or a non-positive) budget. */
export var DEFAULT_SLICE = 1;

var HASH: Sha512 = sha512;
var TABLE: Uint16Array | null = null;

/** Plugs a SHA-512 implementation (null restores the built-in one). */
export function setSha512(fn: Sha512 | null): void {
  HASH = fn ? fn : sha512;
}

/** Installs a precomputed fixed-base table (from buildBaseTable or loadBaseTable). */
export function setBaseTable(tab: Uint16Array): void {
  TABLE = tab;
}

/** The fixed-base table, built on first use when none was installed. */
export function baseTable(): Uint16Array {
  if (!TABLE) TABLE = buildBaseTable();
  return TABLE;
}

/**
 * A SHA-512 of a || b || c run in slices: with the built-in hash a unit is SHA512_ROUNDS_PER_UNIT rounds of
 * one block; a plugged hash (e.g. Espruino's native one) is called in a single unit. The buffer is kept
 * and grows only for longer messages.
 */
interface HashJob {
  buf: Uint8Array;
  len: number;
  end: number;
  off: number;
  round: number;
  builtin: boolean;
  hs: Int32Array;
  st: Int32Array;
  w: Int32Array;
  out: Uint8Array;
}

function newHashJob(): HashJob {
  return {
    buf: new Uint8Array(256), len: 0, end: 0, off: 0, round: 0, builtin: true, hs: new Int32Array(16),
    st: new Int32Array(16), w: new Int32Array(160), out: new Uint8Array(64),
  };
}

function hashBegin(job: HashJob, a: Uint8Array, b: Uint8Array, c: Uint8Array | null): void {
  var la = a.length;
  var lb = b.length;
  var len = la + lb + (c ? c.length : 0);
  var builtin = HASH === sha512;
  var end = builtin ? sha512PaddedLength(len) : len;
  var buf = job.buf;
  var i;
  if (buf.length < end) {
    buf = new Uint8Array(end);
    job.buf = buf;
  }
  buf.set(a, 0);
  buf.set(b, la);
  if (c) buf.set(c, la + lb);
  job.len = len;
  job.end = end;
  job.builtin = builtin;
  job.off = 0;
  job.round = 0;
  if (builtin) {
    for (i = len; i < end; i++) buf[i] = 0;
    sha512Pad(buf, len, end, len);
    sha512Init(job.hs);
  }
}

/** One unit of a hash job; true when job.out holds the digest. */
function hashUnit(job: HashJob): boolean {
  var r1;
  if (!job.builtin) {
    job.out.set(HASH(job.buf.subarray(0, job.len)));
    return true;
  }
  r1 = job.round + SHA512_ROUNDS_PER_UNIT;
  if (r1 > 80) r1 = 80;
  sha512Rounds(job.hs, job.st, job.w, job.buf, job.off, job.round, r1);
  job.round = r1;
  if (r1 < 80) return false;
  job.round = 0;
  job.off += 128;
  if (job.off < job.end) return false;
  sha512Digest(job.hs, job.out);
  return true;
}

/**
 * Unit i (0..67) of [s]B from signed radix-16 digits e: units 0..31 add the odd digits (window j at
 * 256^j B), 32..35 multiply by 16, 36..67 add the even digits.
 */
function fixedBaseUnit(P: Float64Array[], e: Int8Array, i: number, tab: Uint16Array): void {
  var j, dgt, neg, off;
  if (i >= 32 && i < 36) {
    ptDouble(P, P, i === 35);
    return;
  }
  j = i < 32 ? i : i - 36;
  dgt = e[2 * j + (i < 32 ? 1 : 0)];
  neg = dgt < 0;
  if (neg) dgt = -dgt;
  off = dgt === 0 ? TABLE_IDENTITY : (j * 8 + dgt - 1) * NIELS;
  ptAddNiels(P, P, tab, off, neg);
}
export var FIXED_BASE_UNITS = 68;

/** Sign state. */
export interface SignCtx {
  phase: number;
  i: number;
  msg: Uint8Array;
  key: Ed25519Key | null;
  hash: HashJob;
  r: Uint8Array;
  e: Int8Array;
  P: Float64Array[];
  chain: Chain;
  /** The signature once signStep returned true. */
  sig: Uint8Array;
}

export function newSignCtx(): SignCtx {
  return {
    phase: 0, i: 0, msg: new Uint8Array(0), key: null, hash: newHashJob(), r: new Uint8Array(32),
    e: new Int8Array(64), P: newPoint(), chain: newChain(), sig: new Uint8Array(64),
  };
}

var S_HASH_R = 1;
var S_R = 2;
var S_BASE = 3;
var S_INV = 4;
var S_ENCODE = 5;
var S_HASH_K = 6;
var S_K = 7;
var S_S = 8;
var S_DONE = 9;

/** Expanded key (hash of the seed, clamp) without the public point; used by keyFromSeed. */
function expandSeed(seed: Uint8Array): Ed25519Key {
  var h = HASH(seed.subarray(0, 32));
  var scalar = new Uint8Array(32);
  var sk = new Uint8Array(64);
  scClamp(scalar, h);
  sk.set(seed.subarray(0, 32), 0);
  return { publicKey: sk.subarray(32, 64), secretKey: sk, scalar: scalar, prefix: h.subarray(32, 64) };
}

/** [s]B encoded into out[off..off+31], using ctx as scratch (one-shot). */
function baseMulEncode(ctx: SignCtx, s: Uint8Array, out: Uint8Array, off: number): void {
  var tab = baseTable();
  var i;
  scRecode(ctx.e, s);
  ptIdentity(ctx.P);
  for (i = 0; i < FIXED_BASE_UNITS; i++) fixedBaseUnit(ctx.P, ctx.e, i, tab);
  chainBegin(ctx.chain, CHAIN_INV, ctx.P[2]);
  chainRun(ctx.chain, 100000);
  ptEncode(out, off, ctx.P, ctx.chain.reg[5]);
}

var KEY_CTX: SignCtx | null = null;

/** Key pair from a 32-byte seed (RFC 8032 5.1.5). */
export function keyFromSeed(seed: Uint8Array): Ed25519Key {
  var key = expandSeed(seed);
  if (!KEY_CTX) KEY_CTX = newSignCtx();
  baseMulEncode(KEY_CTX, key.scalar, key.secretKey, 32);
  return key;
}

/** Starts signing msg (kept by reference until done) with key from keyFromSeed. */
export function signBegin(ctx: SignCtx, msg: Uint8Array, key: Ed25519Key): void {
  ctx.msg = msg;
  ctx.key = key;
  ctx.i = 0;
  baseTable();
  hashBegin(ctx.hash, key.prefix, msg, null);
  ctx.phase = S_HASH_R;
}

/** Runs up to maxUnits units of signing; true when ctx.sig is ready. */
export function signStep(ctx: SignCtx, maxUnits: number): boolean {
  var n = maxUnits > 0 ? maxUnits : DEFAULT_SLICE;
  var key = ctx.key as Ed25519Key;
  var ph, k;
  while (n > 0) {
    ph = ctx.phase;
    n--;
    if (ph === S_BASE) {
      fixedBaseUnit(ctx.P, ctx.e, ctx.i, TABLE as Uint16Array);
      ctx.i++;
      if (ctx.i === FIXED_BASE_UNITS) {
        chainBegin(ctx.chain, CHAIN_INV, ctx.P[2]);
        ctx.phase = S_INV;
      }
    } else if (ph === S_INV) {
      if (chainRun(ctx.chain, CHAIN_UNIT)) ctx.phase = S_ENCODE;
    } else if (ph === S_HASH_R || ph === S_HASH_K) {
      if (hashUnit(ctx.hash)) ctx.phase = ph === S_HASH_R ? S_R : S_K;
    } else if (ph === S_R) {
      // r = H(prefix || M) mod L, as signed radix-16 digits
      scFromHash(ctx.r, ctx.hash.out);
      scRecode(ctx.e, ctx.r);
      ptIdentity(ctx.P);
      ctx.i = 0;
      ctx.phase = S_BASE;
    } else if (ph === S_ENCODE) {
      // R = encode([r]B), then k = H(R || A || M)
      ptEncode(ctx.sig, 0, ctx.P, ctx.chain.reg[5]);
      hashBegin(ctx.hash, ctx.sig.subarray(0, 32), key.publicKey, ctx.msg);
      ctx.phase = S_HASH_K;
    } else if (ph === S_K) {
      // k = H(R || A || M) mod L, kept in the S half of the signature
      scFromHash(ctx.sig.subarray(32, 64), ctx.hash.out);
      ctx.phase = S_S;
    } else if (ph === S_S) {
      // S = (r + k a) mod L
      k = ctx.sig.subarray(32, 64);
      scMulAdd(k, k, key.scalar, ctx.r);
      ctx.phase = S_DONE;
    } else {
      return true;
    }
  }
  return ctx.phase === S_DONE;
}

var SIGN_CTX: SignCtx | null = null;

/** Key object from a key, a 32-byte seed or a 64-byte seed || publicKey secret key. */
function asKey(secret: Ed25519Key | Uint8Array): Ed25519Key {
  var s = secret as Uint8Array;
  if (typeof s.length === 'number') return keyFromSeed(s.subarray(0, 32));
  return secret as Ed25519Key;
}

/** One-shot signature (64 bytes, a new array). */
export function sign(msg: Uint8Array, secret: Ed25519Key | Uint8Array): Uint8Array {
  var out = new Uint8Array(64);
  if (!SIGN_CTX) SIGN_CTX = newSignCtx();
  signBegin(SIGN_CTX, msg, asKey(secret));
  while (!signStep(SIGN_CTX, 1000)) {
    // all work happens in signStep
  }
  out.set(SIGN_CTX.sig);
  return out;
}

/** Verify state. */
export interface VerifyCtx {
  phase: number;
  i: number;
  sig: Uint8Array;
  msg: Uint8Array;
  pub: Uint8Array;
  dec: Decoder;
  hash: HashJob;
  A: Float64Array[];
  R: Float64Array[];
  Q: Float64Array[];
  PB: Float64Array[];
  /** Cached j*A for j = 1..8. */
  tabA: Float64Array[][];
  ek: Int8Array;
  es: Int8Array;
  k: Uint8Array;
  /** Refuse a public key of small order (verifyBegin's `strict`): set weakKey and end invalid. */
  strict: boolean;
  weakKey: boolean;
  /** The verdict once verifyStep returned true. */
  valid: boolean;
}

export function newVerifyCtx(): VerifyCtx {
  var tabA: Float64Array[][] = [];
  var i;
  for (i = 0; i < 8; i++) tabA.push(newPoint());
  return {
    phase: 0, i: 0, sig: new Uint8Array(64), msg: new Uint8Array(0), pub: new Uint8Array(32), dec: newDecoder(),
    hash: newHashJob(), A: newPoint(), R: newPoint(), Q: newPoint(), PB: newPoint(), tabA: tabA,
    ek: new Int8Array(64), es: new Int8Array(64), k: new Uint8Array(32), strict: false, weakKey: false, valid: false,
  };
}

var V_START = 1;
var V_DEC_A = 2;
var V_FIN_A = 3;
var V_DEC_R = 4;
var V_FIN_R = 5;
var V_HASH = 6;
var V_K = 7;
var V_BASE = 8;
var V_TABA = 9;
var V_HORNER = 10;
var V_FINAL = 11;
var V_DONE = 12;
/** Horner units: 64 digit additions and 63 * 4 doublings. */
var HORNER_UNITS = 64 + 63 * 4;

/**
 * True when the point P (extended coordinates) has small order: [8]P is the identity. The point itself is left
 * as it was; `scratch` receives [8]P. Such a public key proves nothing (isWeakPublicKey).
 */
function isSmallOrder(P: Float64Array[], scratch: Float64Array[]): boolean {
  ptCopy(scratch, P);
  ptDouble(scratch, scratch, false);
  ptDouble(scratch, scratch, false);
  ptDouble(scratch, scratch, false);
  return ptIsIdentity(scratch);
}

/**
 * Starts verifying sig over msg with the 32-byte public key pub (sig and pub are copied, msg referenced).
 * `strict`: a key of small order fails (ctx.weakKey) instead of following ZIP-215, which lets such a key verify
 * signatures made without a secret; a device checking against a provisioned key wants that (signed-bundle.ts).
 */
export function verifyBegin(ctx: VerifyCtx, sig: Uint8Array, msg: Uint8Array, pub: Uint8Array, strict?: boolean): void {
  ctx.msg = msg;
  ctx.strict = !!strict;
  ctx.weakKey = false;
  ctx.valid = false;
  ctx.i = 0;
  ctx.phase = V_DONE;
  if (!sig || !pub || !msg || sig.length !== 64 || pub.length !== 32) return;
  ctx.sig.set(sig);
  ctx.pub.set(pub);
  if (!scIsCanonical(ctx.sig, 32)) return;
  baseTable();
  ctx.phase = V_START;
}

/** One unit of the Horner loop for [k]A: unit 0 adds the top digit, then per lower digit 4 doublings and 1 addition. */
function hornerUnit(ctx: VerifyCtx, u: number): void {
  var Q = ctx.Q;
  var m, j, dgt, neg;
  if (u === 0) {
    j = 63;
    m = 4;
  } else {
    j = 62 - Math.floor((u - 1) / 5);
    m = (u - 1) % 5;
  }
  if (m < 4) {
    ptDouble(Q, Q, m === 3);
    return;
  }
  dgt = ctx.ek[j];
  neg = dgt < 0;
  if (neg) dgt = -dgt;
  if (dgt !== 0) ptAddCached(Q, Q, ctx.tabA[dgt - 1], neg);
}

/** Units of the last phase: i = 0 adds R, 1 subtracts [S]B, 2..4 double, 5 tests for the identity. */
function finalUnit(ctx: VerifyCtx, i: number): void {
  var t = ctx.tabA[0];
  if (i === 0) {
    ptToCached(t, ctx.R);
    ptAddCached(ctx.Q, ctx.Q, t, false);
  } else if (i === 1) {
    ptToCached(t, ctx.PB);
    ptAddCached(ctx.Q, ctx.Q, t, true);
  } else if (i < 5) {
    ptDouble(ctx.Q, ctx.Q, false);
  } else {
    ctx.valid = ptIsIdentity(ctx.Q);
  }
}

/** Runs up to maxUnits units of verification; true when ctx.valid holds the verdict. */
export function verifyStep(ctx: VerifyCtx, maxUnits: number): boolean {
  var n = maxUnits > 0 ? maxUnits : DEFAULT_SLICE;
  var ph, t;
  while (n > 0) {
    ph = ctx.phase;
    n--;
    if (ph === V_HORNER) {
      hornerUnit(ctx, ctx.i);
      ctx.i++;
      if (ctx.i === HORNER_UNITS) {
        ctx.i = 0;
        ctx.phase = V_FINAL;
      }
    } else if (ph === V_BASE) {
      fixedBaseUnit(ctx.PB, ctx.es, ctx.i, TABLE as Uint16Array);
      ctx.i++;
      if (ctx.i === FIXED_BASE_UNITS) {
        ctx.i = 0;
        ctx.phase = V_TABA;
      }
    } else if (ph === V_DEC_A || ph === V_DEC_R) {
      if (chainRun(ctx.dec.chain, CHAIN_UNIT)) ctx.phase = ph + 1;
    } else if (ph === V_TABA) {
      // tabA[j] = (j + 1) A in cached form
      t = ctx.tabA;
      if (ctx.i === 0) {
        ptToCached(t[0], ctx.A);
        ptCopy(ctx.Q, ctx.A);
      } else {
        ptAddCached(ctx.Q, ctx.Q, t[0], false);
        ptToCached(t[ctx.i], ctx.Q);
      }
      ctx.i++;
      if (ctx.i === 8) {
        ptIdentity(ctx.Q);
        ctx.i = 0;
        ctx.phase = V_HORNER;
      }
    } else if (ph === V_HASH) {
      if (hashUnit(ctx.hash)) ctx.phase = V_K;
    } else if (ph === V_START) {
      decodeBegin(ctx.dec, ctx.pub, 0);
      ctx.phase = V_DEC_A;
    } else if (ph === V_FIN_A) {
      if (!decodeFinish(ctx.dec, ctx.A) || (ctx.strict && isSmallOrder(ctx.A, ctx.Q))) {
        ctx.weakKey = ctx.strict;
        ctx.phase = V_DONE;
        return true;
      }
      decodeBegin(ctx.dec, ctx.sig, 0);
      ctx.phase = V_DEC_R;
    } else if (ph === V_FIN_R) {
      if (!decodeFinish(ctx.dec, ctx.R)) {
        ctx.phase = V_DONE;
        return true;
      }
      // k = H(R || A || M) over the bytes as given
      hashBegin(ctx.hash, ctx.sig.subarray(0, 32), ctx.pub, ctx.msg);
      ctx.phase = V_HASH;
    } else if (ph === V_K) {
      scFromHash(ctx.k, ctx.hash.out);
      scRecode(ctx.ek, ctx.k);
      scRecode(ctx.es, ctx.sig.subarray(32, 64));
      ptIdentity(ctx.PB);
      ctx.i = 0;
      ctx.phase = V_BASE;
    } else if (ph === V_FINAL) {
      // Q = [k]A + R - [S]B, then [8]Q must be the identity.
      finalUnit(ctx, ctx.i);
      ctx.i++;
      if (ctx.i === 6) ctx.phase = V_DONE;
    } else {
      return true;
    }
  }
  return ctx.phase === V_DONE;
}

var KEY_DEC: Decoder | null = null;
var KEY_POINTS: Float64Array[][] | null = null;

/**
 * True when a public key proves nothing: not 32 bytes, not a curve point, or a point of small order (the identity
 * among them). ZIP-215's cofactored check multiplies the key by 8, so such a key verifies signatures made without
 * any secret (R the identity, S = 0). One-shot, for whoever provisions or stores a key to trust; a signature check
 * in slices gets the same rule from verifyBegin's `strict`. The host's rule is signing/keys.ts's, checked against
 * this one by test/ed25519-vectors.test.ts.
 */
export function isWeakPublicKey(pub: Uint8Array): boolean {
  var P;
  if (!(pub instanceof Uint8Array) || pub.length !== 32) return true;
  if (!KEY_DEC) {
    KEY_DEC = newDecoder();
    KEY_POINTS = [newPoint(), newPoint()];
  }
  P = KEY_POINTS as Float64Array[][];
  decodeBegin(KEY_DEC, pub, 0);
  chainRun(KEY_DEC.chain, 100000);
  return !decodeFinish(KEY_DEC, P[0]) || isSmallOrder(P[0], P[1]);
}

var VERIFY_CTX: VerifyCtx | null = null;

/** One-shot verification (ZIP-215 semantics, see above). */
export function verify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  if (!VERIFY_CTX) VERIFY_CTX = newVerifyCtx();
  verifyBegin(VERIFY_CTX, sig, msg, pub);
  while (!verifyStep(VERIFY_CTX, 1000)) {
    // all work happens in verifyStep
  }
  return VERIFY_CTX.valid;
}
