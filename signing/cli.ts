/** `edgerule keygen`, `pubkey`, `sign` and `verify`. */
import { parseArgs } from 'node:util';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from '../cli/command.ts';
import type { SigningMode } from '../compiler/dsl/rule.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { verify } from '../runtime/engine/verify.ts';
import { units } from '../compiler/bundle-reader.ts';
import { describeFault } from '../compiler/faults.ts';
import { generateKey, formatKey, keyId, parseDeviceId, readKeyFile, writePublicKey, writeSecretKey, type KeyRole } from './keys.ts';
import { openBundle, signBundle, signingName, BundleError } from './bundle.ts';
import { verifyEvents } from './verify-events.ts';
import { COSE_SIGN1_HEAD } from '../runtime/signing/cose.ts';

function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new Error(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export const keygenCommand: Command = {
  summary: 'make an ed25519 key pair: a build key (signs bundles) or a device event key',
  usage: `usage: edgerule keygen --role build|device [--device <id>] [-o <file>] [--force]

Writes the secret key file (mode 0600) and <file>.pub (the public key); refuses to overwrite either without --force.
  --role <role>      build: signs bundles; device: one device's event key (needs --device)
  --device <id>      device id, 0…4294967295 (it travels in every event record)
  -o, --out <file>   secret key file (default: build.key, or device-<id>.key)
  --force            overwrite existing files`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { role: { type: 'string' }, device: { type: 'string' }, out: { type: 'string', short: 'o' }, force: { type: 'boolean' } } });
    if (values.role !== 'build' && values.role !== 'device') {
      io.error(`edgerule keygen: --role must be 'build' or 'device'\n\n${this.usage}`);
      return 2;
    }
    const role = values.role as KeyRole;
    const device = values.device !== undefined ? parseDeviceId(values.device, '--device') : undefined;
    const key = generateKey(role, device);
    const out = values.out ?? (role === 'build' ? 'build.key' : `device-${device}.key`);
    const pub = out + '.pub';
    if (!values.force) {
      for (const p of [out, pub]) if (existsSync(p)) throw new Error(`${p} exists; not overwriting it without --force`);
    }
    writeSecretKey(out, key, !!values.force);
    writePublicKey(pub, key, !!values.force);
    io.log(`wrote ${role} key ${out} (secret, mode 0600) and ${pub}; key id ${keyId(key.publicKey)}${device !== undefined ? `, device ${device}` : ''}`);
    return 0;
  },
};

export const pubkeyCommand: Command = {
  summary: 'print the public key of a key file',
  usage: `usage: edgerule pubkey <key file> [--hex]

Prints the public key file (role, device id, public key); --hex prints only the 32-byte key as hex.`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { hex: { type: 'boolean' } } });
    if (positionals.length !== 1) {
      io.error(this.usage);
      return 2;
    }
    const key = readKeyFile(positionals[0]);
    io.write(values.hex ? Buffer.from(key.publicKey).toString('hex') + '\n' : formatKey(key, 'public'));
    return 0;
  },
};

async function signingModeFor(profile: string, rules: string[] | undefined): Promise<SigningMode> {
  if (profile === FULL_PROFILE.name) return FULL_PROFILE.signing;
  const paths = rules ?? (existsSync('rules') ? ['rules'] : []);
  if (paths.length) {
    const { loadRules } = await import('../compiler/load.ts');
    const found = (await loadRules(paths)).profiles.find((p) => p.name === profile);
    if (found) return found.signing;
  }
  throw new BundleError(`no profile '${profile}' found${paths.length ? ` in ${paths.join(', ')}` : ''} to take its signing mode from: pass --signing per-event|checkpoint or --rules <files or folders>`);
}

export const signCommand: Command = {
  summary: 'sign a bundle with the build key (COSE_Sign1: version, profile, catalogue hash, event signing mode)',
  usage: `usage: edgerule sign <bundle> --key <build key> --version <n> [-o <signed>] [--profile <name>] [--signing <mode>] [--rules <paths>]

  -k, --key <file>     the build key's secret key file (--sign-key is the same option)
  --version <n>        the bundle's version, 0…4294967295; devices refuse versions below their active one
  -o, --out <file>     signed bundle to write (default: <bundle>.signed)
  --profile <name>     device profile the bundle targets (default: from <bundle>.map.json, else full)
  --signing <mode>     per-event or checkpoint (default: the profile's own setting)
  --rules <paths>      rule files/folders to find the profile in (default: ./rules), comma-separated`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        key: { type: 'string', short: 'k' }, 'sign-key': { type: 'string' }, version: { type: 'string' }, out: { type: 'string', short: 'o' },
        profile: { type: 'string' }, signing: { type: 'string' }, rules: { type: 'string' },
      },
    });
    const keyPath = values.key ?? values['sign-key'];
    if (positionals.length !== 1 || !keyPath || values.version === undefined) {
      io.error(this.usage);
      return 2;
    }
    if (!/^(0|[1-9][0-9]*)$/.test(values.version)) throw new BundleError(`--version must be an integer 0…4294967295, got '${values.version}'`);
    if (values.signing !== undefined && values.signing !== 'per-event' && values.signing !== 'checkpoint') throw new BundleError(`--signing must be per-event or checkpoint, got '${values.signing}'`);
    const bundlePath = positionals[0];
    const bundle = readInput(bundlePath, 'bundle');
    const mapPath = bundlePath + '.map.json';
    const mapProfile = existsSync(mapPath) ? (JSON.parse(readFileSync(mapPath, 'utf8')) as { profile?: string }).profile : undefined;
    if (values.profile && mapProfile && values.profile !== mapProfile) throw new BundleError(`--profile ${values.profile} disagrees with ${mapPath}, which says the bundle was compiled for ${mapProfile}`);
    const profile = values.profile ?? mapProfile ?? FULL_PROFILE.name;
    const signing = (values.signing as SigningMode | undefined) ?? (await signingModeFor(profile, values.rules?.split(',')));
    const key = readKeyFile(keyPath);
    const signed = signBundle(bundle, key, { version: Number(values.version), profile, signing });
    const out = values.out ?? bundlePath + '.signed';
    writeFileSync(out, signed);
    io.log(`wrote ${out} (${signed.length} bytes): bundle ${bundlePath} (${bundle.length} bytes), version ${values.version}, profile ${profile}, ${signing} event signing, key id ${keyId(key.publicKey)}`);
    return 0;
  },
};

