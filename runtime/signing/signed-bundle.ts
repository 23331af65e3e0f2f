/**
 * Signed bundles: a COSE_Sign1 whose payload is the bytecode bundle, checked against the provisioned build key
 * BEFORE the bytecode verifier runs and before anything is activated (docs/EVENTS.md, "Signed bundles").
 *
 *   var rt = loadSigned(signed, { key: buildPub32, profile: 'full', active: 7 }, host);
 *   // rt.fault: a signed-faults.ts code (40…), or a faults.ts code from the bytecode verifier; rt.faultAt is a
 *   // byte offset in `signed`; rt.field names the part (FLD_*); on success rt.version / rt.signing are set
 *   // and the device persists rt.version as its new active version.
 *
 * Sliced form (the signature check is the only slow part): var c = checkBegin(signed, trust);
 * while (!checkStep(c, 4)) { ...other work... }  then  loadChecked(c, host).
 *
 * Protected header, exactly (labels < −65536 are COSE private use, listed in crit so others refuse them):
 *   {1: −8, 2: [−65537, −65538, −65539, −65540], 4: kid (first 8 bytes of the build public key),
 *    −65537: version (uint32), −65538: profile (text, 1…32 printable ASCII), −65539: catalogue hash (uint32),
 *    −65540: event signing (0 per-event, 1 checkpoint)}
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { cborIn, cborBad, rdHead, rdUint, rdString, rdConst, wrHead, wrInt, CBOR_MAP, CBOR_BYTES, CBOR_TEXT, CBOR_ARRAY, type CborIn } from './cbor.ts';
import { rdSign1, newSign1, tbsLength, wrTbs, COSE_LABEL_ALG, COSE_LABEL_CRIT, COSE_LABEL_KID, COSE_ALG_EDDSA, type Sign1 } from './cose.ts';
import { SIGNING_CHECKPOINT } from './modes.ts';
import { newVerifyCtx, verifyBegin, verifyStep, type VerifyCtx } from './crypto/ed25519.ts';
import { load, type Host, type Runtime } from '../engine/runtime.ts';
import { verify, type Program } from '../engine/verify.ts';
import { HDR_CATALOGUE, HDR_PROFILE, profileHash } from '../engine/format.ts';
import { F_ARGUMENT } from '../engine/faults.ts';
import { CATALOGUE_HASH } from '../engine/catalogue.generated.ts';
import {
  SF_TYPE, SF_HEADER, SF_TRAILING, SF_WRONG_KEY, SF_SIGNATURE, SF_ROLLBACK, SF_PROFILE, SF_CATALOGUE, SF_BAD_KEY, SF_ARGUMENT,
  FLD_HEADER_MAP, FLD_ALG, FLD_CRIT, FLD_KID, FLD_VERSION, FLD_PROFILE, FLD_CATALOGUE, FLD_SIGNING, FLD_END,
  FLD_KEY, FLD_SIGNATURE, FLD_PAYLOAD, FLD_INPUT, FLD_TRUST, FLD_ACTIVE, FLD_HOST,
} from './signed-faults.ts';

/** Largest bundle payload a signed bundle may carry. */
export var MAX_SIGNED_PAYLOAD = 262144;
export var MAX_PROFILE_NAME = 32;
/** The private header labels, in the order they appear (and are listed in crit). */
export var LABEL_VERSION = -65537;
export var LABEL_PROFILE = -65538;
export var LABEL_CATALOGUE = -65539;
export var LABEL_SIGNING = -65540;

/** The CBOR bytes of integer items (and of an array head before the last `arrayOf` of them), built once at load. */
function intItems(values: number[], arrayOf: number): Uint8Array {
  var b = new Uint8Array(values.length * 9 + 9);
  var p = 0;
  var i;
  for (i = 0; i < values.length; i++) {
    if (i === values.length - arrayOf) p = wrHead(b, p, CBOR_ARRAY, arrayOf);
    p = wrInt(b, p, values[i]);
  }
  return b.subarray(0, p);
}

