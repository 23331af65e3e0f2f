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
 * A unit of work is one point addition or doubling, about a dozen field squarings of an exponentiation
 * chain, or one hash of the message (see docs/ED25519.md for measured times per engine).
 * Verification follows ZIP-215, like @noble/ed25519 3.2's default verify: S must be < L; A and R may be
 * non-canonical encodings (y >= p, or x = 0 with the sign bit set) and of small order; the challenge is
 * hashed over the bytes as given; the equation is cofactored: [8]([S]B) = [8]R + [8]([k]A).
 * Inputs of the wrong length are rejected (false) instead of thrown on.
 *
 * The hash is pluggable (setSha512), the default being sha512.ts. The fixed-base table is built on first
 * use unless the host installs one (setBaseTable, e.g. loadBaseTable(ED25519_TABLE_B64)).
 * Runtime subset: ES5 + typed arrays, var only, functions defined before use, no recursion.
 * Timing: the operation sequence is fixed, but table indices and a few branches depend on secrets; the
 * interpreters themselves give no constant-time guarantee.
 */
import { sha512 } from './sha512.ts';
import { fe, newChain, chainBegin, chainRun, CHAIN_INV, type Chain } from './field25519.ts';
import { scFromHash, scMulAdd, scRecode, scIsCanonical, scReduce } from './scalar25519.ts';
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

/** SHA-512 over a || b || c (any may be null). */
function hash3(a: Uint8Array | null, b: Uint8Array | null, c: Uint8Array | null): Uint8Array {
  var la = a ? a.length : 0;
  var lb = b ? b.length : 0;
  var lc = c ? c.length : 0;
  var buf = new Uint8Array(la + lb + lc);
  if (a) buf.set(a, 0);
  if (b) buf.set(b, la);
  if (c) buf.set(c, la + lb);
  return HASH(buf);
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
  r: Uint8Array;
  e: Int8Array;
  P: Float64Array[];
  chain: Chain;
  zinv: Float64Array;
  /** The signature once signStep returned true. */
  sig: Uint8Array;
}

export function newSignCtx(): SignCtx {
  return {
    phase: 0, i: 0, msg: new Uint8Array(0), key: null, r: new Uint8Array(32), e: new Int8Array(64),
    P: newPoint(), chain: newChain(), zinv: fe(), sig: new Uint8Array(64),
  };
}

var S_HASH_R = 1;
var S_BASE = 2;
var S_INV = 3;
var S_FINISH = 4;
var S_DONE = 5;

/** Expanded key (hash of the seed, clamp) without the public point; used by keyFromSeed. */
function expandSeed(seed: Uint8Array): Ed25519Key {
  var h = HASH(seed.subarray(0, 32));
  var x = new Float64Array(64);
  var scalar = new Uint8Array(32);
  var sk = new Uint8Array(64);
  var i;
  for (i = 0; i < 32; i++) x[i] = h[i];
  x[0] = x[0] & 248;
  x[31] = (x[31] & 127) | 64;
  scReduce(scalar, x);
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
  ctx.phase = S_HASH_R;
  ctx.i = 0;
  baseTable();
}