/** Rule ids of a bytecode bundle. */
function ruleIds(bundle: Uint8Array): Set<number> {
  const p = verify(bundle);
  if (p.fault) throw new BundleError(`--bundle: ${describeFault(p.fault, p.faultAt)}`);
  return new Set(units(p).filter((u) => u.kind === 'rule').map((u) => u.id));
}

export const verifyCommand: Command = {
  summary: 'verify a device events file (signatures, checkpoints, chain, sequence) or a signed bundle',
  usage: `usage: edgerule verify <events file> --key <device public key> [--bundle <signed bundle>] [--from <seq>]
       edgerule verify <signed bundle> --key <build public key>

With a device key: checks every signature and checkpoint, the hash chain and the sequence, and lists by
sequence number the records that are forged, missing, duplicated, reordered or unverified (and those the device
reported dropping from its full queue). Exit code 1 on any problem (device-reported drops are not a problem).
  -k, --key <file>       public (or secret) key file: a device key for events, the build key for a bundle
  --bundle <file>        the signed bundle the device runs: its signing mode and rule ids are checked
                         (an unsigned bundle: rule ids only)
  --from <seq>           first sequence number the file should start at (default 1)`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { key: { type: 'string', short: 'k' }, bundle: { type: 'string' }, from: { type: 'string' } },
    });
    if (positionals.length !== 1 || !values.key) {
      io.error(this.usage);
      return 2;
    }
    const file = positionals[0];
    const key = readKeyFile(values.key);
    const bytes = readInput(file, key.role === 'build' ? 'signed bundle' : 'events file');
    if (key.role === 'build') {
      let opened;
      try {
        opened = openBundle(bytes, key.publicKey, file);
      } catch (e) {
        io.log((e as Error).message);
        return 1;
      }
      const c = opened.check;
      const what = `${file}: version ${c.version}, profile ${c.profile}, ${signingName(c.signing)} event signing, catalogue 0x${c.catalogue.toString(16).padStart(8, '0')}, ${opened.payload.length}-byte bundle`;
      if (!opened.keyMatches) {
        io.log(`${what}\nFAIL: signed with key id ${Buffer.from(bytes.subarray(c.kidAt, c.kidAt + 8)).toString('hex')}, not ${keyId(key.publicKey)}`);
        return 1;
      }
      if (!opened.signatureOk) {
        io.log(`${what}\nFAIL: the signature does not verify with key id ${keyId(key.publicKey)}`);
        return 1;
      }
      const p = verify(opened.payload);
      if (p.fault) {
        io.log(`${what}\nFAIL: signature OK, but ${describeFault(p.fault, p.faultAt, 'the bundle')}`);
        return 1;
      }
      io.log(`${what}\nOK: signature verifies with key id ${keyId(key.publicKey)}; the bytecode verifies`);
      return 0;
    }
    let signing: SigningMode | undefined;
    let ids: Set<number> | undefined;
    if (values.bundle) {
      const b = readInput(values.bundle, 'bundle');
      if (b[0] === COSE_SIGN1_HEAD) {
        const opened = openBundle(b, undefined, values.bundle);
        signing = signingName(opened.check.signing);
        ids = ruleIds(opened.payload);
      } else {
        ids = ruleIds(b); // an unsigned bundle: rule ids only, the signing mode is inferred from the file
      }
    }
    if (values.from !== undefined && !/^[1-9][0-9]*$/.test(values.from)) throw new Error(`--from must be a positive integer, got '${values.from}'`);
    const report = verifyEvents(bytes, { publicKey: key.publicKey, device: key.device, signing, ruleIds: ids, from: values.from ? Number(values.from) : 1, file });
    io.write(report.text);
    return report.ok ? 0 : 1;
  },
};
