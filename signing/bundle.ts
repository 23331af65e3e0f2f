/**
 * Host side of signed bundles: encode the COSE_Sign1 with cbor-x and sign it with the build key (noble);
 * open one again with the device's own parser (runtime/signing/signed-bundle.ts) and check its signature with noble.
 * The exact layout is in runtime/signing/signed-bundle.ts and docs/EVENTS.md.
 */
import { Encoder, Tag } from 'cbor-x';
import { verify } from '../runtime/engine/verify.ts';
import {
  parseSigned, MAX_PROFILE_NAME, MAX_SIGNED_PAYLOAD, LABEL_VERSION, LABEL_PROFILE, LABEL_CATALOGUE, LABEL_SIGNING, type SignedCheck,
} from '../runtime/signing/signed-bundle.ts';
import { tbsLength, wrTbs, COSE_SIGN1_TAG, COSE_LABEL_ALG, COSE_LABEL_CRIT, COSE_LABEL_KID, COSE_ALG_EDDSA } from '../runtime/signing/cose.ts';
import { SIGNING_CHECKPOINT, SIGNING_PER_EVENT } from '../runtime/signing/modes.ts';
import { HDR_CATALOGUE, HDR_PROFILE, MAGIC, profileHash } from '../runtime/engine/format.ts';
import { EXIT, type ExitCode } from '../cli/exit-codes.ts';
import { describeFault } from '../compiler/faults.ts';
import type { SigningMode } from '../compiler/dsl/rule.ts';
import { signBytes, verifyBytes } from './ed.ts';
import { describeSignedFault } from './signed-fault-text.ts';
import type { KeyFile } from './keys.ts';

/** cbor-x set up for plain RFC 8949 items: no record extension, shortest map heads, Uint8Array as bstr. */
export const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, variableMapSize: true, tagUint8Array: false, useFloat32: 0 });

export interface BundleSignOptions {
  version: number;
  profile: string;
  signing: SigningMode;
}

/** Why a bundle cannot be signed or opened; `exit` is the exit code a command gives for it (cli/exit-codes.ts). */
export class BundleError extends Error {
  constructor(message: string, readonly exit: ExitCode = EXIT.CHECK_FAILED) {
    super(message);
  }
}

/** The profileHash() a bundle's header says it was compiled for (undefined when too short to have one). */
export function bundleProfileHash(bundle: Uint8Array): number | undefined {
  return bundle.length >= HDR_PROFILE + 4 ? new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength).getUint32(HDR_PROFILE, true) : undefined;
}

/** What a file is, by its first bytes: what `sign` and `verify` need to tell a user who gave the wrong one. */
export type FileKind = 'bundle' | 'signed bundle' | 'events file' | 'key file' | 'empty file' | 'unknown';

export function fileKind(b: Uint8Array): FileKind {
  if (b.length === 0) return 'empty file';
  if (b.length >= 4 && new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true) === MAGIC) return 'bundle';
  if (b[0] === 0xd2 && b[1] === 0x84) {
    if (b[2] === 0x43 && b[3] === 0xa1 && b[4] === 0x01 && b[5] === 0x27) return 'events file'; // a signed record's protected header
    if ((b[2] === 0x58 || b[2] === 0x59) && (b[2] === 0x58 ? b[4] : b[5]) === 0xa7) return 'signed bundle';
    return 'unknown';
  }
  if (b[0] >= 0xa5 && b[0] <= 0xaa && b[1] === 0x00) return 'events file'; // a bare record: map(5…10), key 0
  if (Buffer.from(b.subarray(0, 17)).toString('latin1') === 'edgerule ed25519 ') return 'key file';
  return 'unknown';
}

export function signingCode(mode: SigningMode): number {
  return mode === 'per-event' ? SIGNING_PER_EVENT : SIGNING_CHECKPOINT;
}

export function signingName(code: number): SigningMode {
  return code === SIGNING_PER_EVENT ? 'per-event' : 'checkpoint';
}

export function checkProfileName(name: string): void {
  if (!/^[\x21-\x7e]+$/.test(name) || name.length > MAX_PROFILE_NAME) {
    throw new BundleError(`profile name '${name}' must be 1…${MAX_PROFILE_NAME} printable ASCII characters`, EXIT.USAGE);
  }
}

