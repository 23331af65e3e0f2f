/**
 * CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF), the same as
 * Espruino's E.CRC32 and Node's zlib.crc32: the frame check of the device link and the slot check.
 * The table is built once at load (1 KB); crc32() allocates nothing.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
var TABLE = new Int32Array(256);
(function () {
  var n, c, k;
  for (n = 0; n < 256; n++) {
    c = n;
    for (k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    TABLE[n] = c;
  }
})();

/** Continues a CRC: start with crc = 0 (the value of the empty input); returns the unsigned CRC of everything so far. */
export function crc32(crc: number, b: Uint8Array, start: number, end: number): number {
  var c = crc ^ -1;
  var i;
  for (i = start; i < end; i++) c = TABLE[(c ^ b[i]) & 255] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Reads a u32 LE. */
export function rdU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 16777216;
}

/** Writes a u32 LE. */
export function wrU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 255;
  b[at + 1] = (v >>> 8) & 255;
  b[at + 2] = (v >>> 16) & 255;
  b[at + 3] = (v >>> 24) & 255;
}
