/**
 * Key files. Two roles: a build key signs bundles; each device has its own event key (and its device id).
 * Text, one `field: value` per line after a title line; the secret file holds the 32-byte seed (RFC 8032).
 *
 *   edgerule ed25519 secret key        edgerule ed25519 public key
 *   role: device                       role: device
 *   device: 7                          device: 7
 *   seed: <64 hex digits>              public: <64 hex digits>
 *   public: <64 hex digits>            check: <8 hex digits>
 *   check: <8 hex digits>
 *
 * `device` appears for device keys only. `check` binds role, device id and public key (keyCheck): a flipped bit in
 * any of them is refused, not read as another device. Parse errors name the field and its byte offset. Reading is
 * refused, too, for a key that proves nothing (isWeakPublicKey) and for a secret key file others may read (as ssh).
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
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
  const publicKey = publicKeyOf(seed);
  if (isWeakPublicKey(publicKey)) throw new KeyFileError('internal: the generated public key proves nothing'); // cannot happen for a real seed
  return { kind: 'secret', role, ...(device !== undefined ? { device } : {}), seed, publicKey };
}

/** The `check` field: the first 4 bytes of SHA-256 over role, device id and public key, as 8 hex digits. */
export function keyCheck(role: KeyRole, device: number | undefined, publicKey: Uint8Array): string {
  return createHash('sha256').update(`edgerule key check\n${role}\n${device ?? ''}\n${hex(publicKey)}`).digest('hex').slice(0, 8);
}

export function formatKey(k: KeyFile, kind: 'secret' | 'public' = k.kind): string {
  const lines = [kind === 'secret' ? SECRET_TITLE : PUBLIC_TITLE, `role: ${k.role}`];
  if (k.device !== undefined) lines.push(`device: ${k.device}`);
  if (kind === 'secret') {
    if (!k.seed) throw new KeyFileError('a public key file has no seed to write');
    lines.push(`seed: ${hex(k.seed)}`);
  }
  lines.push(`public: ${hex(k.publicKey)}`, `check: ${keyCheck(k.role, k.device, k.publicKey)}`);
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
  const allowed = kind === 'secret' ? ['role', 'device', 'seed', 'public', 'check'] : ['role', 'device', 'public', 'check'];
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
  const want = keyCheck(role.value, device, publicKey);
  const check = fields.get('check');
  if (!check) {
    throw new KeyFileError(`${file}: byte ${bytes.length}: field 'check' is missing (a key file written before key files carried one: if its role, device and public key are right, add the line 'check: ${want}')`);
  }
  if (check.value !== want) throw new KeyFileError(`${file}: byte ${check.at}: field 'check': does not match the role, device id and public key (the file is damaged)`);
  if (isWeakPublicKey(publicKey)) throw new KeyFileError(`${file}: byte ${pub.at}: field 'public': a key of small order proves nothing (a signature made without any secret verifies with it)`);
  return { kind, role: role.value, ...(device !== undefined ? { device } : {}), ...(seed ? { seed } : {}), publicKey };
}

/** Reads and parses a key file; a secret key file that group or others may read is refused, as ssh refuses one. */
export function readKeyFile(path: string): KeyFile {
  let data: Buffer;
  let mode: number;
  try {
    const fd = openSync(path, 'r');
    try {
      mode = fstatSync(fd).mode & 0o777;
      data = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new KeyFileError(`cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const key = parseKeyFile(data, path);
  if (key.kind === 'secret' && (mode & 0o077) !== 0) {
    throw new KeyFileError(`${path}: a secret key file others may read or write (mode 0${mode.toString(8)}) is refused: chmod 600 ${path}`);
  }
  return key;
}

/** Writes a secret key file with mode 0600; refuses to overwrite unless force. */
export function writeSecretKey(path: string, k: KeyFile, force: boolean): void {
  writeExclusive(path, formatKey(k, 'secret'), 0o600, force);
}

export function writePublicKey(path: string, k: KeyFile, force: boolean): void {
  writeExclusive(path, formatKey(k, 'public'), 0o644, force);
}

/**
 * Writes a key file: a new file, or with `force` over an existing one — but never through a symbolic link (O_NOFOLLOW),
 * which could put a secret key wherever the link points. The mode is set on the file itself (an overwritten file
 * keeps its old mode otherwise).
 */
function writeExclusive(path: string, text: string, mode: number, force: boolean): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (force ? constants.O_TRUNC : constants.O_EXCL), mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new KeyFileError(`${path} exists; not overwriting it without --force`);
    if (code === 'ELOOP') throw new KeyFileError(`${path} is a symbolic link; not writing a key through it (remove the link, or write elsewhere with -o)`);
    throw new KeyFileError(`cannot write ${path}: ${code ?? (e as Error).message}`);
  }
  try {
    fchmodSync(fd, mode);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
