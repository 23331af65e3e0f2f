/**
 * Key files. Two roles: a build key signs bundles; each device has its own event key (and its device id).
 * Text, one `field: value` per line after a title line; the secret file holds the 32-byte seed (RFC 8032).
 *
 *   edgerule ed25519 secret key        edgerule ed25519 public key
 *   role: device                       role: device
 *   device: 7                          device: 7
 *   seed: <64 hex digits>              public: <64 hex digits>
 *   public: <64 hex digits>
 *
 * `device` appears for device keys only. Parse errors name the field and its byte offset.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import * as ed from '@noble/ed25519';
import { hex, newSeed, publicKeyOf } from './ed.ts';

export type KeyRole = 'build' | 'device';

export interface KeyFile {
  kind: 'secret' | 'public';
  role: KeyRole;
  device?: number;
  seed?: Uint8Array;
  publicKey: Uint8Array;
}

const SECRET_TITLE = 'edgerule ed25519 secret key';
const PUBLIC_TITLE = 'edgerule ed25519 public key';
const MAX_KEY_FILE = 4096;

export class KeyFileError extends Error {}

/**
 * True when a public key proves nothing: not a curve point (ZIP-215 decoding), or a point of small order, for which
 * a signature made without any secret verifies. The host's twin of the device's rule (isWeakPublicKey in
 * runtime/signing/crypto/ed25519.ts; test/ed25519-vectors.test.ts checks they agree); every key file read is checked.
 */
export function isWeakPublicKey(pub: Uint8Array): boolean {
  if (pub.length !== 32) return true;
  try {
    return ed.Point.fromBytes(pub, true).isSmallOrder();
  } catch {
    return true;
  }
}

/** Device ids are uint32 (they travel in every event record). */
export function parseDeviceId(text: string, what = 'device id'): number {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(text) || Number(text) > 0xffffffff) throw new KeyFileError(`${what} must be an integer 0…4294967295, got '${text}'`);
  return Number(text);
}

/** Short printable key id: the first 8 bytes of the public key (also the `kid` of signed bundles). */
export function keyId(pub: Uint8Array): string {
  return hex(pub.subarray(0, 8));
}

export function generateKey(role: KeyRole, device?: number, seed: Uint8Array = newSeed()): KeyFile {
  if (role === 'device' && device === undefined) throw new KeyFileError('a device key needs its device id (--device <id>)');
  if (role === 'build' && device !== undefined) throw new KeyFileError('a build key has no device id');
  return { kind: 'secret', role, ...(device !== undefined ? { device } : {}), seed, publicKey: publicKeyOf(seed) };
}

export function formatKey(k: KeyFile, kind: 'secret' | 'public' = k.kind): string {
  const lines = [kind === 'secret' ? SECRET_TITLE : PUBLIC_TITLE, `role: ${k.role}`];
  if (k.device !== undefined) lines.push(`device: ${k.device}`);
  if (kind === 'secret') {
    if (!k.seed) throw new KeyFileError('a public key file has no seed to write');
    lines.push(`seed: ${hex(k.seed)}`);
  }
  lines.push(`public: ${hex(k.publicKey)}`);
  return lines.join('\n') + '\n';
}

function hex32(value: string, field: string, at: number, file: string): Uint8Array {
  if (!/^[0-9a-f]*$/.test(value)) {
    const bad = value.search(/[^0-9a-f]/);
    throw new KeyFileError(`${file}: byte ${at + bad}: field '${field}': expected lower-case hex digits, found '${value[bad]}'`);
  }
  if (value.length !== 64) throw new KeyFileError(`${file}: byte ${at}: field '${field}': expected 64 hex digits (32 bytes), found ${value.length}`);
  return new Uint8Array(Buffer.from(value, 'hex'));
}

