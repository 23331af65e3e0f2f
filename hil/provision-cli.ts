/** `edgerule provision` and `edgerule devices`: keys onto devices over the link, and the registry of them (docs/PROVISIONING.md). */
import { parseArgs } from 'node:util';
import type { Command } from '../cli/command.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { CliError, UsageError } from '../cli/errors.ts';
import { readKeyFile, parseDeviceId, keyId, KeyFileError, type KeyFile } from '../signing/keys.ts';
import { readRegistry, registryPath, currentKey, RegistryError, DEFAULT_REGISTRY_FILE, type RegistryDevice } from '../signing/registry.ts';
import { provision, rotateEventKey, rotateTrust, ProvisionRefused } from './link/provision.ts';
import { factoryReset } from './link/factory-reset.ts';

function buildKey(path: string, option: string, secret: boolean): KeyFile {
  let k: KeyFile;
  try {
    k = readKeyFile(path);
  } catch (e) {
    throw new CliError(`${option}: ${(e as Error).message}`);
  }
  if (k.role !== 'build') throw new CliError(`${option} ${path} is a ${k.role} key; it needs the build key`);
  if (secret && !k.seed) throw new CliError(`${option} ${path} is a public key file; signing a command needs the build key's secret key file`);
  return k;
}

function deviceArg(v: string | undefined, what: string): number {
  if (v === undefined) throw new UsageError(`missing --device <id>: ${what}`);
  try {
    return parseDeviceId(v, '--device');
  } catch (e) {
    throw new UsageError((e as KeyFileError).message);
  }
}

export const provisionCommand: Command = {
  summary: 'install a trust anchor on a device over the link (the device makes its own event key); rotate keys; factory reset',
  usage: `usage: edgerule provision --port <port> --trust <build public key> --device <id> [--registry <file>] [--json]
       edgerule provision --port <port> --rotate-trust <new build public key> --anchor-version <n> --signed-by <current build key> [--registry <file>] [--json]
       edgerule provision --port <port> --rotate-event-key --signed-by <build key> [--registry <file>] [--json]
       edgerule provision --port <port> --factory-reset --device <id> --signed-by <build key> [--discard-events] [--registry <file>] [--json]

The first form provisions a device that has no trust anchor: it installs the build public key, gives the device its
id, and the device makes its own event key from its random source and answers its public key with a proof of
possession; the device id and public key go into the registry, which verify, monitor and hil read. Running it
again on the same device with the same key and id is a no-op that says so. The second form replaces the anchor by
a new build key, signed by the current one, with a higher anchor version. The third has the device make a new
event key; the last record under the old key announces it, and the registry learns from which seq it signs.
The fourth erases the device's identity, keys and event queue (bundle slots are kept) so the first form works on
it again; it is refused while event records no host has acknowledged remain, unless --discard-events; the
registry moves the device to "retired" (its keys stay on file for the records it signed before).
The device's secret key never crosses the link. Exit codes: 0 done (or already so); 1 refused by the device or
the registry (already provisioned, wrong anchor, small-order key, registry conflict, bad signature, stale
version); 2 usage; 3 could not check (unreadable key, no answer from the device).
  --port <path>           serial port (a virtual device's <folder>/tty)
  --trust <file>          build public key to install as the trust anchor
  --device <id>           the device id, 0…4294967295
  --registry <file>       device registry (default $EDGERULE_REGISTRY, else ./${DEFAULT_REGISTRY_FILE})
  --signed-by <file>      the current build key's secret key file, for the rotations and the factory reset
  --factory-reset         erase device --device's identity (it must be the device on --port)
  --discard-events        with --factory-reset: erase event records no host has acknowledged too
  --json                  print the result as JSON`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' }, baud: { type: 'string' }, trust: { type: 'string' }, device: { type: 'string' }, registry: { type: 'string' },
        'rotate-trust': { type: 'string' }, 'anchor-version': { type: 'string' }, 'rotate-event-key': { type: 'boolean' }, 'signed-by': { type: 'string' },
        'factory-reset': { type: 'boolean' }, 'discard-events': { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    if (!values.port) throw new UsageError(`missing --port <port>: the device's serial port\n\n${this.usage}`);
    const forms = [values.trust !== undefined, values['rotate-trust'] !== undefined, !!values['rotate-event-key'], !!values['factory-reset']].filter(Boolean).length;
    if (forms !== 1) throw new UsageError(`give exactly one of --trust (provision), --rotate-trust, --rotate-event-key or --factory-reset\n\n${this.usage}`);
    if (values['discard-events'] && !values['factory-reset']) throw new UsageError('--discard-events goes with --factory-reset');
    const common = { port: values.port, baud: values.baud ? Number(values.baud) : undefined, registry: registryPath(values.registry), log: values.json ? undefined : (l: string) => io.error(l) };
    let r: { verdict: string };
    try {
      if (values.trust !== undefined) {
        r = await provision({ ...common, trust: buildKey(values.trust, '--trust', false), device: deviceArg(values.device, 'the id the device takes') });
      } else {
        if (!values['signed-by']) throw new UsageError('missing --signed-by <build key>: a rotation or a reset is signed by the current trust anchor');
        const anchorKey = buildKey(values['signed-by'], '--signed-by', true);
        if (values['factory-reset']) r = await factoryReset({ ...common, anchorKey, device: deviceArg(values.device, 'the device to erase'), discardEvents: !!values['discard-events'] });
        else if (values['rotate-event-key']) r = await rotateEventKey({ ...common, anchorKey });
        else {
          const v = values['anchor-version'];
          if (v === undefined || !/^[0-9]+$/.test(v) || Number(v) > 0xffffffff) throw new UsageError(`--anchor-version must be an integer 1…4294967295 above the device's current one, got '${v ?? ''}'`);
          r = await rotateTrust({ ...common, anchorKey, trust: buildKey(values['rotate-trust']!, '--rotate-trust', false), version: Number(v) });
        }
      }
    } catch (e) {
      if (!(e instanceof ProvisionRefused || e instanceof RegistryError)) throw e;
      if (values.json) io.log(JSON.stringify({ ok: false, exitCode: EXIT.CHECK_FAILED, error: e.message }, null, 2));
      else io.log(`FAILED: ${e.message}`);
      return EXIT.CHECK_FAILED;
    }
    io.log(values.json ? JSON.stringify(r, null, 2) : r.verdict);
    return EXIT.OK;
  },
};