// The fixed parts of the protected header, compared byte for byte (01 27; 02 84 3a00010000 …; 04; 3a00010000; …).
var ALG = intItems([COSE_LABEL_ALG, COSE_ALG_EDDSA], 0);
var CRIT = intItems([COSE_LABEL_CRIT, LABEL_VERSION, LABEL_PROFILE, LABEL_CATALOGUE, LABEL_SIGNING], 4);
var KID = intItems([COSE_LABEL_KID], 0);
var L_VERSION = intItems([LABEL_VERSION], 0);
var L_PROFILE = intItems([LABEL_PROFILE], 0);
var L_CATALOGUE = intItems([LABEL_CATALOGUE], 0);
var L_SIGNING = intItems([LABEL_SIGNING], 0);

/**
 * What the device trusts: the build public key (32 bytes, of large order), its own profile name, its active bundle
 * version (an integer 0…2^32−1). Anything else is refused with a fault (BAD_KEY, ARGUMENT), never a TypeError.
 * `signed: true` says the caller itself saw these very bytes pass the signature check under this very key before
 * (the device agent's boot, runtime/link/activate.ts): every other check runs, the ed25519 verification does not.
 */
export interface Trust {
  key: Uint8Array;
  profile: string;
  active: number;
  signed?: boolean;
}

export interface SignedCheck {
  fault: number;
  faultAt: number;
  field: number;
  bytes: Uint8Array;
  cose: Sign1;
  version: number;
  versionAt: number;
  profile: string;
  profileAt: number;
  catalogue: number;
  catalogueAt: number;
  signing: number;
  kidAt: number;
  /** Signature check state (null when the check failed before it, or is finished). */
  ctx: VerifyCtx | null;
  tbs: Uint8Array | null;
  done: boolean;
}

function failed(c: SignedCheck, r: CborIn): SignedCheck {
  c.fault = r.fault;
  c.faultAt = r.at;
  c.field = r.field;
  c.done = true;
  return c;
}

function refuse(c: SignedCheck, code: number, at: number, field: number): SignedCheck {
  c.fault = code;
  c.faultAt = at;
  c.field = field;
  c.done = true;
  c.ctx = null;
  return c;
}

/** Reads the protected header map (inside its bstr) into c. */
function readProtected(r: CborIn, c: SignedCheck): boolean {
  var at = r.pos;
  var i, s, n;
  if (!rdHead(r, CBOR_MAP, FLD_HEADER_MAP)) return false;
  if (r.val !== 7) return cborBad(r, SF_HEADER, at, FLD_HEADER_MAP);
  if (!rdConst(r, ALG, SF_HEADER, FLD_ALG) || !rdConst(r, CRIT, SF_HEADER, FLD_CRIT) || !rdConst(r, KID, SF_HEADER, FLD_KID)) return false;
  c.kidAt = rdString(r, CBOR_BYTES, FLD_KID, 8, 8);
  if (c.kidAt < 0 || !rdConst(r, L_VERSION, SF_HEADER, FLD_VERSION)) return false;
  c.versionAt = r.pos;
  c.version = rdUint(r, FLD_VERSION, 4294967295);
  if (c.version < 0 || !rdConst(r, L_PROFILE, SF_HEADER, FLD_PROFILE)) return false;
  c.profileAt = r.pos;
  s = rdString(r, CBOR_TEXT, FLD_PROFILE, 1, MAX_PROFILE_NAME);
  if (s < 0) return false;
  n = r.val;
  c.profile = '';
  for (i = 0; i < n; i++) {
    if (r.b[s + i] < 0x21 || r.b[s + i] > 0x7e) return cborBad(r, SF_TYPE, c.profileAt, FLD_PROFILE);
    c.profile += String.fromCharCode(r.b[s + i]);
  }
  if (!rdConst(r, L_CATALOGUE, SF_HEADER, FLD_CATALOGUE)) return false;
  c.catalogueAt = r.pos;
  c.catalogue = rdUint(r, FLD_CATALOGUE, 4294967295);
  if (c.catalogue < 0 || !rdConst(r, L_SIGNING, SF_HEADER, FLD_SIGNING)) return false;
  c.signing = rdUint(r, FLD_SIGNING, SIGNING_CHECKPOINT);
  if (c.signing < 0) return false;
  if (r.pos !== r.end) return cborBad(r, SF_HEADER, r.pos, FLD_HEADER_MAP);
  return true;
}

