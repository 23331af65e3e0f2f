// ed25519 of the runtime (runtime/signing/crypto/) on Node against the shared vector files and @noble/ed25519 3.2.
// Verification semantics: ZIP-215, i.e. @noble/ed25519 3.2's default verify (zip215: true); every vector's
// expectation is also checked against noble here, so "passes" means "agrees with noble's default verify".
// Vector titles name the file and the tcId / index / comment of each vector.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as noble from '@noble/ed25519';
import {
  keyFromSeed, sign, verify, newSignCtx, signBegin, signStep, newVerifyCtx, verifyBegin, verifyStep, setSha512,
  setBaseTable, baseTable, DEFAULT_SLICE, isWeakPublicKey,
} from '../runtime/signing/crypto/ed25519.ts';
import { isWeakPublicKey as hostIsWeak } from '../signing/keys.ts';
import { SMALL_ORDER_KEYS } from '../harness/weak-keys.ts';
import { sha512, sha512Init, sha512Rounds, sha512Pad, sha512PaddedLength, sha512Digest } from '../runtime/signing/crypto/sha512.ts';
import { buildBaseTable, loadBaseTable, tableToBase64 } from '../runtime/signing/crypto/edtable.ts';
import { ed25519TableB64 } from '../runtime/signing/crypto/ed25519-table-data.ts';
import { nativeSha512 } from '../runtime/signing/crypto/espruino-sha512.ts';
import { fe, feMul, feSqr, fePack, feUnpack, feAdd, feSub } from '../runtime/signing/crypto/field25519.ts';
import { scReduce, scMulAdd, scFromHash } from '../runtime/signing/crypto/scalar25519.ts';
import { sharedData } from '../harness/shared-data.ts';

const VECTORS = sharedData('vectors/ed25519', 'the ed25519 vector tests read RFC 8032, Wycheproof, ZIP-215 and speccheck vectors from it');
const nodeSha512 = (m: Uint8Array): Uint8Array => new Uint8Array(createHash('sha512').update(m).digest());
noble.hashes.sha512 = (m) => new Uint8Array(createHash('sha512').update(m).digest()) as Uint8Array<ArrayBuffer>;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
/** A vector file; `absent` when the shared vectors are missing (their suites are skipped then). */
const load = (name: string, absent: unknown = []): any => (VECTORS.present ? JSON.parse(readFileSync(VECTORS.path(name), 'utf8')) : absent);
/** noble's default verify, with wrong lengths (which noble throws on) as false. */
function nobleVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  try {
    return noble.verify(sig, msg, pub);
  } catch {
    return false;
  }
}

/** Deterministic bytes (xorshift32) so failures reproduce. */
function rng(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 255;
    }
    return out;
  };
}

describe.skipIf(!VECTORS.present)(`rfc8032-ed25519.json (RFC 8032 section 7.1)${VECTORS.skipped}`, () => {
  const vectors: { priv: string; pub: string; msg: string; sig: string }[] = load('rfc8032-ed25519.json');
  vectors.forEach((v, i) => {
    it(`rfc8032-ed25519.json #${i} (msg ${v.msg.length / 2} bytes): public key, signature, verify`, () => {
      const key = keyFromSeed(unhex(v.priv));
      expect(hex(key.publicKey), `rfc8032-ed25519.json #${i} public key`).toBe(v.pub);
      expect(hex(sign(unhex(v.msg), key)), `rfc8032-ed25519.json #${i} signature`).toBe(v.sig);
      expect(hex(sign(unhex(v.msg), unhex(v.priv))), `rfc8032-ed25519.json #${i} signature from the seed`).toBe(v.sig);
      expect(hex(sign(unhex(v.msg), key.secretKey)), `rfc8032-ed25519.json #${i} signature from seed||pub`).toBe(v.sig);
      expect(verify(unhex(v.sig), unhex(v.msg), unhex(v.pub)), `rfc8032-ed25519.json #${i} verify`).toBe(true);
    });
  });
});

