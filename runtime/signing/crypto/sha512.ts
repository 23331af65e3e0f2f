/**
 * SHA-512 (FIPS 180-4) for engines without BigInt or 64-bit integers: every 64-bit word is a pair of
 * Int32 halves (hi, lo) and 64-bit sums are formed from unsigned 32-bit halves in doubles (exact).
 * sha512(msg) is the default hash of ed25519.ts; hosts with a native SHA-512 can plug theirs instead.
 * Runtime subset: ES5 + typed arrays, var only, functions defined before use, no recursion.
 */

/** Round constants K[0..79] as (hi, lo) signed 32-bit pairs. */
var K = new Int32Array([
  1116352408, -685199838,
  1899447441, 602891725,
  -1245643825, -330482897,
  -373957723, -2121671748,
  961987163, -213338824,
  1508970993, -1241133031,
  -1841331548, -1357295717,
  -1424204075, -630357736,
  -670586216, -1560083902,
  310598401, 1164996542,
  607225278, 1323610764,
  1426881987, -704662302,
  1925078388, -226784913,
  -2132889090, 991336113,
  -1680079193, 633803317,
  -1046744716, -815192428,
  -459576895, -1628353838,
  -272742522, 944711139,
  264347078, -1953704523,
  604807628, 2007800933,
  770255983, 1495990901,
  1249150122, 1856431235,
  1555081692, -1119749164,
  1996064986, -2096016459,
  -1740746414, -295247957,
  -1473132947, 766784016,
  -1341970488, -1728372417,
  -1084653625, -1091629340,
  -958395405, 1034457026,
  -710438585, -1828018395,
  113926993, -536640913,
  338241895, 168717936,
  666307205, 1188179964,
  773529912, 1546045734,
  1294757372, 1522805485,
  1396182291, -1651133473,
  1695183700, -1951439906,
  1986661051, 1014477480,
  -2117940946, 1206759142,
  -1838011259, 344077627,
  -1564481375, 1290863460,
  -1474664885, -1136513023,
  -1035236496, -789014639,
  -949202525, 106217008,
  -778901479, -688958952,
  -694614492, 1432725776,
  -200395387, 1467031594,
  275423344, 851169720,
  430227734, -1194143544,
  506948616, 1363258195,
  659060556, -544281703,
  883997877, -509917016,
  958139571, -976659869,
  1322822218, -482243893,
  1537002063, 2003034995,
  1747873779, -692930397,
  1955562222, 1575990012,
  2024104815, 1125592928,
  -2067236844, -1578062990,
  -1933114872, 442776044,
  -1866530822, 593698344,
  -1538233109, -561857047,
  -1090935817, -1295615723,
  -965641998, -479046869,
  -903397682, -366583396,
  -779700025, 566280711,
  -354779690, -840897762,
  -176337025, -294727304,
  116418474, 1914138554,
  174292421, -1563912026,
  289380356, -1090974290,
  460393269, 320620315,
  685471733, 587496836,
  852142971, 1086792851,
  1017036298, 365543100,
  1126000580, -1676669620,
  1288033470, -885112138,
  1501505948, -60457430,
  1607167915, 987167468,
  1816402316, 1246189591
]);
/** Initial hash value as (hi, lo) pairs. */
var IV = new Int32Array([
  1779033703, -205731576,
  -1150833019, -2067093701,
  1013904242, -23791573,
  -1521486534, 1595750129,
  1359893119, -1377402159,
  -1694144372, 725511199,
  528734635, -79577749,
  1541459225, 327033209
]);
var W = new Int32Array(160);
var HS = new Int32Array(16);
var ST = new Int32Array(16);
var TAIL = new Uint8Array(256);

/** Rounds per slice unit when hashing in slices (about a point addition's time). */
export var SHA512_ROUNDS_PER_UNIT = 20;

/**
 * Rounds r0..r1-1 (0 <= r0 < r1 <= 80) of compressing the 128-byte block at buf[off..] into hs.
 * st holds the working variables a..h between calls and w the message schedule (Int32Array(160)),
 * each as (hi, lo) pairs; round 0 loads them, round 79 adds them into hs. Schedule words are computed
 * as the rounds need them, so any split of 0..80 costs the same in total.
 */