/** Parses the COSE_Sign1 and its protected header, without any trust decision (the host uses this too). */
export function parseSigned(bytes: Uint8Array): SignedCheck {
  var isBytes = bytes instanceof Uint8Array;
  var c: SignedCheck = {
    fault: 0, faultAt: 0, field: 0, bytes: isBytes ? bytes : new Uint8Array(0), cose: newSign1(), version: -1, versionAt: 0,
    profile: '', profileAt: 0, catalogue: -1, catalogueAt: 0, signing: -1, kidAt: 0, ctx: null, tbs: null, done: false,
  };
  var r = cborIn(c.bytes, 0, c.bytes.length);
  var end;
  if (!isBytes) return refuse(c, SF_ARGUMENT, 0, FLD_INPUT);
  if (!rdSign1(r, c.cose, 255, MAX_SIGNED_PAYLOAD)) return failed(c, r);
  end = r.pos;
  r.pos = c.cose.protStart;
  r.end = c.cose.protStart + c.cose.protLen;
  if (!readProtected(r, c)) return failed(c, r);
  if (end !== bytes.length) return refuse(c, SF_TRAILING, end, FLD_END);
  return c;
}

/** The little-endian uint32 at b[at]. */
function u32(b: Uint8Array, at: number): number {
  return b[at] + b[at + 1] * 256 + b[at + 2] * 65536 + b[at + 3] * 16777216;
}

function isVersion(v: number): boolean {
  return typeof v === 'number' && v >= 0 && v <= 4294967295 && Math.floor(v) === v;
}

/**
 * Parses and checks everything but the signature, then starts checking the signature (checkStep finishes).
 * Everything is checked in, and later loaded from, a private copy of `bytes`: what was checked is what loads,
 * whatever the caller does with its buffer meanwhile.
 */
export function checkBegin(bytes: Uint8Array, trust: Trust): SignedCheck {
  var own = bytes instanceof Uint8Array ? new Uint8Array(bytes.length) : bytes;
  var isTrust = !!trust && typeof trust === 'object';
  // Each field is read once: what is checked is what is used.
  var key = isTrust ? trust.key : null;
  var p = isTrust ? trust.profile : null;
  var active = isTrust ? trust.active : NaN;
  var signed = isTrust ? trust.signed === true : false;
  var c, s, i, hdr;
  if (own !== bytes) own.set(bytes);
  c = parseSigned(own);
  if (c.fault === SF_ARGUMENT) return c;
  if (!isTrust || typeof p !== 'string') return refuse(c, SF_ARGUMENT, 0, FLD_TRUST);
  if (!(key instanceof Uint8Array) || key.length !== 32) return refuse(c, SF_BAD_KEY, 0, FLD_KEY);
  // An undefined, NaN or negative active version would let every version pass the rollback check.
  if (!isVersion(active)) return refuse(c, SF_ARGUMENT, 0, FLD_ACTIVE);
  if (c.fault) return c;
  s = c.cose;
  for (i = 0; i < 8; i++) if (own[c.kidAt + i] !== key[i]) return refuse(c, SF_WRONG_KEY, c.kidAt - 1, FLD_KID);
  if (p.length !== c.profile.length) return refuse(c, SF_PROFILE, c.profileAt, FLD_PROFILE);
  for (i = 0; i < p.length; i++) if (p.charCodeAt(i) !== c.profile.charCodeAt(i)) return refuse(c, SF_PROFILE, c.profileAt, FLD_PROFILE);
  if (c.catalogue !== CATALOGUE_HASH) return refuse(c, SF_CATALOGUE, c.catalogueAt, FLD_CATALOGUE);
  // The bundle's own header must say the same: its catalogue, and the profile it was compiled for.
  hdr = s.payStart + HDR_CATALOGUE;
  if (s.payLen >= HDR_CATALOGUE + 4 && u32(own, hdr) !== c.catalogue) return refuse(c, SF_CATALOGUE, hdr, FLD_PAYLOAD);
  hdr = s.payStart + HDR_PROFILE;
  if (s.payLen >= HDR_PROFILE + 4 && u32(own, hdr) !== profileHash(c.profile)) return refuse(c, SF_PROFILE, hdr, FLD_PAYLOAD);
  if (c.version < active) return refuse(c, SF_ROLLBACK, c.versionAt, FLD_VERSION);
  if (signed) {
    c.done = true;
    return c;
  }
  c.tbs = new Uint8Array(tbsLength(s.protLen, s.payLen));
  wrTbs(c.tbs, own, s.protStart, s.protLen, own, s.payStart, s.payLen);
  c.ctx = newVerifyCtx();
  verifyBegin(c.ctx, own.subarray(s.sigStart, s.sigStart + 64), c.tbs, key, true); // copies the key: it is read once
  return c;
}

