// Signed bundles on Node, through the runtime artifact (the file that goes onto devices): the exact layout the
// host writes, every single-bit flip of the signed rule library rejected, rollback / wrong key / profile /
// catalogue refusals, malformed COSE/CBOR rejected with the exact fault, byte offset and field (and the host's
// sentence for it), and a mutation fuzz run in which nothing throws.
import { createHash } from 'node:crypto';
import { Tag } from 'cbor-x';
import { beforeAll, describe, expect, test } from 'vitest';
import { compileFiles } from '../compiler/compile.ts';
import { generateKey } from '../signing/keys.ts';
import { cbor, protectedHeader, signBundle, openBundle, BundleError } from '../signing/bundle.ts';
import { signBytes } from '../signing/ed.ts';
import { describeSignedFault, faultName, SIGNED_FAULT_TEXT } from '../signing/signed-fault-text.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { prng } from '../harness/fuzz/mutate.ts';
import * as S from '../runtime/signing/signed-faults.ts';
import type { Host } from '../runtime/engine/runtime.ts';
import type { SignedRuntime, SignedCheck, Trust } from '../runtime/signing/signed-bundle.ts';
import { FAULT_TEXT } from '../compiler/faults.ts';
import { CATALOGUE_HASH } from '../runtime/engine/catalogue.generated.ts';
import { HDR_PROFILE } from '../runtime/engine/format.ts';