const keyList = (d: RegistryDevice) => d.keys.map((x) => `${x.public.slice(0, 16)} (epoch ${x.epoch}, from seq ${x.from})`).join(', ');

export const devicesCommand: Command = {
  summary: 'list the devices in the registry: keys, last bundle seen, last event seq verified',
  usage: `usage: edgerule devices [--registry <file>] [--json]

Lists the devices edgerule provision recorded: device id, trust anchor (key id and version), event keys (key id,
epoch, first seq each signs), the last bundle seen on the device (flash) and the last event seq verify accepted.
  --registry <file>       device registry (default $EDGERULE_REGISTRY, else ./${DEFAULT_REGISTRY_FILE})
  --json                  print the registry's devices as JSON`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { registry: { type: 'string' }, json: { type: 'boolean' } } });
    const path = registryPath(values.registry);
    const r = readRegistry(path);
    if (values.json) {
      io.log(JSON.stringify({ registry: path, devices: r.devices, retired: r.retired ?? [] }, null, 2));
      return EXIT.OK;
    }
    if (!r.devices.length && !r.retired?.length) {
      io.log(`${path}: no devices (edgerule provision adds them)`);
      return EXIT.OK;
    }
    io.log(`${path}: ${r.devices.length} device${r.devices.length === 1 ? '' : 's'}`);
    for (const d of r.devices) {
      const k = currentKey(d);
      const keys = keyList(d);
      io.log(`device ${d.device}  profile ${d.profile ?? '?'}  anchor ${d.anchor.key.slice(0, 16)} v${d.anchor.version}  event key ${keyId(new Uint8Array(Buffer.from(k.public, 'hex')))} (epoch ${k.epoch})` +
        `  bundle ${d.bundle ? `${d.bundle.id} v${d.bundle.version}` : 'none seen'}  verified up to ${d.verified !== undefined ? `seq ${d.verified}` : 'nothing yet'}`);
      if (d.keys.length > 1) io.log(`  keys: ${keys}`);
    }
    for (const d of r.retired ?? []) {
      io.log(`retired: device ${d.device} reset ${d.reset ?? '?'}  event keys ${keyList(d)}`);
    }
    return EXIT.OK;
  },
};