/** Runs up to `units` units of the signature check (see crypto/ed25519.ts); true when finished. */
export function checkStep(c: SignedCheck, units: number): boolean {
  var ctx = c.ctx;
  if (c.done || !ctx) return true;
  if (!verifyStep(ctx, units)) return false;
  c.done = true;
  c.ctx = null;
  c.tbs = null;
  if (ctx.weakKey) refuse(c, SF_BAD_KEY, 0, FLD_KEY); // a small-order key: any bundle would "verify"
  else if (!ctx.valid) refuse(c, SF_SIGNATURE, c.cose.sigStart - 2, FLD_SIGNATURE);
  return true;
}

export interface SignedRuntime extends Runtime {
  field: number;
  version: number;
  signing: number;
  profile: string;
  /** Offset of the bytecode bundle in the signed bytes (bytecode verifier offsets are bundle offset + this). */
  payloadAt: number;
}

function refusedRuntime(c: SignedCheck, program: Program): SignedRuntime {
  var rt = {
    fault: c.fault, faultAt: c.faultAt, field: c.field, program: program, version: c.version, signing: c.signing,
    profile: c.profile, payloadAt: c.cose.payStart,
    set: function () { return false; }, step: function () {}, nextDue: function () { return Infinity; }, advanceTo: function () { return true; },
  };
  return rt as unknown as SignedRuntime;
}

/**
 * After a finished check: verifies and loads the bytecode unless the check failed. The payload is read from the
 * check's own copy of the signed bytes (checkBegin), never again from the caller's buffer.
 */
export function loadChecked(c: SignedCheck, host: Host): SignedRuntime {
  var s, payload, rt, out;
  if (!c || typeof c !== 'object' || !c.cose) return refusedRuntime(parseSigned(null as unknown as Uint8Array), verify(new Uint8Array(0)));
  s = c.cose;
  if (!c.done) refuse(c, SF_SIGNATURE, s.sigStart - 2, FLD_SIGNATURE);
  if (c.fault) return refusedRuntime(c, verify(new Uint8Array(0)));
  payload = c.bytes.subarray(s.payStart, s.payStart + s.payLen);
  rt = load(payload, host);
  out = rt as SignedRuntime;
  out.field = rt.fault === F_ARGUMENT ? FLD_HOST : rt.fault ? FLD_PAYLOAD : 0;
  if (rt.fault && rt.fault !== F_ARGUMENT) out.faultAt = rt.faultAt + s.payStart;
  out.version = c.version;
  out.signing = c.signing;
  out.profile = c.profile;
  out.payloadAt = s.payStart;
  return out;
}

/** Checks a signed bundle against `trust` (signature included, in one go) and loads it. */
export function loadSigned(bytes: Uint8Array, trust: Trust, host: Host): SignedRuntime {
  var c = checkBegin(bytes, trust);
  while (!checkStep(c, 1000)) {
    // all work happens in checkStep
  }
  return loadChecked(c, host);
}
