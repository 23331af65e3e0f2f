/**
 * `edgerule keygen`, `pubkey`, `sign` and `verify`. Each says what went wrong and exits with the code of its kind
 * (cli/exit-codes.ts): USAGE for a wrong command line, CANNOT_CHECK for an input that is unreadable, malformed or
 * of the wrong kind (a build key for events, a device key for a bundle, an unsigned bundle), CHECK_FAILED when a
 * check ran and found a problem (tampering, a bundle the signer refuses).
 */
import { parseArgs } from 'node:util';
import { existsSync, openSync, readSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { tint, type Command, type Io } from '../cli/command.ts';
import { EXIT, type ExitCode } from '../cli/exit-codes.ts';
import { terminalLines } from '../cli/safe-text.ts';
import type { Profile, SigningMode } from '../compiler/dsl/rule.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { verify } from '../runtime/engine/verify.ts';
import { HDR_PROFILE, profileHash } from '../runtime/engine/format.ts';
import { units } from '../compiler/bundle-reader.ts';
import { describeFault } from '../compiler/faults.ts';
import { generateKey, formatKey, keyId, parseDeviceId, readKeyFile, writePublicKey, writeSecretKey, KeyFileError, type KeyFile, type KeyRole } from './keys.ts';
import { openBundle, signBundle, signingName, bundleProfileHash, fileKind, BundleError, type FileKind } from './bundle.ts';
import { verifyEventsFile } from './verify-events.ts';
import { registryPath, deviceLives, keySchedule, updateRegistry, findDevice, RegistryError } from './registry.ts';
import { eventItems, memorySource } from './event-record.ts';

/** A failure with the exit code of its kind. */
class CommandError extends Error {
  constructor(message: string, readonly exit: ExitCode) {
    super(message);
  }
}

/** Runs a command body; a failure of a known kind is printed as `edgerule <name>: <message>` with its exit code. */
async function guarded(name: string, io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const exit = e instanceof CommandError || e instanceof BundleError ? e.exit
      : e instanceof KeyFileError ? EXIT.CANNOT_CHECK
      : typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') ? EXIT.USAGE : undefined;
    if (exit === undefined) throw e; // a bug: cli/main.ts reports it
    io.error(tint(io, 'stderr', 'red', `edgerule ${name}: ${terminalLines((e as Error).message)}`));
    return exit;
  }
}

function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CommandError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.CANNOT_CHECK);
  }
}

/** The first bytes of a file (enough for fileKind), without reading a large events file whole. */
function firstBytes(path: string, what: string, n = 64): Uint8Array {
  try {
    const fd = openSync(path, 'r');
    try {
      const b = new Uint8Array(n);
      return b.subarray(0, readSync(fd, b, 0, n, 0));
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new CommandError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.CANNOT_CHECK);
  }
}

/** "a build key", "a device key (device 7)", "a public build key file" … for messages. */
function keyKind(k: KeyFile): string {
  return `a ${k.role} key${k.device !== undefined ? ` (device ${k.device})` : ''}`;
}

const KIND_HINT: Record<FileKind, string> = {
  'bundle': 'an unsigned bundle',
  'signed bundle': 'a signed bundle',
  'events file': 'an events file',
  'key file': 'a key file',
  'empty file': 'an empty file',
  'unknown': 'neither a bundle nor an events file',
};