export function sha512Rounds(hs: Int32Array, st: Int32Array, w: Int32Array, buf: Uint8Array, off: number, r0: number, r1: number): void {
  var k = K;
  var two32 = 4294967296;
  var i, j, xh, xl, yh, yl, s0h, s0l, s1h, s1l, lo;
  var ah, al, bh, bl, ch, cl, dh, dl, eh, el, fh, fl, gh, gl, hh, hl, t1h, t1l;
  if (r0 === 0) {
    for (i = 0; i < 16; i++) {
      j = off + 8 * i;
      w[2 * i] = (buf[j] << 24) | (buf[j + 1] << 16) | (buf[j + 2] << 8) | buf[j + 3];
      w[2 * i + 1] = (buf[j + 4] << 24) | (buf[j + 5] << 16) | (buf[j + 6] << 8) | buf[j + 7];
    }
    st.set(hs);
  }
  ah = st[0]; al = st[1]; bh = st[2]; bl = st[3]; ch = st[4]; cl = st[5]; dh = st[6]; dl = st[7];
  eh = st[8]; el = st[9]; fh = st[10]; fl = st[11]; gh = st[12]; gl = st[13]; hh = st[14]; hl = st[15];
  for (i = 2 * r0; i < 2 * r1; i += 2) {
    if (i >= 32) {
      // W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16]
      // sigma0 = rotr 1 ^ rotr 8 ^ shr 7; sigma1 = rotr 19 ^ rotr 61 ^ shr 6
      xh = w[i - 30];
      xl = w[i - 29];
      s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
      s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
      yh = w[i - 4];
      yl = w[i - 3];
      s1h = ((yh >>> 19) | (yl << 13)) ^ ((yl >>> 29) | (yh << 3)) ^ (yh >>> 6);
      s1l = ((yl >>> 19) | (yh << 13)) ^ ((yh >>> 29) | (yl << 3)) ^ ((yl >>> 6) | (yh << 26));
      lo = (s0l >>> 0) + (s1l >>> 0) + (w[i - 13] >>> 0) + (w[i - 31] >>> 0);
      w[i] = s0h + s1h + w[i - 14] + w[i - 32] + ((lo / two32) | 0);
      w[i + 1] = lo;
    }
    // T1 = h + Sigma1(e) + Ch(e, f, g) + K[t] + W[t]; Sigma1 = rotr 14 ^ rotr 18 ^ rotr 41
    s1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
    s1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
    lo = (hl >>> 0) + (s1l >>> 0) + (((el & fl) ^ (~el & gl)) >>> 0) + (k[i + 1] >>> 0) + (w[i + 1] >>> 0);
    t1h = hh + s1h + ((eh & fh) ^ (~eh & gh)) + k[i] + w[i] + ((lo / two32) | 0);
    t1l = lo;
    // T2 = Sigma0(a) + Maj(a, b, c); Sigma0 = rotr 28 ^ rotr 34 ^ rotr 39
    s0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
    s0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
    hh = gh; hl = gl; gh = fh; gl = fl; fh = eh; fl = el;
    lo = (dl >>> 0) + (t1l >>> 0);
    eh = (dh + t1h + ((lo / two32) | 0)) | 0;
    el = lo | 0;
    dh = ch; dl = cl; ch = bh; cl = bl; bh = ah; bl = al;
    lo = (t1l >>> 0) + (s0l >>> 0) + (((bl & cl) ^ (bl & dl) ^ (cl & dl)) >>> 0);
    ah = (t1h + s0h + ((bh & ch) ^ (bh & dh) ^ (ch & dh)) + ((lo / two32) | 0)) | 0;
    al = lo | 0;
  }
  if (r1 < 80) {
    st[0] = ah; st[1] = al; st[2] = bh; st[3] = bl; st[4] = ch; st[5] = cl; st[6] = dh; st[7] = dl;
    st[8] = eh; st[9] = el; st[10] = fh; st[11] = fl; st[12] = gh; st[13] = gl; st[14] = hh; st[15] = hl;
    return;
  }
  lo = (hs[1] >>> 0) + (al >>> 0); hs[0] = hs[0] + ah + ((lo / two32) | 0); hs[1] = lo;
  lo = (hs[3] >>> 0) + (bl >>> 0); hs[2] = hs[2] + bh + ((lo / two32) | 0); hs[3] = lo;
  lo = (hs[5] >>> 0) + (cl >>> 0); hs[4] = hs[4] + ch + ((lo / two32) | 0); hs[5] = lo;
  lo = (hs[7] >>> 0) + (dl >>> 0); hs[6] = hs[6] + dh + ((lo / two32) | 0); hs[7] = lo;
  lo = (hs[9] >>> 0) + (el >>> 0); hs[8] = hs[8] + eh + ((lo / two32) | 0); hs[9] = lo;
  lo = (hs[11] >>> 0) + (fl >>> 0); hs[10] = hs[10] + fh + ((lo / two32) | 0); hs[11] = lo;
  lo = (hs[13] >>> 0) + (gl >>> 0); hs[12] = hs[12] + gh + ((lo / two32) | 0); hs[13] = lo;
  lo = (hs[15] >>> 0) + (hl >>> 0); hs[14] = hs[14] + hh + ((lo / two32) | 0); hs[15] = lo;
}

