// The key, sign and verify commands end to end (run in process in a temp dir, harness/cli.ts): key-file parsing
// errors that name the field and byte offset, key files that bind their fields and refuse keys that prove nothing,
// secret keys others may read and symbolic links; a bundle signed only for the profile it was compiled for; the
// wrong kind of key or file named; exit codes 0 OK, 1 check failed, 2 usage, 3 could not check (cli/exit-codes.ts).
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../harness/cli.ts';
import { PROJECT_ROOT } from '../harness/shared-data.ts';
import { compileFiles } from '../compiler/compile.ts';
import { eventWriter } from '../runtime/signing/events.ts';
import { SIGNING_PER_EVENT } from '../runtime/signing/modes.ts';
import { CATALOGUE_HASH } from '../runtime/engine/catalogue.generated.ts';
import { formatKey, generateKey, keyCheck, parseKeyFile, readKeyFile } from '../signing/keys.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { SMALL_ORDER_KEYS } from '../harness/weak-keys.ts';

/** A key file as a user's editor or CI would write it: secret key files 0600. */
function writeKey(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

const dir = mkdtempSync(join(tmpdir(), 'edgerule-signing-'));
const p = (f: string) => join(dir, f);

/** `edgerule <args…>` in the temp dir, in process. */
const cli = (...args: string[]) => runCli(args, dir);

const seedOf = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());

