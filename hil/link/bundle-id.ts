/** What the host knows of a signed bundle before it flashes it: id (the upload's session id), CRC-32, header. */
import { createHash } from 'node:crypto';
import { BUNDLE_ID_BYTES } from '../../runtime/link/constants.ts';
import { crc32 } from '../../runtime/link/crc32.ts';
import { parseSigned } from '../../runtime/signing/signed-bundle.ts';
import { describeSignedFault } from '../../signing/signed-fault-text.ts';

export interface BundleIdentity {
  bytes: Uint8Array;
  id: Uint8Array;
  idHex: string;
  crc: number;
  version: number;
  profile: string;
}

/** The first BUNDLE_ID_BYTES bytes of SHA-512 of the signed bundle file, as the device computes it. */
export function bundleId(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha512').update(bytes).digest().subarray(0, BUNDLE_ID_BYTES));
}

/** Reads a signed bundle's identity; a file that is not a well-formed signed bundle is refused here, before any upload. */
export function identify(bytes: Uint8Array, file: string): BundleIdentity {
  const c = parseSigned(bytes);
  if (c.fault) throw new Error(`${file} is not a signed bundle: ${describeSignedFault(c.fault, c.faultAt, c.field, '')} (sign it with \`edgerule sign\`)`);
  const id = bundleId(bytes);
  return { bytes, id, idHex: Buffer.from(id).toString('hex'), crc: crc32(0, bytes, 0, bytes.length), version: c.version, profile: c.profile };
}