/** Runs up to maxUnits units of signing; true when ctx.sig is ready. */
export function signStep(ctx: SignCtx, maxUnits: number): boolean {
  var n = maxUnits > 0 ? maxUnits : DEFAULT_SLICE;
  var key = ctx.key as Ed25519Key;
  var ph, k;
  while (n > 0) {
    ph = ctx.phase;
    if (ph === S_BASE) {
      fixedBaseUnit(ctx.P, ctx.e, ctx.i, TABLE as Uint16Array);
      ctx.i++;
      if (ctx.i === FIXED_BASE_UNITS) {
        chainBegin(ctx.chain, CHAIN_INV, ctx.P[2]);
        ctx.phase = S_INV;
      }
      n--;
    } else if (ph === S_INV) {
      if (chainRun(ctx.chain, CHAIN_UNIT)) ctx.phase = S_FINISH;
      n--;
    } else if (ph === S_HASH_R) {
      // r = H(prefix || M) mod L
      scFromHash(ctx.r, hash3(key.prefix, ctx.msg, null));
      scRecode(ctx.e, ctx.r);
      ptIdentity(ctx.P);
      ctx.i = 0;
      ctx.phase = S_BASE;
      n--;
    } else if (ph === S_FINISH) {
      // R = encode([r]B); k = H(R || A || M) mod L; S = r + k a mod L
      ptEncode(ctx.sig, 0, ctx.P, ctx.chain.reg[5]);
      k = new Uint8Array(32);
      scFromHash(k, hash3(ctx.sig.subarray(0, 32), key.publicKey, ctx.msg));
      scMulAdd(k, k, key.scalar, ctx.r);
      ctx.sig.set(k, 32);
      ctx.phase = S_DONE;
      n--;
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
  A: Float64Array[];
  R: Float64Array[];
  Q: Float64Array[];
  PB: Float64Array[];
  /** Cached j*A for j = 1..8. */
  tabA: Float64Array[][];
  ek: Int8Array;
  es: Int8Array;
  k: Uint8Array;
  /** The verdict once verifyStep returned true. */
  valid: boolean;
}

export function newVerifyCtx(): VerifyCtx {
  var tabA: Float64Array[][] = [];
  var i;
  for (i = 0; i < 8; i++) tabA.push(newPoint());
  return {
    phase: 0, i: 0, sig: new Uint8Array(64), msg: new Uint8Array(0), pub: new Uint8Array(32), dec: newDecoder(),
    A: newPoint(), R: newPoint(), Q: newPoint(), PB: newPoint(), tabA: tabA, ek: new Int8Array(64),
    es: new Int8Array(64), k: new Uint8Array(32), valid: false,
  };
}

var V_DEC_A = 1;
var V_DEC_R = 2;
var V_HASH = 3;
var V_BASE = 4;
var V_TABA = 5;
var V_HORNER = 6;
var V_FINAL = 7;
var V_DONE = 8;
/** Horner units: 64 digit additions and 63 * 4 doublings. */
var HORNER_UNITS = 64 + 63 * 4;

/** Starts verifying sig over msg with the 32-byte public key pub (inputs are copied, msg referenced). */
export function verifyBegin(ctx: VerifyCtx, sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): void {
  ctx.msg = msg;
  ctx.valid = false;
  ctx.i = 0;
  ctx.phase = V_DONE;
  if (!sig || !pub || sig.length !== 64 || pub.length !== 32) return;
  ctx.sig.set(sig);
  ctx.pub.set(pub);
  if (!scIsCanonical(ctx.sig, 32)) return;
  baseTable();
  decodeBegin(ctx.dec, ctx.pub, 0);
  ctx.phase = V_DEC_A;
}

/** One unit of the Horner loop: unit u = 5 j + m (from the top digit down) after the first digit. */
function hornerUnit(ctx: VerifyCtx, u: number): void {
  var Q = ctx.Q;
  var m, j, dgt, neg;
  // unit 0: add top digit; then for each lower digit: 4 doublings, 1 addition.
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

/** Runs up to maxUnits units of verification; true when ctx.valid holds the verdict. */
export function verifyStep(ctx: VerifyCtx, maxUnits: number): boolean {
  var n = maxUnits > 0 ? maxUnits : DEFAULT_SLICE;
  var ph, h, t;
  while (n > 0) {
    ph = ctx.phase;
    if (ph === V_HORNER) {
      hornerUnit(ctx, ctx.i);
      ctx.i++;
      if (ctx.i === HORNER_UNITS) ctx.phase = V_FINAL;
      n--;
    } else if (ph === V_BASE) {
      fixedBaseUnit(ctx.PB, ctx.es, ctx.i, TABLE as Uint16Array);
      ctx.i++;
      if (ctx.i === FIXED_BASE_UNITS) {
        ctx.i = 0;
        ctx.phase = V_TABA;
      }
      n--;
    } else if (ph === V_DEC_A || ph === V_DEC_R) {
      if (chainRun(ctx.dec.chain, CHAIN_UNIT)) {
        if (!decodeFinish(ctx.dec, ph === V_DEC_A ? ctx.A : ctx.R)) {
          ctx.phase = V_DONE;
          return true;
        }
        if (ph === V_DEC_A) {
          decodeBegin(ctx.dec, ctx.sig, 0);
          ctx.phase = V_DEC_R;
        } else {
          ctx.phase = V_HASH;
        }
      }
      n--;
    } else if (ph === V_HASH) {
      // k = H(R || A || M) mod L over the bytes as given
      h = hash3(ctx.sig.subarray(0, 32), ctx.pub, ctx.msg);
      scFromHash(ctx.k, h);
      scRecode(ctx.ek, ctx.k);
      scRecode(ctx.es, ctx.sig.subarray(32, 64));
      ptIdentity(ctx.PB);
      ctx.i = 0;
      ctx.phase = V_BASE;
      n--;
    } else if (ph === V_TABA) {
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
      n--;
    } else if (ph === V_FINAL) {
      // Q = [k]A + R - [S]B, then [8]Q must be the identity.
      t = ctx.tabA[0];
      ptToCached(t, ctx.R);
      ptAddCached(ctx.Q, ctx.Q, t, false);
      ptToCached(t, ctx.PB);
      ptAddCached(ctx.Q, ctx.Q, t, true);
      ptDouble(ctx.Q, ctx.Q, false);
      ptDouble(ctx.Q, ctx.Q, false);
      ptDouble(ctx.Q, ctx.Q, false);
      ctx.valid = ptIsIdentity(ctx.Q);
      ctx.phase = V_DONE;
      n--;
    } else {
      return true;
    }
  }
  return ctx.phase === V_DONE;
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
