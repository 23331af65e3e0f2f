/**
 * The fixed-base table for [s]B: for window w = 0..31 and j = 1..8 the Niels form of j * 256^w * B,
 * then one identity entry (1, 1, 0) at index 256 that digit 0 adds (so every window costs the same).
 * 257 entries * 48 limbs of 16 bits = 12,336 Uint16 = 24,672 bytes.
 * buildBaseTable computes it (batch inversion: one field inversion for all 256 points); the same bytes
 * can be shipped instead (ed25519-table-data.ts) and loaded with loadBaseTable.
 * Runtime subset: ES5 + typed arrays, var only, functions defined before use, no recursion.
 */
import { fe, feSetInt, feAdd, feSub, feMul, feMulU16, feToU16, newChain, chainBegin, chainRun, CHAIN_INV } from './field25519.ts';
import { newPoint, ptBase, ptCopy, ptDouble, ptAddCached, ptToCached, NIELS, D2 } from './edpoint.ts';

export var TABLE_ENTRIES = 257;
export var TABLE_LIMBS = TABLE_ENTRIES * NIELS;
/** Offset (in limbs) of the identity entry. */
export var TABLE_IDENTITY = 256 * NIELS;

/** Computes the table (about 7 signatures' worth of field work; see docs/ED25519.md). */
export function buildBaseTable(): Uint16Array {
  var tab = new Uint16Array(TABLE_LIMBS);
  var zs = new Uint16Array(256 * 16); // Z of each point, then reused
  var pre = new Uint16Array(256 * 16); // prefix products Z_0 ... Z_i
  var scratch = new Uint8Array(32);
  var P = newPoint();
  var Q = newPoint();
  var C = newPoint();
  var acc = fe();
  var inv = fe();
  var x = fe();
  var y = fe();
  var t = fe();
  var w, j, k, off, ch;
  ptBase(P);
  for (w = 0; w < 32; w++) {
    ptToCached(C, P);
    ptCopy(Q, P);
    for (j = 0; j < 8; j++) {
      if (j > 0) ptAddCached(Q, Q, C, false);
      k = w * 8 + j;
      off = k * NIELS;
      // Stash projective X, Y in the entry's first two slots and Z aside until the batch inversion.
      feToU16(tab, off, Q[0], scratch);
      feToU16(tab, off + 16, Q[1], scratch);
      feToU16(zs, k * 16, Q[2], scratch);
      if (j === 7) {
        // 256 P = 32 * (8 P)
        ptCopy(P, Q);
        for (k = 0; k < 5; k++) ptDouble(P, P, k === 4);
      }
    }
  }
  // Montgomery's trick: pre[i] = Z_0 ... Z_i, one inversion, then walk back.
  feSetInt(acc, 1);
  for (k = 0; k < 256; k++) {
    feMulU16(acc, acc, zs, k * 16);
    feToU16(pre, k * 16, acc, scratch);
  }
  ch = newChain();
  chainBegin(ch, CHAIN_INV, acc);
  chainRun(ch, 100000);
  inv.set(ch.reg[5]);
  for (k = 255; k >= 0; k--) {
    if (k > 0) {
      feMulU16(t, inv, pre, (k - 1) * 16); // 1 / Z_k
      feMulU16(inv, inv, zs, k * 16); // 1 / (Z_0 ... Z_{k-1})
    } else {
      t.set(inv);
    }
    off = k * NIELS;
    feMulU16(x, t, tab, off);
    feMulU16(y, t, tab, off + 16);
    feAdd(acc, y, x);
    feToU16(tab, off, acc, scratch); // y + x
    feSub(acc, y, x);
    feToU16(tab, off + 16, acc, scratch); // y - x
    feMul(acc, x, y);
    feMul(acc, acc, D2);
    feToU16(tab, off + 32, acc, scratch); // 2 d x y
  }
  tab[TABLE_IDENTITY] = 1;
  tab[TABLE_IDENTITY + 16] = 1;
  return tab;
}

/** Espruino's global utility object (absent elsewhere). */
declare var E: any;

var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Table from its little-endian bytes in base64 (as produced by tableToBase64), decoded a chunk at a time:
 * the peak memory stays near the table's own size (on a 12,000-variable Espruino the whole decoded string
 * next to the source text does not fit), and engines whose strings are UTF-8 inside (XS: charCodeAt(i)
 * walks from the start) only ever index short strings. Uses atob when the engine has one.
 */
export function loadBaseTable(b64: string): Uint16Array {
  var tab = new Uint16Array(TABLE_LIMBS);
  var n = b64.length;
  var dec = new Uint8Array(128);
  var g: any = typeof atob === 'function' ? atob : null;
  var esp: any = typeof E !== 'undefined' && E.toArrayBuffer ? E : null;
  var bytes = esp ? new Uint8Array(tab.buffer) : null;
  // base64 characters per chunk: a multiple of 4 that decodes to a whole number of 16-bit limbs
  var ch = esp ? 4096 : 256;
  var i, k, v, bits, c, s, off, m;
  for (i = 0; i < 64; i++) dec[B64.charCodeAt(i)] = i;
  k = 0;
  for (off = 0; off < n; off += ch) {
    s = b64.substr(off, ch);
    if (g) {
      s = g(s);
      m = s.length;
      if (bytes) {
        // Espruino: view the decoded string's bytes directly (all targets are little-endian), copy natively.
        bytes.set(new Uint8Array(esp.toArrayBuffer(s), 0, m), 2 * k);
        k += m >> 1;
      } else {
        for (i = 0; i + 1 < m; i += 2) tab[k++] = s.charCodeAt(i) + 256 * s.charCodeAt(i + 1);
      }
    } else {
      // 4 characters -> 3 bytes; limbs are little-endian byte pairs
      m = s.length;
      v = 0;
      bits = 0;
      c = -1;
      for (i = 0; i < m; i++) {
        v = s.charCodeAt(i);
        if (v === 61) break; // '=' padding
        bits = (bits << 6) | dec[v];
        if ((i & 3) === 0) continue;
        // after the 2nd, 3rd, 4th character of a group one more byte is complete
        v = (bits >> (6 - 2 * (i & 3))) & 255;
        if (c < 0) {
          c = v;
        } else {
          tab[k++] = c + 256 * v;
          c = -1;
        }
      }
    }
  }
  return tab;
}

/** Base64 of the table's little-endian bytes (for shipping it as a constant). */
export function tableToBase64(tab: Uint16Array): string {
  var out = '';
  var n = tab.length * 2;
  var i, b0, b1, b2, t;
  var bytes = new Uint8Array(n);
  for (i = 0; i < tab.length; i++) {
    bytes[2 * i] = tab[i] & 255;
    bytes[2 * i + 1] = tab[i] >> 8;
  }
  for (i = 0; i < n; i += 3) {
    b0 = bytes[i];
    b1 = i + 1 < n ? bytes[i + 1] : 0;
    b2 = i + 2 < n ? bytes[i + 2] : 0;
    t = (b0 << 16) | (b1 << 8) | b2;
    out += B64.charAt(t >> 18) + B64.charAt((t >> 12) & 63);
    out += i + 1 < n ? B64.charAt((t >> 6) & 63) : '=';
    out += i + 2 < n ? B64.charAt(t & 63) : '=';
  }
  return out;
}