export const keygenCommand: Command = {
  summary: 'make an ed25519 key pair: a build key (signs bundles) or a device event key',
  usage: `usage: edgerule keygen --role build|device [--device <id>] [-o <file>] [--force]

Writes the secret key file (mode 0600) and <file>.pub (the public key); refuses to overwrite either without --force,
and never writes through a symbolic link.
  --role <role>      build: signs bundles; device: one device's event key (needs --device)
  --device <id>      device id, 0…4294967295 (it travels in every event record)
  -o, --out <file>   secret key file (default: build.key, or device-<id>.key)
  --force            overwrite existing files`,
  run(argv, io) {
    return guarded('keygen', io, async () => {
      const { values } = parseArgs({ args: argv, options: { role: { type: 'string' }, device: { type: 'string' }, out: { type: 'string', short: 'o' }, force: { type: 'boolean' } } });
      if (values.role !== 'build' && values.role !== 'device') throw new CommandError(`--role must be 'build' or 'device'\n\n${this.usage}`, EXIT.USAGE);
      const role = values.role as KeyRole;
      let device: number | undefined;
      try {
        device = values.device !== undefined ? parseDeviceId(values.device, '--device') : undefined;
        if (role === 'device' && device === undefined) throw new KeyFileError('a device key needs its device id (--device <id>)');
        if (role === 'build' && device !== undefined) throw new KeyFileError('a build key has no device id');
      } catch (e) {
        throw new CommandError((e as Error).message, EXIT.USAGE);
      }
      const key = generateKey(role, device);
      const out = values.out ?? (role === 'build' ? 'build.key' : `device-${device}.key`);
      const pub = out + '.pub';
      if (!values.force) {
        for (const p of [out, pub]) if (existsSync(p)) throw new CommandError(`${p} exists; not overwriting it without --force`, EXIT.USAGE);
      }
      writeSecretKey(out, key, !!values.force);
      writePublicKey(pub, key, !!values.force);
      // Read both back as every command will: role, device id, check line and key strength.
      const back = [readKeyFile(out), readKeyFile(pub)];
      if (!back.every((k) => k.role === role && k.device === device && Buffer.compare(k.publicKey, key.publicKey) === 0)) {
        throw new CommandError(`internal: ${out} does not read back as written`, EXIT.INTERNAL);
      }
      io.log(`wrote ${role} key ${out} (secret, mode 0600) and ${pub}; key id ${keyId(key.publicKey)}${device !== undefined ? `, device ${device}` : ''}`);
      return EXIT.OK;
    });
  },
};

export const pubkeyCommand: Command = {
  summary: 'print the public key of a key file',
  usage: `usage: edgerule pubkey <key file> [--hex]

Prints the public key file (role, device id, public key, check); --hex prints only the 32-byte key as hex.`,
  run(argv, io) {
    return guarded('pubkey', io, async () => {
      const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { hex: { type: 'boolean' } } });
      if (positionals.length !== 1) throw new CommandError(positionals.length ? `one key file, not ${positionals.length}\n\n${this.usage}` : `the key file is missing\n\n${this.usage}`, EXIT.USAGE);
      const key = readKeyFile(positionals[0]);
      io.write(values.hex ? Buffer.from(key.publicKey).toString('hex') + '\n' : formatKey(key, 'public'));
      return EXIT.OK;
    });
  },
};

/** The profiles a bundle may be signed for: `full`, and those of the rule files given (or ./rules). */
async function knownProfiles(rules: string[] | undefined): Promise<Profile[]> {
  const paths = rules ?? (existsSync('rules') ? ['rules'] : []);
  if (!paths.length) return [FULL_PROFILE];
  const { loadRules } = await import('../compiler/load.ts');
  return [FULL_PROFILE, ...(await loadRules(paths)).profiles];
}

/**
 * The profile to sign for: --profile, else the sidecar map's, else the known profile the bundle's header names.
 * Unknown names are usage errors; a profile the bundle was not compiled for is refused (the header decides).
 */
async function profileFor(bundle: Uint8Array, bundlePath: string, asked: string | undefined, rules: string[] | undefined): Promise<Profile> {
  const mapPath = bundlePath + '.map.json';
  const fromMap = !asked && existsSync(mapPath) ? (JSON.parse(readFileSync(mapPath, 'utf8')) as { profile?: string }).profile : undefined;
  const header = bundleProfileHash(bundle);
  const wanted = asked ?? fromMap;
  const profiles = wanted === FULL_PROFILE.name || (!wanted && header === profileHash(FULL_PROFILE.name)) ? [FULL_PROFILE] : await knownProfiles(rules);
  const compiledFor = profiles.find((p) => profileHash(p.name) === header);
  if (!wanted) {
    if (!compiledFor) throw new CommandError(`${bundlePath} was compiled for a profile not among ${profiles.map((p) => p.name).join(', ')}: pass --rules <the rule files that define it>`, EXIT.CANNOT_CHECK);
    return compiledFor;
  }
  const found = profiles.find((p) => p.name === wanted);
  if (!found) throw new CommandError(`unknown profile '${wanted}'${asked ? '' : ` (from ${mapPath})`}; known: ${profiles.map((p) => p.name).join(', ')} (--rules <paths> says where to find others)`, EXIT.USAGE);
  if (profileHash(found.name) !== header) {
    throw new BundleError(`refusing to sign ${bundlePath} for profile '${found.name}': it was compiled for ${compiledFor ? `profile '${compiledFor.name}'` : 'another profile'} (its header says so), and a device of another profile reads its signal and output ids with other meanings`);
  }
  return found;
}