/** The protected header bstr content, labels in canonical (bytewise) order. */
export function protectedHeader(kid: Uint8Array, catalogue: number, o: BundleSignOptions): Uint8Array {
  return cbor.encode(new Map<number, unknown>([
    [COSE_LABEL_ALG, COSE_ALG_EDDSA],
    [COSE_LABEL_CRIT, [LABEL_VERSION, LABEL_PROFILE, LABEL_CATALOGUE, LABEL_SIGNING]],
    [COSE_LABEL_KID, kid],
    [LABEL_VERSION, o.version],
    [LABEL_PROFILE, o.profile],
    [LABEL_CATALOGUE, catalogue],
    [LABEL_SIGNING, signingCode(o.signing)],
  ]));
}

/** Signs a verified bytecode bundle with a build key. */
export function signBundle(bundle: Uint8Array, key: KeyFile, o: BundleSignOptions): Uint8Array {
  if (key.role !== 'build') throw new BundleError(`bundles are signed with a build key; this is a ${key.role} key${key.device !== undefined ? ` (device ${key.device})` : ''}`, EXIT.CANNOT_CHECK);
  if (!key.seed) throw new BundleError('signing needs the secret key file, not the public one', EXIT.CANNOT_CHECK);
  if (!Number.isInteger(o.version) || o.version < 0 || o.version > 0xffffffff) throw new BundleError(`--version must be an integer 0…4294967295, got ${o.version}`, EXIT.USAGE);
  checkProfileName(o.profile);
  const p = verify(bundle);
  if (p.fault) throw new BundleError(`refusing to sign a bundle the device would refuse: ${describeFault(p.fault, p.faultAt)}`);
  if (bundle.length > MAX_SIGNED_PAYLOAD) throw new BundleError(`the bundle is ${bundle.length} bytes, more than the ${MAX_SIGNED_PAYLOAD} a signed bundle carries (the compiler refuses to write one: compiler/size-limits.ts)`);
  // The bundle binds the profile it was compiled for: a device of another profile would read its ids with other meanings.
  if (bundleProfileHash(bundle) !== profileHash(o.profile)) throw new BundleError(`refusing to sign for profile '${o.profile}' a bundle compiled for another profile`);
  const catalogue = new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength).getUint32(HDR_CATALOGUE, true);
  const prot = protectedHeader(key.publicKey.subarray(0, 8), catalogue, o);
  const tbs = cbor.encode(['Signature1', prot, new Uint8Array(0), bundle]);
  const signature = signBytes(tbs, key.seed);
  const signed = new Uint8Array(cbor.encode(new Tag([prot, new Map(), bundle, signature], COSE_SIGN1_TAG)));
  // The device's parser must read back exactly what was written.
  const c = parseSigned(signed);
  if (c.fault) throw new BundleError(`internal: the encoded signed bundle does not parse: ${describeSignedFault(c.fault, c.faultAt, c.field)}`);
  const device = new Uint8Array(tbsLength(c.cose.protLen, c.cose.payLen));
  wrTbs(device, signed, c.cose.protStart, c.cose.protLen, signed, c.cose.payStart, c.cose.payLen);
  if (Buffer.compare(Buffer.from(device), Buffer.from(tbs)) !== 0) throw new BundleError('internal: device and host Sig_structure differ');
  return signed;
}

export interface OpenedBundle {
  check: SignedCheck;
  payload: Uint8Array;
  /** null when no key was given. */
  signatureOk: boolean | null;
  keyMatches: boolean | null;
}

/** Parses a signed bundle (strict, as the device does) and, given the build public key, checks its signature. */
export function openBundle(signed: Uint8Array, pub?: Uint8Array, file = 'signed bundle'): OpenedBundle {
  const c = parseSigned(signed);
  if (c.fault) throw new BundleError(describeSignedFault(c.fault, c.faultAt, c.field, file));
  const s = c.cose;
  const payload = signed.subarray(s.payStart, s.payStart + s.payLen);
  if (!pub) return { check: c, payload, signatureOk: null, keyMatches: null };
  const tbs = new Uint8Array(tbsLength(s.protLen, s.payLen));
  wrTbs(tbs, signed, s.protStart, s.protLen, signed, s.payStart, s.payLen);
  const kid = signed.subarray(c.kidAt, c.kidAt + 8);
  return {
    check: c,
    payload,
    signatureOk: verifyBytes(signed.subarray(s.sigStart, s.sigStart + 64), tbs, pub),
    keyMatches: Buffer.compare(Buffer.from(kid), Buffer.from(pub.subarray(0, 8))) === 0,
  };
}