/** Parses a key file; every error names the file, the byte offset and the field. */
export function parseKeyFile(data: Uint8Array | string, file = 'key file'): KeyFile {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  if (bytes.length > MAX_KEY_FILE) throw new KeyFileError(`${file}: byte ${MAX_KEY_FILE}: a key file is at most ${MAX_KEY_FILE} bytes, this one has ${bytes.length}`);
  const nonAscii = bytes.findIndex((b) => b > 0x7e || (b < 0x20 && b !== 0x0a));
  if (nonAscii >= 0) throw new KeyFileError(`${file}: byte ${nonAscii}: unexpected byte 0x${bytes[nonAscii].toString(16).padStart(2, '0')} (a key file is ASCII text)`);
  const text = bytes.toString('latin1');
  const lines: Array<{ text: string; at: number }> = [];
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    lines.push({ text: text.slice(at, end), at });
    at = end + 1;
  }
  while (lines.length && lines[lines.length - 1].text === '') lines.pop();
  if (!lines.length) throw new KeyFileError(`${file}: byte 0: empty file, expected '${SECRET_TITLE}' or '${PUBLIC_TITLE}'`);
  const title = lines[0].text;
  if (title !== SECRET_TITLE && title !== PUBLIC_TITLE) throw new KeyFileError(`${file}: byte 0: expected the title line '${SECRET_TITLE}' or '${PUBLIC_TITLE}', found '${title.slice(0, 40)}'`);
  const kind = title === SECRET_TITLE ? 'secret' : 'public';
  const fields = new Map<string, { value: string; at: number }>();
  const allowed = kind === 'secret' ? ['role', 'device', 'seed', 'public'] : ['role', 'device', 'public'];
  for (const line of lines.slice(1)) {
    const m = /^([a-z]+): (.*)$/.exec(line.text);
    if (!m) throw new KeyFileError(`${file}: byte ${line.at}: expected 'field: value', found '${line.text.slice(0, 40)}'`);
    if (!allowed.includes(m[1])) throw new KeyFileError(`${file}: byte ${line.at}: unknown field '${m[1]}' in a ${kind} key file (fields: ${allowed.join(', ')})`);
    if (fields.has(m[1])) throw new KeyFileError(`${file}: byte ${line.at}: field '${m[1]}' appears twice`);
    fields.set(m[1], { value: m[2], at: line.at + m[1].length + 2 });
  }
  const need = (name: string) => {
    const f = fields.get(name);
    if (!f) throw new KeyFileError(`${file}: byte ${bytes.length}: field '${name}' is missing`);
    return f;
  };
  const role = need('role');
  if (role.value !== 'build' && role.value !== 'device') throw new KeyFileError(`${file}: byte ${role.at}: field 'role': expected 'build' or 'device', found '${role.value}'`);
  let device: number | undefined;
  const dev = fields.get('device');
  if (role.value === 'device') {
    const d = need('device');
    try {
      device = parseDeviceId(d.value);
    } catch (e) {
      throw new KeyFileError(`${file}: byte ${d.at}: field 'device': ${(e as Error).message}`);
    }
  } else if (dev) {
    throw new KeyFileError(`${file}: byte ${dev.at}: field 'device': a build key has no device id`);
  }
  const pub = need('public');
  const publicKey = hex32(pub.value, 'public', pub.at, file);
  let seed: Uint8Array | undefined;
  if (kind === 'secret') {
    const s = need('seed');
    seed = hex32(s.value, 'seed', s.at, file);
    if (hex(publicKeyOf(seed)) !== hex(publicKey)) throw new KeyFileError(`${file}: byte ${pub.at}: field 'public': does not match the seed (the file is damaged)`);
  }
  return { kind, role: role.value, ...(device !== undefined ? { device } : {}), ...(seed ? { seed } : {}), publicKey };
}

export function readKeyFile(path: string): KeyFile {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new KeyFileError(`cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseKeyFile(data, path);
}

/** Writes a secret key file with mode 0600; refuses to overwrite unless force. */
export function writeSecretKey(path: string, k: KeyFile, force: boolean): void {
  writeExclusive(path, formatKey(k, 'secret'), 0o600, force);
}

export function writePublicKey(path: string, k: KeyFile, force: boolean): void {
  writeExclusive(path, formatKey(k, 'public'), 0o644, force);
}

function writeExclusive(path: string, text: string, mode: number, force: boolean): void {
  try {
    writeFileSync(path, text, { mode, flag: force ? 'w' : 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyFileError(`${path} exists; not overwriting it without --force`);
    throw e;
  }
  chmodSync(path, mode); // an overwritten file keeps its old mode otherwise
}