export const signCommand: Command = {
  summary: 'sign a bundle with the build key (COSE_Sign1: version, profile, catalogue hash, event signing mode)',
  usage: `usage: edgerule sign <bundle> --key <build key> --version <n> [-o <signed>] [--profile <name>] [--signing <mode>] [--rules <paths>]

  -k, --key <file>     the build key's secret key file (--sign-key is the same option)
  --version <n>        the bundle's version, 0…4294967295; devices refuse versions below their active one
  -o, --out <file>     signed bundle to write (default: <bundle>.signed)
  --profile <name>     device profile to sign for; it must be the one the bundle was compiled for (its header
                       carries it). Default: from <bundle>.map.json, else the known profile the header names
  --signing <mode>     per-event or checkpoint (default: the profile's own setting)
  --rules <paths>      rule files/folders to find profiles other than full in (default: ./rules), comma-separated`,
  run(argv, io) {
    return guarded('sign', io, async () => {
      const { values, positionals } = parseArgs({
        args: argv, allowPositionals: true,
        options: {
          key: { type: 'string', short: 'k' }, 'sign-key': { type: 'string' }, version: { type: 'string' }, out: { type: 'string', short: 'o' },
          profile: { type: 'string' }, signing: { type: 'string' }, rules: { type: 'string' },
        },
      });
      const keyPath = values.key ?? values['sign-key'];
      const missing = [positionals.length !== 1 && 'the bundle', !keyPath && '--key', values.version === undefined && '--version'].filter(Boolean);
      if (missing.length) throw new CommandError(`${missing.join(', ')} missing\n\n${this.usage}`, EXIT.USAGE);
      if (!/^(0|[1-9][0-9]*)$/.test(values.version!)) throw new CommandError(`--version must be an integer 0…4294967295, got '${values.version}'`, EXIT.USAGE);
      if (values.signing !== undefined && values.signing !== 'per-event' && values.signing !== 'checkpoint') throw new CommandError(`--signing must be per-event or checkpoint, got '${values.signing}'`, EXIT.USAGE);
      const bundlePath = positionals[0];
      const bundle = readInput(bundlePath, 'bundle');
      const kind = fileKind(bundle);
      if (kind !== 'bundle') {
        throw new CommandError(`${bundlePath} is ${KIND_HINT[kind]}; sign needs the bundle edgerule compile wrote${kind === 'signed bundle' ? ' (this one is signed already)' : ''}`, EXIT.CANNOT_CHECK);
      }
      const key = readKeyFile(keyPath!);
      if (key.role !== 'build') throw new CommandError(`bundles are signed with the build key; ${keyPath} is ${keyKind(key)}`, EXIT.CANNOT_CHECK);
      if (!key.seed) throw new CommandError(`signing needs the build key's secret key file; ${keyPath} is its public key file`, EXIT.CANNOT_CHECK);
      const profile = await profileFor(bundle, bundlePath, values.profile, values.rules?.split(','));
      const signing = (values.signing as SigningMode | undefined) ?? profile.signing;
      const signed = signBundle(bundle, key, { version: Number(values.version), profile: profile.name, signing });
      const out = values.out ?? bundlePath + '.signed';
      writeFileSync(out, signed);
      io.log(`wrote ${out} (${signed.length} bytes): bundle ${bundlePath} (${bundle.length} bytes), version ${values.version}, profile ${profile.name}, ${signing} event signing, key id ${keyId(key.publicKey)}`);
      return EXIT.OK;
    });
  },
};

/** Rule ids and signing mode of the bundle a device runs (--bundle: signed, or unsigned for rule ids only). */
function bundleFacts(path: string): { ids: Set<number>; signing?: SigningMode } {
  const b = readInput(path, 'bundle');
  const kind = fileKind(b);
  let payload = b;
  let signing: SigningMode | undefined;
  if (kind === 'signed bundle') {
    const opened = openBundle(b, undefined, path);
    signing = signingName(opened.check.signing);
    payload = opened.payload;
  } else if (kind !== 'bundle') {
    throw new CommandError(`--bundle ${path} is ${KIND_HINT[kind]}, not the bundle the device runs`, EXIT.CANNOT_CHECK);
  }
  const p = verify(payload);
  if (p.fault) throw new CommandError(`--bundle: ${describeFault(p.fault, p.faultAt, path)}`, EXIT.CANNOT_CHECK);
  return { ids: new Set(units(p).filter((u) => u.kind === 'rule').map((u) => u.id)), signing };
}

