/**
 * Building and sending the agent's frames: a reply (or a device request) is written into the scratch raw
 * frame as a CBOR map whose entry count is patched in at the end (maps stay below 24 entries, so the head is
 * one byte), sealed with its CRC and COBS-encoded into a wire buffer the agent owns.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { K_STATUS, REPLY } from './constants.ts';
import { frameHead, frameSeal, BODY_AT } from './frame.ts';
import { cobsEncode } from './cobs.ts';
import { putUint, putInt, putBytes, putText } from './body.ts';
import { wrHead, wrF64, CBOR_UINT } from '../signing/cbor.ts';
import type { LinkState } from './state.ts';

/** Starts a frame of `type` and `seq` with an empty map. */
export function begin(a: LinkState, type: number, seq: number): void {
  frameHead(a.raw, type, seq);
  a.mapAt = BODY_AT;
  a.p = BODY_AT + 1;
  a.count = 0;
}

/** Starts the reply to request (type, seq) with its status. */
export function reply(a: LinkState, type: number, seq: number, status: number): void {
  begin(a, type | REPLY, seq);
  kUint(a, K_STATUS, status);
}

export function kUint(a: LinkState, k: number, v: number): void {
  a.p = putUint(a.raw, a.p, k, v);
  a.count++;
}

export function kInt(a: LinkState, k: number, v: number): void {
  a.p = putInt(a.raw, a.p, k, v);
  a.count++;
}

/** Key k and a number: an integer in its shortest form, anything else as float64 (dv: a DataView over a.raw). */
export function kNum(a: LinkState, k: number, v: number, dv: DataView): void {
  if (v === Math.floor(v) && v > -9007199254740992 && v < 9007199254740992) {
    kInt(a, k, v);
    return;
  }
  a.p = wrF64(a.raw, dv, wrHead(a.raw, a.p, CBOR_UINT, k), v);
  a.count++;
}

export function kBytes(a: LinkState, k: number, src: Uint8Array, start: number, len: number): void {
  a.p = putBytes(a.raw, a.p, k, src, start, len);
  a.count++;
}

export function kText(a: LinkState, k: number, s: string): void {
  a.p = putText(a.raw, a.p, k, s);
  a.count++;
}

/** Seals the frame being built and encodes it into `wire`; returns the wire length. */
function finish(a: LinkState, wire: Uint8Array): number {
  a.raw[a.mapAt] = 0xa0 | a.count;
  return cobsEncode(a.raw, frameSeal(a.raw, a.p), wire, 0);
}

/** Sends the reply being built and keeps it for a resent request with the same type and seq. */
export function sendReply(a: LinkState, type: number, seq: number): void {
  a.replyLen = finish(a, a.wireReply);
  a.replyType = type;
  a.replySeq = seq;
  a.io.write(a.wireReply, 0, a.replyLen);
}

/** Sends the device request being built (an EVENT). */
export function sendRequest(a: LinkState): void {
  var n = finish(a, a.wireEvent);
  a.io.write(a.wireEvent, 0, n);
}

/** A reply with nothing but its status. */
export function replyStatus(a: LinkState, type: number, seq: number, status: number): void {
  reply(a, type, seq, status);
  sendReply(a, type, seq);
}