describe('key files', () => {
  test('keygen writes a 0600 secret key and a public key, and refuses to overwrite without --force', async () => {
    const r = (await cli('keygen', '--role', 'build', '-o', 'build.key'));
    expect(r.code).toBe(0);
    const key = readKeyFile(p('build.key'));
    expect(r.out).toBe(`wrote build key build.key (secret, mode 0600) and build.key.pub; key id ${Buffer.from(key.publicKey.subarray(0, 8)).toString('hex')}\n`);
    expect(statSync(p('build.key')).mode & 0o777).toBe(0o600);
    expect(statSync(p('build.key.pub')).mode & 0o777).toBe(0o644);
    expect(readFileSync(p('build.key'), 'utf8')).toMatch(/^edgerule ed25519 secret key\nrole: build\nseed: [0-9a-f]{64}\npublic: [0-9a-f]{64}\ncheck: [0-9a-f]{8}\n$/);
    const again = (await cli('keygen', '--role', 'build', '-o', 'build.key'));
    expect([again.code, again.err]).toEqual([EXIT.USAGE, 'edgerule keygen: build.key exists; not overwriting it without --force\n']);
    expect(readKeyFile(p('build.key')).seed).toEqual(key.seed);
    expect((await cli('keygen', '--role', 'build', '-o', 'build.key', '--force')).code).toBe(0);
    expect(readKeyFile(p('build.key')).seed).not.toEqual(key.seed);
    expect(statSync(p('build.key')).mode & 0o777).toBe(0o600);
  });

  test('device keys carry their device id; pubkey prints the public half', async () => {
    expect((await cli('keygen', '--role', 'device')).err).toBe('edgerule keygen: a device key needs its device id (--device <id>)\n');
    expect((await cli('keygen', '--role', 'device', '--device', '99999999999')).err).toBe("edgerule keygen: --device must be an integer 0…4294967295, got '99999999999'\n");
    expect((await cli('keygen', '--role', 'device', '--device', '7')).code).toBe(0);
    const k = readKeyFile(p('device-7.key'));
    expect([k.role, k.device]).toEqual(['device', 7]);
    const pub = (await cli('pubkey', 'device-7.key'));
    expect(pub.out).toBe(`edgerule ed25519 public key\nrole: device\ndevice: 7\npublic: ${Buffer.from(k.publicKey).toString('hex')}\ncheck: ${keyCheck('device', 7, k.publicKey)}\n`);
    expect(pub.out).toBe(readFileSync(p('device-7.key.pub'), 'utf8'));
    expect((await cli('pubkey', 'device-7.key', '--hex')).out).toBe(Buffer.from(k.publicKey).toString('hex') + '\n');
  });

  const good = formatKey(generateKey('device', 7, seedOf('k')));
  /** A well-formed public key file (its check right) for the identity point. */
  function weakPublic(): string {
    const k = SMALL_ORDER_KEYS[0];
    return `edgerule ed25519 public key\nrole: build\npublic: ${Buffer.from(k).toString('hex')}\ncheck: ${keyCheck('build', undefined, k)}\n`;
  }
  const cases: Array<[string, string, string]> = [
    ['empty', '', "k: byte 0: empty file, expected 'edgerule ed25519 secret key' or 'edgerule ed25519 public key'"],
    ['wrong title', 'ssh-ed25519 AAAA\n', "k: byte 0: expected the title line 'edgerule ed25519 secret key' or 'edgerule ed25519 public key', found 'ssh-ed25519 AAAA'"],
    ['binary', '\x00\x01', 'k: byte 0: unexpected byte 0x00 (a key file is ASCII text)'],
    ['short seed', good.replace(/seed: ([0-9a-f]{64})/, (_, h) => `seed: ${h.slice(1)}`), "k: byte 57: field 'seed': expected 64 hex digits (32 bytes), found 63"],
    ['upper-case hex', good.replace(/seed: ([0-9a-f])/, 'seed: A'), "k: byte 57: field 'seed': expected lower-case hex digits, found 'A'"],
    ['seed of another key', good.replace(/seed: ([0-9a-f]{64})/, `seed: ${'11'.repeat(32)}`), "k: byte 130: field 'public': does not match the seed (the file is damaged)"],
    ['no seed', good.replace(/seed: .*\n/, ''), "k: byte 140: field 'seed' is missing"],
    ['unknown role', good.replace('role: device', 'role: admin'), "k: byte 34: field 'role': expected 'build' or 'device', found 'admin'"],
    ['bad device id', good.replace('device: 7', 'device: -1'), "k: byte 49: field 'device': device id must be an integer 0…4294967295, got '-1'"],
    ['unknown field', good + 'comment: hi\n', "k: byte 211: unknown field 'comment' in a secret key file (fields: role, device, seed, public, check)"],
    ['repeated field', good + 'role: build\n', "k: byte 211: field 'role' appears twice"],
    ['not field: value', good.replace('role: device', 'role=device'), "k: byte 28: expected 'field: value', found 'role=device'"],
    ['too long', good + 'x'.repeat(5000), 'k: byte 4096: a key file is at most 4096 bytes, this one has 5211'],
    // The check binds role, device id and public key: a flipped bit is refused, not read as another device.
    ['device id with a bit flipped (7 → 6)', good.replace('device: 7', 'device: 6'), "k: byte 202: field 'check': does not match the role, device id and public key (the file is damaged)"],
    ['public file with a bit flipped in the key', formatKey(generateKey('device', 7, seedOf('k')), 'public').replace(/public: (.)/, (_, c) => `public: ${(parseInt(c, 16) ^ 1).toString(16)}`), "k: byte 131: field 'check': does not match the role, device id and public key (the file is damaged)"],
    ['no check line', good.replace(/check: .*\n/, ''), `k: byte 195: field 'check' is missing (a key file written before key files carried one: if its role, device and public key are right, add the line 'check: ${keyCheck('device', 7, generateKey('device', 7, seedOf('k')).publicKey)}')`],
    ['a public key of small order', weakPublic(), "k: byte 48: field 'public': a key of small order proves nothing (a signature made without any secret verifies with it)"],
  ];
  for (const [name, text, message] of cases) {
    test(`malformed key file: ${name}`, async () => {
      expect(() => parseKeyFile(text, 'k')).toThrow(message);
    });
  }

  test('the CLI reports a malformed key file and exits 3 (could not check)', async () => {
    writeFileSync(p('bad.key'), 'edgerule ed25519 public key\nrole: build\npublic: 12\n');
    expect((await cli('pubkey', 'bad.key'))).toEqual({ code: EXIT.CANNOT_CHECK, out: '', err: "edgerule pubkey: bad.key: byte 48: field 'public': expected 64 hex digits (32 bytes), found 2\n" });
    expect((await cli('pubkey'))).toMatchObject({ code: EXIT.USAGE, err: expect.stringMatching(/^edgerule pubkey: the key file is missing/) });
  });

  test('a secret key file that others may read is refused, as ssh refuses one', async () => {
    writeFileSync(p('open.key'), good, { mode: 0o644 });
    chmodSync(p('open.key'), 0o644);
    expect((await cli('pubkey', 'open.key'))).toEqual({ code: EXIT.CANNOT_CHECK, out: '', err: 'edgerule pubkey: open.key: a secret key file others may read or write (mode 0644) is refused: chmod 600 open.key\n' });
    chmodSync(p('open.key'), 0o600);
    expect((await cli('pubkey', 'open.key')).code).toBe(EXIT.OK);
  });

  test('keygen --force does not write through a symbolic link', async () => {
    writeFileSync(p('elsewhere.txt'), 'not a key\n');
    symlinkSync(p('elsewhere.txt'), p('linked.key'));
    const r = await cli('keygen', '--role', 'build', '-o', 'linked.key', '--force');
    expect([r.code, r.err]).toEqual([EXIT.CANNOT_CHECK, 'edgerule keygen: linked.key is a symbolic link; not writing a key through it (remove the link, or write elsewhere with -o)\n']);
    expect(readFileSync(p('elsewhere.txt'), 'utf8')).toBe('not a key\n');
  });
});