/** The device id of the first readable record of an events file (reads only its first items). */
function firstDevice(file: string): number | undefined {
  const head = firstBytes(file, 'events file', 65536);
  const items = eventItems(memorySource(head));
  for (let next = items.next(); !next.done; next = items.next()) if (next.value.record) return next.value.record.device;
  return undefined;
}

/** `verify <events file>` without --key: the device's key schedule from the registry; a good result is noted there. */
function verifyWithRegistry(file: string, registry: string, values: { bundle?: string; from?: string }, io: Io): number {
  const kind = fileKind(firstBytes(file, 'file'));
  if (kind !== 'events file') throw new CommandError(`${file} is ${KIND_HINT[kind]}; without --key, verify checks an events file with the keys the device registry holds (a signed bundle needs --key <build public key>)`, EXIT.CANNOT_CHECK);
  if (values.from !== undefined && !/^[1-9][0-9]*$/.test(values.from)) throw new CommandError(`--from must be a positive integer, got '${values.from}'`, EXIT.USAGE);
  const device = firstDevice(file);
  if (device === undefined) throw new CommandError(`${file}: no readable record names a device to look up in the registry`, EXIT.CANNOT_CHECK);
  let lives;
  try {
    lives = deviceLives(registry, device);
  } catch (e) {
    throw new CommandError(`${(e as RegistryError).message}; or pass --key <device public key>`, EXIT.CANNOT_CHECK);
  }
  const facts = values.bundle ? bundleFacts(values.bundle) : undefined;
  const check = (keys: ReturnType<typeof keySchedule>) => verifyEventsFile(file, { publicKey: keys[0].publicKey, keys, device, signing: facts?.signing, ruleIds: facts?.ids, from: values.from ? Number(values.from) : 1, file });
  // the device as provisioned now, else a life a factory reset ended (a file it signed before the reset)
  let entry = lives[0];
  let report = check(keySchedule(entry));
  for (const d of lives.slice(1)) {
    if (report.ok || report.unreadable) break;
    const r = check(keySchedule(d));
    if (r.ok) [entry, report] = [d, r];
  }
  if (report.unreadable) throw new CommandError(`${file} is not an events file: ${report.findings[0]?.text ?? 'nothing in it reads as a record'}`, EXIT.CANNOT_CHECK);
  io.write(`keys of device ${device} from the registry ${registry}${entry.reset ? ` (retired by the factory reset of ${entry.reset})` : ''}\n${report.text}`);
  if (report.ok && !entry.reset && Number.isFinite(report.lastSeq)) {
    updateRegistry(registry, (r) => {
      const d = findDevice(r, device);
      if (d && !(d.verified! >= report.lastSeq)) d.verified = report.lastSeq;
    });
  }
  return report.ok ? EXIT.OK : EXIT.CHECK_FAILED;
}

/** `verify <signed bundle> --key <build key>`: as a device checks it, and the bytecode. */
function verifySignedBundle(file: string, key: KeyFile, io: Io): number {
  const bytes = readInput(file, 'signed bundle');
  let opened;
  try {
    opened = openBundle(bytes, key.publicKey, file);
  } catch (e) {
    io.log((e as Error).message);
    return EXIT.CHECK_FAILED;
  }
  const c = opened.check;
  const what = `${file}: version ${c.version}, profile ${c.profile}, ${signingName(c.signing)} event signing, catalogue 0x${c.catalogue.toString(16).padStart(8, '0')}, ${opened.payload.length}-byte bundle`;
  const fail = (why: string) => {
    io.log(`${what}\nFAIL: ${why}`);
    return EXIT.CHECK_FAILED;
  };
  if (!opened.keyMatches) return fail(`signed with key id ${Buffer.from(bytes.subarray(c.kidAt, c.kidAt + 8)).toString('hex')}, not ${keyId(key.publicKey)}`);
  if (!opened.signatureOk) return fail(`the signature does not verify with key id ${keyId(key.publicKey)}`);
  const p = verify(opened.payload);
  if (p.fault) return fail(`signature OK, but ${describeFault(p.fault, p.faultAt, 'the bundle')}`);
  if (bundleProfileHash(opened.payload) !== profileHash(c.profile)) return fail(`signature OK, but the bundle's header (byte ${HDR_PROFILE}) says it was compiled for another profile than '${c.profile}'`);
  io.log(`${what}\nOK: signature verifies with key id ${keyId(key.publicKey)}; the bytecode verifies`);
  return EXIT.OK;
}