interface SignedApi {
  loadSigned(bytes: Uint8Array, trust: Trust, host: Host): SignedRuntime;
  checkBegin(bytes: Uint8Array, trust: Trust): SignedCheck;
  checkStep(c: SignedCheck, units: number): boolean;
  loadChecked(c: SignedCheck, host: Host): SignedRuntime;
}
let artifact: SignedApi | undefined;
const api = () => (artifact ??= loadRuntimeArtifact() as unknown as SignedApi);
const NO_HOST: Host = { emit() {}, output() {}, interval() {} };
const seedOf = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
const BUILD = generateKey('build', undefined, seedOf('edgerule test build key'));
const OTHER = generateKey('build', undefined, seedOf('edgerule other build key'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let bundle: Uint8Array;
let signed: Uint8Array;
const trust = (over: Partial<Trust> = {}): Trust => ({ key: BUILD.publicKey, profile: 'full', active: 3, ...over });

/** Offsets in a signed bundle with profile 'full', version 3 (one-byte uint): fixed up to the payload. */
const AT = { tag: 0, array: 1, prot: 2, map: 4, alg: 5, crit: 7, kid: 29, kidBytes: 31, version: 44, profile: 50, catalogue: 60, signing: 70, unprot: 71, payload: 72 };
const payStart = () => AT.payload + 3;
const sigAt = () => payStart() + bundle.length;

function assemble(prot: Uint8Array, payload: Uint8Array, seed = BUILD.seed!): Uint8Array {
  const sig = signBytes(cbor.encode(['Signature1', prot, new Uint8Array(0), payload]), seed);
  return new Uint8Array(cbor.encode(new Tag([prot, new Map(), payload, sig], 18)));
}

function fault(bytes: Uint8Array, t: Trust = trust()): { code: number; at: number; field: number } {
  const rt = api().loadSigned(bytes, t, NO_HOST);
  return { code: rt.fault, at: rt.faultAt, field: rt.field };
}

function splice(b: Uint8Array, at: number, remove: number, insert: number[]): Uint8Array {
  return new Uint8Array([...b.subarray(0, at), ...insert, ...b.subarray(at + remove)]);
}

/** A change inside the protected header, with the protected bstr's length adjusted to match. */
function spliceProt(at: number, remove: number, insert: number[]): Uint8Array {
  const b = splice(signed, at, remove, insert);
  b[3] += insert.length - remove;
  return b;
}

beforeAll(async () => {
  bundle = (await compileFiles(['rules'])).bytes;
  signed = signBundle(bundle, BUILD, { version: 3, profile: 'full', signing: 'checkpoint' });
}, 120_000);

describe('layout', () => {
  test('the protected header is exactly the documented one, and the payload is the bundle', () => {
    expect(hex(signed.subarray(0, AT.payload + 3))).toBe(
      'd28458' + '43' + 'a7' + '0127' + '02843a000100003a000100013a000100023a00010003' + '0448' + hex(BUILD.publicKey.subarray(0, 8)) +
      '3a00010000' + '03' + '3a00010001' + '6466756c6c' + '3a00010002' + '1a' + CATALOGUE_HASH.toString(16).padStart(8, '0') + '3a00010003' + '01' + 'a0' +
      '59' + bundle.length.toString(16).padStart(4, '0'),
    );
    expect(hex(signed.subarray(payStart(), sigAt()))).toBe(hex(bundle));
    expect(hex(signed.subarray(sigAt(), sigAt() + 2))).toBe('5840');
    expect(signed.length).toBe(sigAt() + 66);
  });

  test('the device accepts it and reports version, profile and signing mode; the host opens it too', () => {
    const rt = api().loadSigned(signed, trust(), NO_HOST);
    expect([rt.fault, rt.version, rt.profile, rt.signing]).toEqual([0, 3, 'full', 1]);
    const o = openBundle(signed, BUILD.publicKey);
    expect([o.signatureOk, o.keyMatches, o.check.version, o.check.catalogue]).toEqual([true, true, 3, CATALOGUE_HASH]);
  });

  test('sliced check: same verdict, in many short steps', () => {
    const c = api().checkBegin(signed, trust());
    let steps = 0;
    let worst = 0;
    for (;;) {
      const t0 = performance.now();
      const done = api().checkStep(c, 4);
      worst = Math.max(worst, performance.now() - t0);
      steps++;
      if (done) break;
    }
    expect(api().loadChecked(c, NO_HOST).fault).toBe(0);
    expect(steps).toBeGreaterThan(50);
    console.log(`sliced bundle check on Node: ${steps} steps of 4 units, worst step ${worst.toFixed(2)} ms`);
  });

  test('the host refuses to sign with a device key, an unverifiable bundle, or a bad version/profile', () => {
    const dev = generateKey('device', 3, seedOf('dev'));
    expect(() => signBundle(bundle, dev, { version: 1, profile: 'full', signing: 'checkpoint' })).toThrow('bundles are signed with a build key; this is a device key (device 3)');
    expect(() => signBundle(bundle.subarray(0, 20), BUILD, { version: 1, profile: 'full', signing: 'checkpoint' })).toThrow('refusing to sign a bundle the device would refuse: bundle: byte 20: fault 1 TRUNCATED: the bundle is shorter than its header or declared sections');
    expect(() => signBundle(bundle, BUILD, { version: 2 ** 32, profile: 'full', signing: 'checkpoint' })).toThrow('--version must be an integer 0…4294967295, got 4294967296');
    expect(() => signBundle(bundle, BUILD, { version: 1, profile: 'x'.repeat(33), signing: 'checkpoint' })).toThrow(BundleError);
  });
});

describe('what was checked is what loads; arguments and keys that prove nothing', () => {
  test('bytes changed during or after the sliced check do not load: the check works on its own copy', () => {
    const mine = new Uint8Array(signed);
    const c = api().checkBegin(mine, trust());
    api().checkStep(c, 4);
    // A constant of the payload changed halfway through the check: the bundle still verifies as bytecode.
    const constant = payStart() + 40;
    mine[constant] ^= 0x10;
    while (!api().checkStep(c, 50)) { /* check */ }
    mine[constant + 8] ^= 0x10; // and another one after it
    const rt = api().loadChecked(c, NO_HOST);
    expect(rt.fault).toBe(0);
    expect(hex(rt.program.bytes)).toBe(hex(bundle));
  });

  test('an active version that is undefined, NaN, negative or fractional is refused, not a disabled rollback check', () => {
    for (const active of [undefined, NaN, -1, 2.5, '3', Infinity, 2 ** 32]) {
      expect(fault(signed, trust({ active: active as number })), String(active)).toEqual({ code: S.SF_ARGUMENT, at: 0, field: S.FLD_ACTIVE });
    }
  });

  test('a null or non-object trust, bytes that are not a Uint8Array, a null host: fault codes, never a TypeError', () => {
    expect(fault(signed, null as unknown as Trust)).toEqual({ code: S.SF_ARGUMENT, at: 0, field: S.FLD_TRUST });
    expect(fault(signed, 'full' as unknown as Trust)).toEqual({ code: S.SF_ARGUMENT, at: 0, field: S.FLD_TRUST });
    expect(fault(signed, trust({ profile: 7 as unknown as string }))).toEqual({ code: S.SF_ARGUMENT, at: 0, field: S.FLD_TRUST });
    expect(fault(signed, trust({ key: null as unknown as Uint8Array }))).toEqual({ code: S.SF_BAD_KEY, at: 0, field: S.FLD_KEY });
    expect(fault(signed, trust({ key: Array.from(BUILD.publicKey) as unknown as Uint8Array }))).toEqual({ code: S.SF_BAD_KEY, at: 0, field: S.FLD_KEY });
    expect(fault(null as unknown as Uint8Array)).toEqual({ code: S.SF_ARGUMENT, at: 0, field: S.FLD_INPUT });
    expect(fault(Array.from(signed) as unknown as Uint8Array)).toEqual({ code: S.SF_ARGUMENT, at: 0, field: S.FLD_INPUT });
    const nullHost = api().loadSigned(signed, trust(), null as unknown as Host);
    expect([nullHost.fault, nullHost.faultAt, nullHost.field]).toEqual([24, 0, S.FLD_HOST]);
    const notACheck = api().loadChecked(null as unknown as SignedCheck, NO_HOST);
    expect([notACheck.fault, notACheck.field]).toEqual([S.SF_ARGUMENT, S.FLD_INPUT]);
    expect(api().checkStep(api().checkBegin(signed, null as unknown as Trust), 1)).toBe(true);
  });

  test('a small-order build key is refused: with it, a signature made without any secret would verify', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1; // y = 1: the identity point
    const prot = protectedHeader(identity.subarray(0, 8), CATALOGUE_HASH, { version: 3, profile: 'full', signing: 'checkpoint' });
    const noSecret = new Uint8Array(64);
    noSecret.set(identity); // R = identity, S = 0: [8]([S]B) = [8]R + [8]([k]A) holds for A of small order
    const forged = new Uint8Array(cbor.encode(new Tag([prot, new Map(), bundle, noSecret], 18)));
    expect(fault(forged, trust({ key: identity }))).toEqual({ code: S.SF_BAD_KEY, at: 0, field: S.FLD_KEY });
  });
});

describe('every single-bit flip is rejected', () => {
  test('Node: all bits of the signed rule library', () => {
    const bits = signed.length * 8;
    const byCode = new Map<number, number>();
    const copy = new Uint8Array(signed);
    const t0 = performance.now();
    for (let bit = 0; bit < bits; bit++) {
      copy[bit >> 3] ^= 1 << (bit & 7);
      const rt = api().loadSigned(copy, trust(), NO_HOST);
      copy[bit >> 3] ^= 1 << (bit & 7);
      if (rt.fault === 0) throw new Error(`bit ${bit} (byte ${bit >> 3}) flipped and the bundle still loads`);
      byCode.set(rt.fault, (byCode.get(rt.fault) ?? 0) + 1);
    }
    console.log(`${bits} bit flips of a ${signed.length}-byte signed bundle, all rejected in ${((performance.now() - t0) / 1000).toFixed(1)} s: ` +
      [...byCode].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${faultName(c)}×${n}`).join(' '));
    expect(byCode.get(S.SF_SIGNATURE)).toBeGreaterThan(bits * 0.9);
  }, 600_000);
});

describe('trust decisions', () => {
  test('rollback: a version below the active one is refused; the same or a newer one loads', () => {
    expect(fault(signed, trust({ active: 4 }))).toEqual({ code: S.SF_ROLLBACK, at: AT.version, field: S.FLD_VERSION });
    expect(fault(signed, trust({ active: 3 })).code).toBe(0);
    expect(fault(signed, trust({ active: 0 })).code).toBe(0);
    const v9 = signBundle(bundle, BUILD, { version: 9, profile: 'full', signing: 'checkpoint' });
    expect(fault(v9, trust({ active: 4 })).code).toBe(0);
  });

  test('another build key: refused by key id; a forged kid: refused by the signature', () => {
    const other = signBundle(bundle, OTHER, { version: 3, profile: 'full', signing: 'checkpoint' });
    expect(fault(other)).toEqual({ code: S.SF_WRONG_KEY, at: AT.kid + 1, field: S.FLD_KID });
    const forgedKid = new Uint8Array(other);
    forgedKid.set(BUILD.publicKey.subarray(0, 8), AT.kidBytes);
    expect(fault(forgedKid)).toEqual({ code: S.SF_SIGNATURE, at: sigAt(), field: S.FLD_SIGNATURE });
    expect(fault(signed, trust({ key: BUILD.publicKey.subarray(0, 31) }))).toEqual({ code: S.SF_BAD_KEY, at: 0, field: S.FLD_KEY });
  });

  test('another profile, another catalogue, and a signed payload the bytecode verifier refuses', () => {
    expect(fault(signed, trust({ profile: 'truck-telematics' }))).toEqual({ code: S.SF_PROFILE, at: AT.profile, field: S.FLD_PROFILE });
    // Signed for container-tracker, but compiled for full (the header's profile field says so): refused by the device.
    const kidOf = BUILD.publicKey.subarray(0, 8);
    const relabelled = assemble(protectedHeader(kidOf, CATALOGUE_HASH, { version: 3, profile: 'container-tracker', signing: 'checkpoint' }), bundle);
    expect(fault(relabelled, trust({ profile: 'container-tracker' }))).toEqual({ code: S.SF_PROFILE, at: relabelled.length - 66 - bundle.length + HDR_PROFILE, field: S.FLD_PAYLOAD });
    expect(() => signBundle(bundle, BUILD, { version: 3, profile: 'container-tracker', signing: 'checkpoint' })).toThrow("refusing to sign for profile 'container-tracker' a bundle compiled for another profile");
    const kid = BUILD.publicKey.subarray(0, 8);
    const wrongCat = assemble(protectedHeader(kid, 0x12345678, { version: 3, profile: 'full', signing: 'checkpoint' }), bundle);
    expect(fault(wrongCat)).toEqual({ code: S.SF_CATALOGUE, at: AT.catalogue, field: S.FLD_CATALOGUE });
    const broken = new Uint8Array(bundle);
    broken[0] ^= 0xff;
    const badPayload = assemble(protectedHeader(kid, CATALOGUE_HASH, { version: 3, profile: 'full', signing: 'checkpoint' }), broken);
    expect(fault(badPayload)).toEqual({ code: 2, at: payStart(), field: S.FLD_PAYLOAD });
    const rt = api().loadSigned(badPayload, trust(), NO_HOST);
    expect(describeSignedFault(rt.fault, rt.faultAt, rt.field, 'x.signed', rt.payloadAt)).toBe(`x.signed: byte ${payStart()} (bundle byte 0): fault 2 BAD_MAGIC: ${FAULT_TEXT[2].rule}`);
  });
});

describe('malformed signed bundles: exact fault, offset and field; the host names them', () => {
  const cases: Array<{ name: string; make: () => Uint8Array; code: number; at: () => number; field: number }> = [
    { name: 'empty input', make: () => new Uint8Array(0), code: S.SF_TRUNCATED, at: () => 0, field: S.FLD_TAG },
    { name: 'tag 19 instead of 18', make: () => splice(signed, 0, 1, [0xd3]), code: S.SF_TYPE, at: () => 0, field: S.FLD_TAG },
    { name: 'a map instead of the tag', make: () => splice(signed, 0, 1, [0xa4]), code: S.SF_TYPE, at: () => 0, field: S.FLD_TAG },
    { name: 'array of 3', make: () => splice(signed, 1, 1, [0x83]), code: S.SF_TYPE, at: () => AT.array, field: S.FLD_ARRAY },
    { name: 'protected header as a text string', make: () => splice(signed, 2, 1, [0x78]), code: S.SF_TYPE, at: () => AT.prot, field: S.FLD_PROTECTED },
    { name: 'protected map of 6', make: () => splice(signed, 4, 1, [0xa6]), code: S.SF_HEADER, at: () => AT.map, field: S.FLD_HEADER_MAP },
    { name: 'alg ES256 (−7)', make: () => splice(signed, 6, 1, [0x26]), code: S.SF_HEADER, at: () => AT.alg, field: S.FLD_ALG },
    { name: 'crit list changed', make: () => splice(signed, 8, 1, [0x83]), code: S.SF_HEADER, at: () => AT.crit, field: S.FLD_CRIT },
    { name: 'kid of 9 bytes', make: () => splice(signed, 30, 1, [0x49]), code: S.SF_OVERSIZED, at: () => AT.kid + 1, field: S.FLD_KID },
    { name: 'version as a negative integer', make: () => splice(signed, 44, 1, [0x22]), code: S.SF_TYPE, at: () => AT.version, field: S.FLD_VERSION },
    { name: 'version as a text string', make: () => splice(signed, 44, 1, [0x61]), code: S.SF_TYPE, at: () => AT.version, field: S.FLD_VERSION },
    { name: 'version 2^32', make: () => spliceProt(44, 1, [0x1b, 0, 0, 0, 1, 0, 0, 0, 0]), code: S.SF_OVERSIZED, at: () => AT.version, field: S.FLD_VERSION },
    { name: 'version in a non-shortest head', make: () => spliceProt(44, 1, [0x18, 0x03]), code: S.SF_NONCANONICAL, at: () => AT.version, field: S.FLD_VERSION },
    { name: 'an extra byte inside the protected bstr', make: () => spliceProt(AT.unprot, 0, [0]), code: S.SF_HEADER, at: () => AT.unprot, field: S.FLD_HEADER_MAP },
    { name: 'profile of 33 characters', make: () => spliceProt(50, 5, [0x78, 33, ...Buffer.from('x'.repeat(33))]), code: S.SF_OVERSIZED, at: () => AT.profile, field: S.FLD_PROFILE },
    { name: 'profile as a byte string', make: () => splice(signed, 50, 1, [0x44]), code: S.SF_TYPE, at: () => AT.profile, field: S.FLD_PROFILE },
    { name: 'profile with a control character', make: () => splice(signed, 51, 1, [0x0a]), code: S.SF_TYPE, at: () => AT.profile, field: S.FLD_PROFILE },
    { name: 'signing mode 2', make: () => splice(signed, 70, 1, [0x02]), code: S.SF_OVERSIZED, at: () => AT.signing, field: S.FLD_SIGNING },
    { name: 'unprotected header not empty', make: () => splice(signed, 71, 1, [0xa1]), code: S.SF_HEADER, at: () => AT.unprot, field: S.FLD_UNPROTECTED },
    { name: 'payload as a text string', make: () => splice(signed, 72, 1, [0x79]), code: S.SF_TYPE, at: () => AT.payload, field: S.FLD_PAYLOAD },
    { name: 'payload of indefinite length', make: () => splice(signed, 72, 1, [0x5f]), code: S.SF_NONCANONICAL, at: () => AT.payload, field: S.FLD_PAYLOAD },
    { name: 'payload length in 4 bytes', make: () => splice(signed, 72, 3, [0x5a, 0, 0, bundle.length >> 8, bundle.length & 255]), code: S.SF_NONCANONICAL, at: () => AT.payload, field: S.FLD_PAYLOAD },
    { name: 'payload longer than 256 KiB', make: () => splice(signed, 72, 3, [0x5a, 0, 4, 0, 1]), code: S.SF_OVERSIZED, at: () => AT.payload, field: S.FLD_PAYLOAD },
    { name: 'payload longer than the input', make: () => splice(signed, 72, 3, [0x59, 0xff, 0xff]), code: S.SF_TRUNCATED, at: () => AT.payload, field: S.FLD_PAYLOAD },
    { name: 'signature of 65 bytes', make: () => splice(signed, sigAt(), 2, [0x58, 0x41, 0]), code: S.SF_OVERSIZED, at: () => sigAt(), field: S.FLD_SIGNATURE },
    { name: 'signature of 63 bytes', make: () => splice(signed, sigAt(), 3, [0x58, 0x3f]), code: S.SF_TYPE, at: () => sigAt(), field: S.FLD_SIGNATURE },
    { name: 'signature cut short', make: () => signed.subarray(0, signed.length - 1), code: S.SF_TRUNCATED, at: () => sigAt(), field: S.FLD_SIGNATURE },
    { name: 'a byte after the COSE_Sign1', make: () => splice(signed, signed.length, 0, [0]), code: S.SF_TRAILING, at: () => signed.length, field: S.FLD_END },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const bytes = c.make();
      expect(fault(bytes)).toEqual({ code: c.code, at: c.at(), field: c.field });
      // The host reads it with the same parser and says where and what.
      expect(() => openBundle(bytes, BUILD.publicKey, 'b.signed')).toThrow(describeSignedFault(c.code, c.at(), c.field, 'b.signed'));
    });
  }

  test('host sentences name the field and offset', () => {
    expect(describeSignedFault(S.SF_TYPE, 72, S.FLD_PAYLOAD, 'b.signed')).toBe(`b.signed: byte 72: field 'payload': fault 41 WRONG_TYPE: ${SIGNED_FAULT_TEXT[S.SF_TYPE].rule}`);
    expect(describeSignedFault(S.SF_OVERSIZED, 44, S.FLD_VERSION, 'b.signed')).toBe(`b.signed: byte 44: field 'protected.version': fault 43 OVERSIZED: longer or larger than this field allows`);
  });

  test('every truncation is SF_TRUNCATED at the head of the item it cuts', () => {
    const heads = [AT.tag, AT.array, AT.prot, AT.unprot, AT.payload, sigAt()];
    for (let n = 0; n < signed.length; n++) {
      const f = fault(signed.subarray(0, n));
      expect(f.code, `cut at ${n}`).toBe(S.SF_TRUNCATED);
      const item = heads.filter((h) => h <= n).pop()!;
      expect(f.at, `cut at ${n}`).toBe(item);
    }
  });

  test('mutation fuzz: 3000 mutated signed bundles, none loads and none throws', () => {
    const rand = prng(11);
    const byCode = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      let b: Uint8Array = new Uint8Array(signed);
      const kind = Math.floor(rand() * 4);
      const at = Math.floor(rand() * b.length);
      if (kind === 0) b[at] = Math.floor(rand() * 256);
      else if (kind === 1) b = splice(b, at, 0, [Math.floor(rand() * 256)]);
      else if (kind === 2) b = splice(b, at, 1 + Math.floor(rand() * 8), []);
      else b = b.subarray(0, at);
      if (hex(b) === hex(signed)) continue;
      let f;
      try {
        f = fault(b);
      } catch (e) {
        throw new Error(`mutation ${i}: loadSigned threw ${(e as Error).message}`);
      }
      expect(f.code, `mutation ${i}`).not.toBe(0);
      byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
    }
    console.log('signed-bundle fuzz faults: ' + [...byCode].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${faultName(c)}×${n}`).join(' '));
  }, 120_000);
});