/** Sets hs to the initial hash value. */
export function sha512Init(hs: Int32Array): void {
  hs.set(IV);
}

/** Length of msgLen bytes once padded (a multiple of 128). */
export function sha512PaddedLength(msgLen: number): number {
  var r = msgLen % 128;
  return msgLen - r + (r < 112 ? 128 : 256);
}

/**
 * Writes the padding of a msgLen-byte message into buf[at..end): the 0x80 byte at `at` (where the message
 * ends in buf) and the bit length in the last 16 bytes; the bytes between must already be zero.
 */
export function sha512Pad(buf: Uint8Array, at: number, end: number, msgLen: number): void {
  var v;
  buf[at] = 128;
  // Length in bits, big-endian (messages here are far below 2^53 bytes).
  v = Math.floor(msgLen / 536870912);
  buf[end - 8] = v >>> 24;
  buf[end - 7] = (v >>> 16) & 255;
  buf[end - 6] = (v >>> 8) & 255;
  buf[end - 5] = v & 255;
  v = (msgLen << 3) >>> 0;
  buf[end - 4] = v >>> 24;
  buf[end - 3] = (v >>> 16) & 255;
  buf[end - 2] = (v >>> 8) & 255;
  buf[end - 1] = v & 255;
}

/** The 64-byte digest of state hs into out. */
export function sha512Digest(hs: Int32Array, out: Uint8Array): void {
  var i, v;
  for (i = 0; i < 16; i++) {
    v = hs[i];
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = (v >>> 16) & 255;
    out[4 * i + 2] = (v >>> 8) & 255;
    out[4 * i + 3] = v & 255;
  }
}

/** SHA-512 of msg (a new 64-byte array). */
export function sha512(msg: Uint8Array): Uint8Array {
  var hs = HS;
  var tail = TAIL;
  var n = msg.length;
  var full = n - (n % 128);
  var i, r, end, out;
  hs.set(IV);
  for (i = 0; i < full; i += 128) sha512Rounds(hs, ST, W, msg, i, 0, 80);
  r = n - full;
  for (i = 0; i < 256; i++) tail[i] = 0;
  for (i = 0; i < r; i++) tail[i] = msg[full + i];
  end = sha512PaddedLength(r);
  sha512Pad(tail, r, end, n);
  sha512Rounds(hs, ST, W, tail, 0, 0, 80);
  if (end === 256) sha512Rounds(hs, ST, W, tail, 128, 0, 80);
  out = new Uint8Array(64);
  sha512Digest(hs, out);
  return out;
}