describe('sign and verify', () => {
  beforeAll(async () => {
    const c = await compileFiles(['rules']);
    writeFileSync(p('lib.bin'), c.bytes);
    writeFileSync(p('lib.bin.map.json'), JSON.stringify(c.map));
    for (const [name, key] of [['b1.key', generateKey('build', undefined, seedOf('b1'))], ['b2.key', generateKey('build', undefined, seedOf('b2'))], ['d7.key', generateKey('device', 7, seedOf('d7'))]] as const) {
      writeKey(p(name), formatKey(key));
      writeFileSync(p(name + '.pub'), formatKey(key, 'public'));
    }
  }, 120_000);

  test('sign: version, profile from the sidecar map, signing mode from the profile', async () => {
    const r = (await cli('sign', 'lib.bin', '--key', 'b1.key', '--version', '4', '-o', 'lib.signed'));
    expect(r.code).toBe(0);
    const size = statSync(p('lib.signed')).size;
    expect(r.out).toBe(`wrote lib.signed (${size} bytes): bundle lib.bin (${statSync(p('lib.bin')).size} bytes), version 4, profile full, checkpoint event signing, key id ${Buffer.from(readKeyFile(p('b1.key')).publicKey.subarray(0, 8)).toString('hex')}\n`);
    expect((await cli('sign', 'lib.bin', '--sign-key', 'b1.key', '--version', '5', '--signing', 'per-event', '-o', 'lib5.signed')).code).toBe(0);
  });

  test('sign refuses a device key, a public key, a signed or non-bundle file, and a bad version (naming what it got)', async () => {
    expect((await cli('sign', 'lib.bin', '--key', 'd7.key', '--version', '1'))).toMatchObject({ code: EXIT.CANNOT_CHECK, err: 'edgerule sign: bundles are signed with the build key; d7.key is a device key (device 7)\n' });
    expect((await cli('sign', 'lib.bin', '--key', 'b1.key.pub', '--version', '1'))).toMatchObject({ code: EXIT.CANNOT_CHECK, err: "edgerule sign: signing needs the build key's secret key file; b1.key.pub is its public key file\n" });
    (await cli('sign', 'lib.bin', '--key', 'b1.key', '--version', '4', '-o', 'twice.signed'));
    expect((await cli('sign', 'twice.signed', '--key', 'b1.key', '--version', '1'))).toMatchObject({ code: EXIT.CANNOT_CHECK, err: 'edgerule sign: twice.signed is a signed bundle; sign needs the bundle edgerule compile wrote (this one is signed already)\n' });
    expect((await cli('sign', 'b1.key.pub', '--key', 'b1.key', '--version', '1'))).toMatchObject({ code: EXIT.CANNOT_CHECK, err: 'edgerule sign: b1.key.pub is a key file; sign needs the bundle edgerule compile wrote\n' });
    expect((await cli('sign', 'lib.bin', '--key', 'b1.key', '--version', '1.5'))).toMatchObject({ code: EXIT.USAGE, err: "edgerule sign: --version must be an integer 0…4294967295, got '1.5'\n" });
    expect((await cli('sign', 'lib.bin', '--key', 'b1.key'))).toMatchObject({ code: EXIT.USAGE, err: expect.stringMatching(/^edgerule sign: --version missing\n/) });
    expect((await cli('sign', 'lib.bin', '--key', 'b1.key', '--version', '1', '--bogus')).code).toBe(EXIT.USAGE);
  });

  test('a bundle is signed only for the profile it was compiled for; an unknown profile is an error', async () => {
    // lib.bin was compiled for full: a container-tracker would read its output ids with other meanings.
    const rules = ['--rules', join(PROJECT_ROOT, 'rules')];
    expect((await cli('sign', 'lib.bin', '--key', 'b1.key', '--version', '1', '--profile', 'container-tracker', ...rules))).toMatchObject({
      code: EXIT.CHECK_FAILED,
      err: "edgerule sign: refusing to sign lib.bin for profile 'container-tracker': it was compiled for profile 'full' (its header says so), and a device of another profile reads its signal and output ids with other meanings\n",
    });
    expect((await cli('sign', 'lib.bin', '--key', 'b1.key', '--version', '1', '--profile', 'no-such-profile', ...rules))).toMatchObject({
      code: EXIT.USAGE,
      err: "edgerule sign: unknown profile 'no-such-profile'; known: full, container-tracker, truck-telematics, reefer-container (--rules <paths> says where to find others)\n",
    });
    // Without the sidecar map the header names the profile.
    writeFileSync(p('bare.bin'), readFileSync(p('lib.bin')));
    expect((await cli('sign', 'bare.bin', '--key', 'b1.key', '--version', '1')).out).toMatch(/profile full, checkpoint event signing/);
  });

  test('verify a signed bundle with the build key: OK, wrong key, tampered, malformed', async () => {
    (await cli('sign', 'lib.bin', '--key', 'b1.key', '--version', '4', '-o', 'lib.signed'));
    const signed = readFileSync(p('lib.signed'));
    const what = `lib.signed: version 4, profile full, checkpoint event signing, catalogue 0x${CATALOGUE_HASH.toString(16).padStart(8, '0')}, ${statSync(p('lib.bin')).size}-byte bundle`;
    const id1 = Buffer.from(readKeyFile(p('b1.key')).publicKey.subarray(0, 8)).toString('hex');
    const id2 = Buffer.from(readKeyFile(p('b2.key')).publicKey.subarray(0, 8)).toString('hex');
    expect((await cli('verify', 'lib.signed', '--key', 'b1.key.pub'))).toEqual({ code: 0, out: `${what}\nOK: signature verifies with key id ${id1}; the bytecode verifies\n`, err: '' });
    expect((await cli('verify', 'lib.signed', '--key', 'b2.key.pub'))).toEqual({ code: EXIT.CHECK_FAILED, out: `${what}\nFAIL: signed with key id ${id1}, not ${id2}\n`, err: '' });
    const t = Buffer.from(signed);
    t[200] ^= 4;
    writeFileSync(p('t.signed'), t);
    expect((await cli('verify', 't.signed', '--key', 'b1.key.pub'))).toEqual({ code: EXIT.CHECK_FAILED, out: `${what.replace('lib.signed', 't.signed')}\nFAIL: the signature does not verify with key id ${id1}\n`, err: '' });
    writeFileSync(p('cut.signed'), signed.subarray(0, 60));
    expect((await cli('verify', 'cut.signed', '--key', 'b1.key.pub'))).toEqual({ code: EXIT.CHECK_FAILED, out: "cut.signed: byte 2: field 'protected': fault 40 TRUNCATED: the input ends inside this item\n", err: '' });
  });

  test('verify given the wrong kind of key or file says what it got and what it needs (exit 3)', async () => {
    (await cli('sign', 'lib.bin', '--key', 'b1.key', '--version', '4', '-o', 'lib.signed'));
    const ev = eventsFile();
    writeFileSync(p('kinds.cbor'), ev);
    expect((await cli('verify', 'kinds.cbor', '--key', 'b1.key.pub'))).toEqual({ code: EXIT.CANNOT_CHECK, out: '', err: 'edgerule verify: kinds.cbor is an events file, which is checked with the key of the device that wrote it; b1.key.pub is a build key\n' });
    expect((await cli('verify', 'lib.signed', '--key', 'd7.key.pub'))).toEqual({ code: EXIT.CANNOT_CHECK, out: '', err: 'edgerule verify: lib.signed is a signed bundle, which is checked with the build key; d7.key.pub is a device key (device 7)\n' });
    expect((await cli('verify', 'lib.bin', '--key', 'b1.key.pub'))).toEqual({ code: EXIT.CANNOT_CHECK, out: '', err: 'edgerule verify: lib.bin is an unsigned bundle: it carries no signature to verify (sign it with edgerule sign; edgerule inspect shows its bytecode)\n' });
    expect((await cli('verify', 'kinds.cbor', '--key', 'd7.key.pub', '--bundle', 'kinds.cbor'))).toMatchObject({ code: EXIT.CANNOT_CHECK, err: 'edgerule verify: --bundle kinds.cbor is an events file, not the bundle the device runs\n' });
    writeFileSync(p('notes.txt'), 'hello\n');
    expect((await cli('verify', 'notes.txt', '--key', 'd7.key.pub'))).toMatchObject({ code: EXIT.CANNOT_CHECK, err: expect.stringMatching(/^edgerule verify: notes\.txt is not an events file: byte 0: malformed record, reading stopped/) });
    expect((await cli('verify', 'notes.txt', '--key', 'b1.key.pub'))).toMatchObject({ code: EXIT.CANNOT_CHECK, err: 'edgerule verify: notes.txt is neither a bundle nor an events file, not a signed bundle, which is what a build key checks; b1.key.pub is a build key\n' });
    expect((await cli('verify', 'missing.cbor', '--key', 'd7.key.pub'))).toMatchObject({ code: EXIT.CANNOT_CHECK, err: 'edgerule verify: cannot read file missing.cbor: ENOENT\n' });
    expect((await cli('verify', 'kinds.cbor'))).toMatchObject({ code: EXIT.USAGE, err: expect.stringMatching(/^edgerule verify: --key missing\n/) });
  });

  /** Four per-event records of device 7, each handed-over record on its own. */
  function eventRecords(): Buffer[] {
    const store = new Map<string, Uint8Array>();
    const out: Buffer[] = [];
    const w = eventWriter({ device: 7, seed: readKeyFile(p('d7.key')).seed!, signing: SIGNING_PER_EVENT }, {
      read: (k) => store.get(k) ?? null, write: (k, b) => { if (b.length) store.set(k, new Uint8Array(b)); else store.delete(k); }, record: (b) => out.push(Buffer.from(b)),
    });
    for (let i = 0; i < 4; i++) { w.emit(0, 2, i * 1000, new Float64Array(8), 3); while (!w.work(50)) { /* sign */ } }
    return out;
  }
  const eventsFile = () => Buffer.concat(eventRecords());

  test('verify an events file with the device key (and the bundle): exit 0 when clean, 1 with the exact report', async () => {
    const out = eventRecords();
    writeFileSync(p('ev.cbor'), Buffer.concat(out));
    writeFileSync(p('ev-gap.cbor'), Buffer.concat([out[0], out[2], out[3]]));
    (await cli('sign', 'lib.bin', '--key', 'b1.key', '--version', '5', '--signing', 'per-event', '-o', 'lib5.signed'));
    const ok = (await cli('verify', 'ev.cbor', '--key', 'd7.key.pub', '--bundle', 'lib5.signed'));
    expect(ok).toEqual({ code: 0, out: 'ev.cbor: 4 records (4 events, 0 checkpoints), seq 1–4, device 7, per-event signing\nOK: every record authentic, chained and in sequence\n', err: '' });
    const ckp = (await cli('sign', 'lib.bin', '--key', 'b1.key', '--version', '6', '-o', 'lib6.signed'));
    expect(ckp.code).toBe(0);
    expect((await cli('verify', 'ev.cbor', '--key', 'd7.key.pub', '--bundle', 'lib.bin')).code).toBe(0);
    expect((await cli('verify', 'ev-gap.cbor', '--key', 'd7.key.pub'))).toEqual({ code: EXIT.CHECK_FAILED, out: 'ev-gap.cbor: 3 records (3 events, 0 checkpoints), seq 1–4, device 7, per-event signing\nseq 2: missing\nFAIL: 1 missing\n', err: '' });
    expect((await cli('verify', 'ev.cbor', '--key', 'd7.key.pub', '--from', '0'))).toMatchObject({ code: EXIT.USAGE, err: "edgerule verify: --from must be a positive integer, got '0'\n" });
  });
});
