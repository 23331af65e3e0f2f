/**
 * Raw frames of the device link (before COBS): type u8 | seq u16 LE | body | CRC-32 u32 LE over all before it.
 * Shared by the device agent and the host (hil/), so both build and check frames with the same code.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import { FRAME_HEADER, FRAME_CRC, FRAME_MIN } from './constants.ts';
import { crc32, rdU32, wrU32 } from './crc32.ts';

/** Writes the header of a frame into raw[0…3). */
export function frameHead(raw: Uint8Array, type: number, seq: number): void {
  raw[0] = type;
  raw[1] = seq & 255;
  raw[2] = (seq >>> 8) & 255;
}

/** Appends the CRC after a body ending at bodyEnd; returns the raw frame's length. */
export function frameSeal(raw: Uint8Array, bodyEnd: number): number {
  wrU32(raw, bodyEnd, crc32(0, raw, 0, bodyEnd));
  return bodyEnd + FRAME_CRC;
}

/** True when raw[0…n) is long enough and its CRC matches. */
export function frameCheck(raw: Uint8Array, n: number): boolean {
  return n >= FRAME_MIN && crc32(0, raw, 0, n - FRAME_CRC) === rdU32(raw, n - FRAME_CRC);
}

export function frameType(raw: Uint8Array): number {
  return raw[0];
}

export function frameSeq(raw: Uint8Array): number {
  return raw[1] | (raw[2] << 8);
}

/** Where the body starts; it ends at n − FRAME_CRC. */
export var BODY_AT = FRAME_HEADER;