describe.skipIf(!VECTORS.present)(`ed25519_test.json (Wycheproof EdDSA verify)${VECTORS.skipped}`, () => {
  const w = load('ed25519_test.json', { testGroups: [] });
  for (const g of w.testGroups) {
    const pub = unhex(g.publicKey.pk);
    for (const t of g.tests) {
      const expected = t.result === 'valid';
      it(`ed25519_test.json tcId ${t.tcId} "${t.comment}" [${t.flags.join(',')}] -> ${t.result}`, () => {
        const sig = unhex(t.sig);
        const msg = unhex(t.msg);
        const where = `ed25519_test.json tcId ${t.tcId} (${t.comment})`;
        // noble 3.2 throws on signatures that are not 64 bytes (tcIds 30-41); we return false, as Wycheproof expects.
        expect(nobleVerify(sig, msg, pub), `${where}: noble's default verify`).toBe(expected);
        expect(verify(sig, msg, pub), where).toBe(expected);
      });
    }
  }
});

describe.skipIf(!VECTORS.present)(`zip215.json (ZIP-215 consensus vectors; message "Zcash")${VECTORS.skipped}`, () => {
  const z: { vk_bytes: string; sig_bytes: string; valid_legacy: boolean; valid_zip215: boolean }[] = load('zip215.json');
  const msg = new TextEncoder().encode('Zcash');
  z.forEach((v, i) => {
    it(`zip215.json #${i} (valid_zip215 ${v.valid_zip215}, valid_legacy ${v.valid_legacy})`, () => {
      const sig = unhex(v.sig_bytes);
      const pub = unhex(v.vk_bytes);
      expect(nobleVerify(sig, msg, pub), `zip215.json #${i}: noble's default verify`).toBe(v.valid_zip215);
      expect(verify(sig, msg, pub), `zip215.json #${i}`).toBe(v.valid_zip215);
    });
  });
});

describe.skipIf(!VECTORS.present)(`edge-cases.json (ed25519-speccheck cases 0-11; the file has no verdicts)${VECTORS.skipped}`, () => {
  const e: { message: string; pub_key: string; signature: string }[] = load('edge-cases.json');
  // Verdicts of noble 3.2's default (ZIP-215: cofactored equation, non-canonical A/R accepted, S < L required).
  // Verdicts of noble 3.2's default (ZIP-215: cofactored equation, non-canonical A/R accepted, S < L required);
  // the descriptions are properties of each case computed with noble's Point.
  const EXPECTED: [boolean, string][] = [
    [true, 'S = 0, small-order A and R'],
    [true, 'small-order A, mixed-order R, cofactorless equation holds'],
    [true, 'mixed-order A, small-order R, cofactorless equation holds'],
    [true, 'mixed-order A and R, cofactorless equation holds'],
    [true, 'mixed-order A and R, only the cofactored equation holds'],
    [true, 'mixed-order A and R, only the cofactored equation holds (second case)'],
    [false, 'S >= L'],
    [false, 'S >= L (second case)'],
    [false, 'non-canonical small-order R, neither equation holds'],
    [true, 'non-canonical small-order R, cofactorless equation holds'],
    [true, 'non-canonical small-order A, only the cofactored equation holds'],
    [true, 'non-canonical small-order A, cofactorless equation holds'],
  ];
  e.forEach((v, i) => {
    const [want, what] = EXPECTED[i];
    it(`edge-cases.json #${i} (${what}) -> ${want ? 'valid' : 'invalid'}`, () => {
      const args: [Uint8Array, Uint8Array, Uint8Array] = [unhex(v.signature), unhex(v.message), unhex(v.pub_key)];
      expect(nobleVerify(...args), `edge-cases.json #${i}: noble's default verify`).toBe(want);
      expect(verify(...args), `edge-cases.json #${i} (${what})`).toBe(want);
    });
  });
});