export const verifyCommand: Command = {
  summary: 'verify a device events file (signatures, checkpoints, chain, sequence) or a signed bundle',
  usage: `usage: edgerule verify <events file> [--key <device public key> | --registry <file>] [--bundle <signed bundle>] [--from <seq>]
       edgerule verify <signed bundle> --key <build public key>

With a device key: checks every signature and checkpoint, the hash chain and the sequence, and lists by
sequence number the records that are forged, missing, duplicated, reordered or unverified (and those the device
reported dropping). Any size of file is read in chunks, in bounded memory.
Exit codes: 0 every check passed; 1 a problem found (device-reported drops are not one); 2 usage; 3 could not
check (unreadable or malformed key or input, or the wrong kind: a build key for events, a device key for a
bundle, an unsigned bundle).
  -k, --key <file>       public (or secret) key file: a device key for events, the build key for a bundle
  --registry <file>      events without --key: the device's keys from the registry edgerule provision wrote
                         (default $EDGERULE_REGISTRY, else ./edgerule-devices.json), found by the device id
                         in the records (or those of a life of it a factory reset retired, when they verify
                         the file); a good result is noted there as the last seq verified
  --bundle <file>        the signed bundle the device runs: its signing mode and rule ids are checked
                         (an unsigned bundle: rule ids only)
  --from <seq>           first sequence number the file should start at (default 1)`,
  run(argv, io) {
    return guarded('verify', io, async () => {
      const { values, positionals } = parseArgs({
        args: argv, allowPositionals: true,
        options: { key: { type: 'string', short: 'k' }, bundle: { type: 'string' }, from: { type: 'string' }, registry: { type: 'string' } },
      });
      if (values.key && values.registry) throw new CommandError(`--key and --registry both name the key: give one\n\n${this.usage}`, EXIT.USAGE);
      // without --key: the registry named, or the default one when it exists (else --key is what is missing)
      if (!values.key && positionals.length === 1 && (values.registry || existsSync(registryPath()))) return verifyWithRegistry(positionals[0], registryPath(values.registry), values, io);
      const missing = [positionals.length !== 1 && 'the file to verify', !values.key && '--key'].filter(Boolean);
      if (missing.length) throw new CommandError(`${missing.join(', ')} missing\n\n${this.usage}`, EXIT.USAGE);
      if (values.from !== undefined && !/^[1-9][0-9]*$/.test(values.from)) throw new CommandError(`--from must be a positive integer, got '${values.from}'`, EXIT.USAGE);
      const file = positionals[0];
      const key = readKeyFile(values.key!);
      const kind = fileKind(firstBytes(file, 'file'));
      const wrong = (needs: string) => new CommandError(`${file} is ${KIND_HINT[kind]}, ${needs}; ${values.key} is ${keyKind(key)}`, EXIT.CANNOT_CHECK);
      if (kind === 'bundle') throw new CommandError(`${file} is an unsigned bundle: it carries no signature to verify (sign it with edgerule sign; edgerule inspect shows its bytecode)`, EXIT.CANNOT_CHECK);
      if (kind === 'key file') throw new CommandError(`${file} is a key file; verify checks a signed bundle (with the build key) or an events file (with the device key)`, EXIT.CANNOT_CHECK);
      if (key.role === 'build') {
        if (kind !== 'signed bundle') throw wrong(kind === 'events file' ? 'which is checked with the key of the device that wrote it' : 'not a signed bundle, which is what a build key checks');
        return verifySignedBundle(file, key, io);
      }
      if (kind === 'signed bundle') throw wrong('which is checked with the build key');
      const facts = values.bundle ? bundleFacts(values.bundle) : undefined;
      const report = verifyEventsFile(file, { publicKey: key.publicKey, device: key.device, signing: facts?.signing, ruleIds: facts?.ids, from: values.from ? Number(values.from) : 1, file });
      if (report.unreadable) throw new CommandError(`${file} is not an events file: ${report.findings[0]?.text ?? 'nothing in it reads as a record'}`, EXIT.CANNOT_CHECK);
      io.write(report.text);
      return report.ok ? EXIT.OK : EXIT.CHECK_FAILED;
    });
  },
};
