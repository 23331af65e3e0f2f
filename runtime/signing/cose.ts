/**
 * COSE_Sign1 (RFC 9052 §4.2) framing shared by signed bundles and signed events:
 *
 *   COSE_Sign1 = 18([protected: bstr, unprotected: {} (always empty here), payload: bstr, signature: bstr .size 64])
 *   signed bytes (Sig_structure) = ["Signature1", protected, h'' (no external aad), payload]
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { CborIn, rdHead, rdString, cborBad, wrHead, wrInt, CBOR_TAG, CBOR_ARRAY, CBOR_MAP, CBOR_BYTES } from './cbor.ts';
import { SF_TYPE, SF_HEADER, FLD_TAG, FLD_ARRAY, FLD_PROTECTED, FLD_UNPROTECTED, FLD_PAYLOAD, FLD_SIGNATURE } from './signed-faults.ts';

/** CBOR tag of COSE_Sign1. */
export var COSE_SIGN1_TAG = 18;
/** First byte of every COSE_Sign1 item: the head of tag 18 (0xd2). Tells a signed item from a bare record. */
export var COSE_SIGN1_HEAD = (CBOR_TAG << 5) | COSE_SIGN1_TAG;
/** Header labels (RFC 9052 §3.1): algorithm, critical labels, key id. */
export var COSE_LABEL_ALG = 1;
export var COSE_LABEL_CRIT = 2;
export var COSE_LABEL_KID = 4;
/** alg EdDSA (−8). */
export var COSE_ALG_EDDSA = -8;

function eventProtected(): Uint8Array {
  var b = new Uint8Array(16);
  var end = wrInt(b, wrInt(b, wrHead(b, 1, CBOR_MAP, 1), COSE_LABEL_ALG), COSE_ALG_EDDSA);
  wrHead(b, 0, CBOR_BYTES, end - 1); // the content is shorter than 24 bytes: a one-byte bstr head
  return b.subarray(0, end);
}
/** The protected header of signed events: {alg: EdDSA}, as its bstr item (43 a1 01 27). */
export var EVENT_PROTECTED = eventProtected();
/** ["Signature1", … as the Sig_structure starts: array of 4, text "Signature1". */
var SIG1_PREFIX = new Uint8Array([0x84, 0x6a, 0x53, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75, 0x72, 0x65, 0x31]);

/** Where the parts of a COSE_Sign1 lie in its buffer. */
export interface Sign1 {
  start: number;
  protStart: number;
  protLen: number;
  payStart: number;
  payLen: number;
  sigStart: number;
}

export function newSign1(): Sign1 {
  return { start: 0, protStart: 0, protLen: 0, payStart: 0, payLen: 0, sigStart: 0 };
}

/** Reads one COSE_Sign1 at r.pos into s (protected content ≤ maxProt bytes, payload ≤ maxPay). */
export function rdSign1(r: CborIn, s: Sign1, maxProt: number, maxPay: number): boolean {
  var at = r.pos;
  s.start = at;
  if (!rdHead(r, CBOR_TAG, FLD_TAG)) return false;
  if (r.val !== COSE_SIGN1_TAG) return cborBad(r, SF_TYPE, at, FLD_TAG);
  at = r.pos;
  if (!rdHead(r, CBOR_ARRAY, FLD_ARRAY)) return false;
  if (r.val !== 4) return cborBad(r, SF_TYPE, at, FLD_ARRAY);
  s.protStart = rdString(r, CBOR_BYTES, FLD_PROTECTED, 1, maxProt);
  s.protLen = r.val;
  if (s.protStart < 0) return false;
  at = r.pos;
  if (!rdHead(r, CBOR_MAP, FLD_UNPROTECTED)) return false;
  if ((r.val as number) !== 0) return cborBad(r, SF_HEADER, at, FLD_UNPROTECTED);
  s.payStart = rdString(r, CBOR_BYTES, FLD_PAYLOAD, 0, maxPay);
  s.payLen = r.val;
  if (s.payStart < 0) return false;
  s.sigStart = rdString(r, CBOR_BYTES, FLD_SIGNATURE, 64, 64);
  return s.sigStart >= 0;
}

function headLength(v: number): number {
  return v < 24 ? 1 : v < 256 ? 2 : v < 65536 ? 3 : 5;
}

/** Length of the Sig_structure for a protected header of protLen bytes and a payload of payLen bytes. */
export function tbsLength(protLen: number, payLen: number): number {
  return SIG1_PREFIX.length + headLength(protLen) + protLen + 1 + headLength(payLen) + payLen;
}

/** Writes the Sig_structure into out at 0 (out must hold tbsLength bytes); returns its length. */
export function wrTbs(out: Uint8Array, prot: Uint8Array, protStart: number, protLen: number, pay: Uint8Array, payStart: number, payLen: number): number {
  var pos;
  out.set(SIG1_PREFIX, 0);
  pos = wrHead(out, SIG1_PREFIX.length, CBOR_BYTES, protLen);
  out.set(prot.subarray(protStart, protStart + protLen), pos);
  pos += protLen;
  out[pos++] = 0x40; // external_aad: empty bstr
  pos = wrHead(out, pos, CBOR_BYTES, payLen);
  out.set(pay.subarray(payStart, payStart + payLen), pos);
  return pos + payLen;
}