describe('cross-check against @noble/ed25519 3.2 (deterministic random keys and messages)', () => {
  it('240 keys: public keys and signatures byte-identical, verify agrees on valid and corrupted signatures', () => {
    const rand = rng(0x5eed25519);
    let checked = 0;
    for (let n = 0; n < 240; n++) {
      const seed = rand(32);
      const msg = rand(n % 3 === 0 ? n : (n * 7) % 300);
      const key = keyFromSeed(seed);
      const where = `random #${n} seed ${hex(seed)} msg ${msg.length} bytes`;
      expect(hex(key.publicKey), `${where}: public key`).toBe(hex(noble.getPublicKey(seed)));
      const sig = sign(msg, key);
      expect(hex(sig), `${where}: signature`).toBe(hex(noble.sign(msg, seed)));
      expect(verify(sig, msg, key.publicKey), `${where}: verify`).toBe(true);
      // Corruptions: a bit of R, a bit of S, S + L (non-canonical S), a message bit, a public-key bit.
      const bad: [string, Uint8Array, Uint8Array, Uint8Array][] = [];
      const r = sig.slice();
      r[n % 32] ^= 1 << (n % 8);
      bad.push(['R bit', r, msg, key.publicKey]);
      const s = sig.slice();
      s[32 + (n % 32)] ^= 1 << ((n >> 3) % 8);
      bad.push(['S bit', s, msg, key.publicKey]);
      const sl = sig.slice();
      let c = 0;
      const L = [237, 211, 245, 92, 26, 99, 18, 88, 214, 156, 247, 162, 222, 249, 222, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16];
      for (let i = 0; i < 32; i++) {
        const v = sl[32 + i] + L[i] + c;
        sl[32 + i] = v & 255;
        c = v >> 8;
      }
      bad.push(['S + L', sl, msg, key.publicKey]);
      if (msg.length) {
        const m = msg.slice();
        m[n % msg.length] ^= 0x80;
        bad.push(['message bit', sig, m, key.publicKey]);
      }
      const p = key.publicKey.slice();
      p[n % 32] ^= 1 << ((n + 3) % 8);
      bad.push(['public-key bit', sig, msg, p]);
      for (const [what, bs, bm, bp] of bad) {
        expect(verify(bs, bm, bp), `${where}: ${what}`).toBe(nobleVerify(bs, bm, bp));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('sliced API', () => {
  const seed = unhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const key = keyFromSeed(seed);
  const msgs = [new Uint8Array(0), unhex('72'), new Uint8Array(64).map((_, i) => i), new Uint8Array(300).map((_, i) => i * 5)];

  it('signStep/verifyStep with the default slice give the one-shot results; interleaved contexts do not interfere', () => {
    const a = newSignCtx();
    const b = newSignCtx();
    for (const msg of msgs) {
      const want = hex(noble.sign(msg, seed));
      signBegin(a, msg, key);
      signBegin(b, msgs[3], key);
      let steps = 0;
      let da = false;
      let db = false;
      while (!(da && db)) {
        if (!da) da = signStep(a, 0);
        if (!db) db = signStep(b, DEFAULT_SLICE);
        steps++;
        expect(steps).toBeLessThan(1000);
      }
      expect(hex(a.sig), `sliced signature of a ${msg.length}-byte message`).toBe(want);
      expect(hex(b.sig)).toBe(hex(noble.sign(msgs[3], seed)));
      const v = newVerifyCtx();
      verifyBegin(v, a.sig, msg, key.publicKey);
      let n = 0;
      while (!verifyStep(v, 1)) n++;
      expect(v.valid, `sliced verify of a ${msg.length}-byte message`).toBe(true);
      expect(n).toBeGreaterThan(400);
      const bad = a.sig.slice();
      bad[40] ^= 4;
      verifyBegin(v, bad, msg, key.publicKey);
      while (!verifyStep(v, 7));
      expect(v.valid).toBe(false);
    }
  });

  it('a sign takes about a hundred units (bounded work per step)', () => {
    const ctx = newSignCtx();
    signBegin(ctx, msgs[2], key);
    let units = 0;
    while (!signStep(ctx, 1)) units++;
    expect(units).toBeGreaterThan(90);
    expect(units).toBeLessThan(130);
  });

  it('wrong lengths and missing inputs verify as false (noble throws instead)', () => {
    const sig = sign(msgs[1], key);
    expect(verify(sig.subarray(0, 63), msgs[1], key.publicKey)).toBe(false);
    expect(verify(sig, msgs[1], key.publicKey.subarray(0, 31))).toBe(false);
    expect(verify(new Uint8Array(65), msgs[1], key.publicKey)).toBe(false);
    expect(verify(sig, msgs[1], key.publicKey)).toBe(true);
  });
});

describe('pluggable SHA-512', () => {
  it('a plugged hash (one unit per hash) gives the same signatures; null restores the built-in one', () => {
    const seed = rng(7)(32);
    const msg = rng(8)(100);
    const want = hex(noble.sign(msg, seed));
    let calls = 0;
    setSha512((m) => {
      calls++;
      return nodeSha512(m);
    });
    try {
      const key = keyFromSeed(seed);
      expect(hex(sign(msg, key))).toBe(want);
      expect(verify(unhex(want), msg, key.publicKey)).toBe(true);
      expect(calls).toBe(4); // seed, nonce, challenge, verify's challenge
    } finally {
      setSha512(null);
    }
    expect(hex(sign(msg, seed))).toBe(want);
    expect(calls).toBe(4);
  });

  it('nativeSha512 adapts an Espruino-style crypto module (returns an ArrayBuffer) and rejects a module without SHA512', () => {
    const fake = { SHA512: (d: Uint8Array) => createHash('sha512').update(d).digest().buffer.slice(0) as ArrayBuffer };
    const f = nativeSha512(fake)!;
    const m = new Uint8Array(200).map((_, i) => i);
    expect(hex(f(m.subarray(0, 77)))).toBe(hex(nodeSha512(m.subarray(0, 77))));
    expect(nativeSha512({})).toBe(null);
    expect(nativeSha512(null)).toBe(null);
  });
});

describe('SHA-512 (runtime/signing/crypto/sha512.ts) against node:crypto', () => {
  it('one-shot, lengths 0..400', () => {
    const rand = rng(99);
    for (let n = 0; n <= 400; n++) {
      const m = rand(n);
      expect(hex(sha512(m)), `length ${n}`).toBe(hex(nodeSha512(m)));
    }
  });

  it('rounds in slices of 1..80 give the same digest', () => {
    const m = rng(5)(300);
    const end = sha512PaddedLength(m.length);
    const buf = new Uint8Array(end);
    buf.set(m);
    sha512Pad(buf, m.length, end, m.length);
    for (const step of [1, 3, 20, 33, 80]) {
      const hs = new Int32Array(16);
      const st = new Int32Array(16);
      const w = new Int32Array(160);
      sha512Init(hs);
      for (let off = 0; off < end; off += 128) {
        for (let r = 0; r < 80; r += step) sha512Rounds(hs, st, w, buf, off, r, Math.min(80, r + step));
      }
      const out = new Uint8Array(64);
      sha512Digest(hs, out);
      expect(hex(out), `slices of ${step} rounds`).toBe(hex(nodeSha512(m)));
    }
  });
});

describe('fixed-base table', () => {
  it('the shipped base64 (ed25519-table-data.ts) equals buildBaseTable(), through atob and through the built-in decoder', () => {
    const built = buildBaseTable();
    expect(built.length).toBe(257 * 48);
    expect(tableToBase64(built)).toBe(ed25519TableB64());
    expect(Array.from(loadBaseTable(ed25519TableB64()))).toEqual(Array.from(built));
    const g = globalThis as { atob?: unknown };
    const saved = g.atob;
    g.atob = undefined;
    try {
      expect(Array.from(loadBaseTable(ed25519TableB64()))).toEqual(Array.from(built));
    } finally {
      g.atob = saved;
    }
  });

  it('signing with an installed (loaded) table gives the same signatures', () => {
    const before = baseTable();
    setBaseTable(loadBaseTable(ed25519TableB64()));
    try {
      const seed = rng(3)(32);
      const msg = rng(4)(64);
      expect(hex(sign(msg, seed))).toBe(hex(noble.sign(msg, seed)));
    } finally {
      setBaseTable(before);
    }
  });
});

describe('field and scalar arithmetic against BigInt', () => {
  const P = 2n ** 255n - 19n;
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const toBig = (a: Float64Array): bigint => a.reduce((acc, v, i) => acc + BigInt(v) * 2n ** BigInt(16 * i), 0n);
  const leBytes = (b: Uint8Array): bigint => b.reduce((acc, v, i) => acc + BigInt(v) * 2n ** BigInt(8 * i), 0n);
  const mod = (x: bigint, m: bigint): bigint => ((x % m) + m) % m;

  it('feMul, feSqr, fePack on random, extreme and boundary elements', () => {
    const rand = rng(11);
    const specials = [0n, 1n, P - 1n, P, P + 1n, 2n ** 255n - 1n, 2n ** 255n - 20n, 19n, 2n ** 255n - 2n];
    const elems: Float64Array[] = [];
    for (const s of specials) {
      const b = new Uint8Array(32);
      let x = s;
      for (let i = 0; i < 32; i++) {
        b[i] = Number(x & 255n);
        x >>= 8n;
      }
      const f = fe();
      feUnpack(f, b, 0);
      elems.push(f);
    }
    for (let n = 0; n < 200; n++) {
      const f = fe();
      const r = rand(32);
      // balanced limbs, up to 2^15 + 2^5 in magnitude like the outputs of feMul
      for (let i = 0; i < 16; i++) f[i] = ((r[2 * i] | (r[2 * i + 1] << 8)) % 65600) - 32800;
      elems.push(f);
    }
    const out = fe();
    const sum = fe();
    const packed = new Uint8Array(32);
    for (let i = 0; i < elems.length; i++) {
      const a = elems[i];
      const b = elems[(i * 7 + 3) % elems.length];
      // inputs as the point formulas make them: sums and differences of two reduced values
      feAdd(sum, a, b);
      feMul(out, sum, b);
      fePack(packed, 0, out);
      expect(leBytes(packed), `mul #${i}`).toBe(mod((toBig(a) + toBig(b)) * toBig(b), P));
      feSub(sum, a, b);
      feSqr(out, sum);
      fePack(packed, 0, out);
      expect(leBytes(packed), `sqr #${i}`).toBe(mod((toBig(a) - toBig(b)) ** 2n, P));
      fePack(packed, 0, sum);
      expect(leBytes(packed), `pack #${i}`).toBe(mod(toBig(a) - toBig(b), P));
    }
  });

  it('scReduce / scFromHash / scMulAdd reduce mod L exactly', () => {
    const rand = rng(12);
    const out = new Uint8Array(32);
    const cases: Uint8Array[] = [new Uint8Array(64), new Uint8Array(64).fill(255)];
    for (let n = 0; n < 200; n++) cases.push(rand(64));
    const lb = new Uint8Array(64);
    let l = L;
    for (let i = 0; i < 32; i++) {
      lb[i] = Number(l & 255n);
      l >>= 8n;
    }
    cases.push(lb);
    for (const h of cases) {
      scFromHash(out, h);
      expect(leBytes(out), hex(h)).toBe(leBytes(h) % L);
      const a = h.subarray(0, 32);
      const b = h.subarray(32, 64);
      scMulAdd(out, a, b, a);
      expect(leBytes(out)).toBe((leBytes(a) * leBytes(b) + leBytes(a)) % L);
    }
    const x = new Float64Array(32);
    x[31] = 65535;
    x[0] = 12345;
    scReduce(out, x);
    expect(leBytes(out)).toBe((65535n * 2n ** 496n + 12345n) % L);
  });
});

describe('keys that prove nothing (device isWeakPublicKey, host signing/keys.ts)', () => {
  it('every small-order encoding (canonical or not) is weak on both sides, and verifies a signature made with no secret', () => {
    expect(SMALL_ORDER_KEYS.length).toBe(14);
    const noSecret = new Uint8Array(64);
    noSecret[0] = 1; // R = identity, S = 0
    for (const k of SMALL_ORDER_KEYS) {
      expect([hex(k), isWeakPublicKey(k), hostIsWeak(k)]).toEqual([hex(k), true, true]);
      expect(verify(noSecret, new Uint8Array([1, 2, 3]), k), hex(k)).toBe(true); // why they must be refused
    }
  });

  it('real keys are not weak; encodings that are not points, and wrong lengths, are', () => {
    const bytes = rng(11);
    for (let i = 0; i < 40; i++) {
      const k = keyFromSeed(bytes(32)).publicKey;
      expect([isWeakPublicKey(k), hostIsWeak(k)]).toEqual([false, false]);
    }
    const notAPoint = unhex('0200000000000000000000000000000000000000000000000000000000000000'); // y = 2: no x
    expect([isWeakPublicKey(notAPoint), hostIsWeak(notAPoint)]).toEqual([true, true]);
    expect([isWeakPublicKey(new Uint8Array(31)), hostIsWeak(new Uint8Array(31))]).toEqual([true, true]);
    expect(isWeakPublicKey(Array.from(keyFromSeed(bytes(32)).publicKey) as unknown as Uint8Array)).toBe(true);
  });
});
