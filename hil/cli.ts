/** `edgerule flash`, `device`, `relay` and `ports`: the device link's commands (docs/PROTOCOL.md). */
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '../cli/command.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { flash, FLASH_DEFAULTS } from './link/flash.ts';
import { progressPrinter } from './link/progress.ts';
import { readKeyFile } from '../signing/keys.ts';
import { registryPath, updateRegistry, findDevice } from '../signing/registry.ts';
import { readIdentity, writeIdentity, injectBufferOf, type DeviceIdentity } from './virtual/config.ts';
import { VirtualDevice, type DeviceEngine } from './virtual/device.ts';
import { Relay } from './relay/relay.ts';
import { UsageError } from '../cli/errors.ts';

function intOption(v: string | undefined, name: string, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (!/^[0-9]+$/.test(v) || Number(v) < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return Number(v);
}

function rateOption(v: string | undefined, name: string): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new Error(`--${name} must be a probability 0…1 (e.g. 1e-4), got '${v}'`);
  return n;
}

/** Runs until SIGINT/SIGTERM, then stops `what`. */
function untilSignal(stop: () => Promise<void>): Promise<number> {
  return new Promise((res) => {
    const done = () => { void stop().then(() => res(0)); };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export const flashCommand: Command = {
  summary: 'flash a signed bundle into a device\'s inactive slot over a serial port and activate it',
  usage: `usage: edgerule flash --port <port> <signed bundle> [--trial [--no-confirm]] [--baud <n>] [--json]

Uploads in chunks (each at an offset the device confirms; an interrupted upload resumes where it stopped,
also across a lost link or a restart of the device), verifies the slot, activates it (the device checks CRC,
signature, rollback, profile, catalogue and bytecode first) and reads HELLO back to confirm the device runs the
new bundle. Exit code 0 and one line "OK: …", or 1 and "FAILED: …" with the device's reason.
  --port <path>        serial port (e.g. /dev/ttyUSB0, or a virtual device's <folder>/tty)
  --trial              activate on trial: the device reverts at its next restart unless confirmed; flash
                       confirms once HELLO shows the new bundle running (--no-confirm leaves it on trial;
                       flashing the same bundle again confirms it)
  --baud <n>           line rate (default ${FLASH_DEFAULTS.baud}); also scales the reply timeouts
  --chunk <n>          largest chunk in bytes (default ${FLASH_DEFAULTS.chunk}; the device's limit applies)
  --timeout <ms>       reply timeout before a resend (default ${FLASH_DEFAULTS.timeoutMs}, plus the line time of a chunk)
  --tries <n>          sends of a request before the link counts as lost (default ${FLASH_DEFAULTS.tries})
  --reconnects <n>     reconnects after a lost link before giving up (default ${FLASH_DEFAULTS.reconnects})
  --registry <file>    device registry to note the bundle in, when it holds the device (default
                       $EDGERULE_REGISTRY, else ./edgerule-devices.json)
  --json               print the result as JSON instead of the verdict line`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        registry: { type: 'string' },
        port: { type: 'string' }, trial: { type: 'boolean' }, 'no-confirm': { type: 'boolean' }, baud: { type: 'string' }, chunk: { type: 'string' },
        timeout: { type: 'string' }, tries: { type: 'string' }, reconnects: { type: 'string' }, json: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1 || !values.port) {
      io.error(this.usage);
      return EXIT.USAGE;
    }
    const file = positionals[0];
    if (!existsSync(file)) throw new Error(`${file}: no such file`);
    const progress = values.json ? undefined : progressPrinter(process.stderr);
    const r = await flash(file, new Uint8Array(readFileSync(file)), {
      port: values.port, trial: !!values.trial, noConfirm: !!values['no-confirm'], baud: intOption(values.baud, 'baud', FLASH_DEFAULTS.baud),
      chunk: intOption(values.chunk, 'chunk', FLASH_DEFAULTS.chunk, 16), timeoutMs: intOption(values.timeout, 'timeout', FLASH_DEFAULTS.timeoutMs),
      tries: intOption(values.tries, 'tries', FLASH_DEFAULTS.tries), reconnects: intOption(values.reconnects, 'reconnects', FLASH_DEFAULTS.reconnects, 0),
      progress, log: values.json ? undefined : (l) => { progress?.end(); io.error(l); },
    });
    progress?.end();
    const registry = registryPath(values.registry);
    if (r.ok && r.device && existsSync(registry)) {
      updateRegistry(registry, (reg) => {
        const d = findDevice(reg, r.device!.id);
        if (d) d.bundle = { id: r.bundle.id, version: r.bundle.version };
      });
    }
    io.log(values.json ? JSON.stringify(r, null, 2) : r.verdict);
    return r.ok ? EXIT.OK : r.refused ? EXIT.CHECK_FAILED : EXIT.CANNOT_CHECK;
  },
};

function hex(path: string, role: 'build' | 'device'): { key: string; device?: number; seed?: string } {
  const k = readKeyFile(path);
  if (k.role !== role) throw new Error(`${path} is a ${k.role} key; expected a ${role} key`);
  return { key: Buffer.from(k.publicKey).toString('hex'), device: k.device, seed: k.seed ? Buffer.from(k.seed).toString('hex') : undefined };
}

export const deviceCommand: Command = {
  summary: 'run a virtual device (the runtime artifacts and the link agent) behind a pseudo-terminal',
  usage: `usage: edgerule device --pty [--engine node|xs|espruino] [--store <folder>] [--trust <build key>] [--device-key <device key>] [--profile <name>] [--json]

Makes a pseudo-terminal pair (Debian socat), runs the device program — the same dist/ files a device runs — on
the engine, prints the port to connect to (<folder>/tty), and runs until Ctrl-C. The folder keeps the device's
identity (device.json), its two bundle slots and its records (slot pointer, event queue): a device stopped and
started again, or killed, restarts from there.
  --engine <e>         node (default), xs (Moddable XS through @agoric/xsnap) or espruino (the Linux build of
                       Espruino named by env ESPRUINO, running the build-runtime --target espruino files from
                       its Storage: docs/HOSTS.md)
  --store <folder>     the device's folder (default ./edgerule-device)
  --trust <file>       build public key the device accepts bundles from, installed as at a factory (first
                       start of a folder); without it the device starts unprovisioned: edgerule provision
                       installs the anchor over the link and the device makes its own event key
  --device-key <file>  the device's event key (secret key file, with its device id), with --trust (first start)
  --device <id>        device id when there is no event key (first start)
  --profile <name>     device profile (default full) (first start)
  --json               print {port, store, engine, device} as JSON`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        pty: { type: 'boolean' }, engine: { type: 'string' }, store: { type: 'string' }, trust: { type: 'string' }, 'device-key': { type: 'string' },
        device: { type: 'string' }, profile: { type: 'string' }, json: { type: 'boolean' },
      },
    });
    if (!values.pty) {
      io.error(`edgerule device: only --pty is supported (a virtual device on a pseudo-terminal)\n\n${this.usage}`);
      return EXIT.USAGE;
    }
    const engine = values.engine ?? 'node';
    if (engine !== 'node' && engine !== 'xs' && engine !== 'espruino') throw new UsageError(`--engine must be node, xs or espruino, got '${engine}'`);
    const dir = resolve(values.store ?? 'edgerule-device');
    let id = readIdentity(dir);
    if (!id) {
      // without --trust the device starts unprovisioned: edgerule provision installs its anchor and it makes its own key
      const trust = values.trust ? hex(values.trust, 'build').key : undefined;
      if (!trust && values['device-key']) throw new Error('--device-key needs --trust (a device given its keys at the factory); leave both out to provision it over the link');
      const dk = values['device-key'] ? hex(values['device-key'], 'device') : undefined;
      const device = dk?.device ?? intOption(values.device, 'device', trust ? 1 : 0, 0);
      id = { device, profile: values.profile ?? 'full', ...(trust ? { trust } : {}), ...(dk?.seed ? { seed: dk.seed } : {}) } satisfies DeviceIdentity;
      writeIdentity(dir, id);
    } else if (values.trust || values['device-key'] || values.device || values.profile) {
      throw new Error(`${dir} already holds device ${id.device}; --trust, --device-key, --device and --profile only apply to a new folder`);
    }
    const d = engine === 'espruino'
      ? await (await import('./espruino/device.ts')).EspruinoDevice.start({ dir, identity: id, profile: id.profile, injectBuffer: injectBufferOf(id), clock: 'real', log: (l) => { if (!l.startsWith('espruino stderr')) io.error(l); } })
      : await VirtualDevice.start({ dir, engine: engine as DeviceEngine, log: (l) => io.error(l) });
    if (values.json) io.log(JSON.stringify({ port: d.port, store: dir, engine: d.engineName, device: id.device }));
    else io.log(`virtual device ${id.device} (${d.engineName}, profile ${id.profile}) on ${d.port}; store ${dir}; Ctrl-C stops it`);
    return untilSignal(() => d.stop());
  },
};

export const relayCommand: Command = {
  summary: 'relay a serial port through a new pseudo-terminal, paced to a baud rate, with seeded byte faults',
  usage: `usage: edgerule relay --device <port> --port <new pty path> [--baud <n>] [--flip <p>] [--drop <p>] [--dup <p>] [--seed <n>] [--cut-after <bytes> [--cut-for <ms>]]

Both directions are paced to the line rate (10 bits per byte) and mangled per byte with probability p: one bit
flipped (--flip), the byte lost (--drop), the byte sent twice (--dup); the same --seed gives the same faults.
--cut-after loses every byte in both directions once that many bytes have gone towards the device, for --cut-for ms
(default: for good). Runs until Ctrl-C, then prints what it did.`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        device: { type: 'string' }, port: { type: 'string' }, baud: { type: 'string' }, flip: { type: 'string' }, drop: { type: 'string' },
        dup: { type: 'string' }, seed: { type: 'string' }, 'cut-after': { type: 'string' }, 'cut-for': { type: 'string' },
      },
    });
    if (!values.device || !values.port) {
      io.error(this.usage);
      return EXIT.USAGE;
    }
    const r = await Relay.start({
      device: values.device, port: resolve(values.port), baud: intOption(values.baud, 'baud', 0, 0), seed: intOption(values.seed, 'seed', 1, 0),
      faults: { flip: rateOption(values.flip, 'flip'), drop: rateOption(values.drop, 'drop'), dup: rateOption(values.dup, 'dup') },
      cutAfter: values['cut-after'] !== undefined ? intOption(values['cut-after'], 'cut-after', 0, 0) : undefined,
      cutMs: values['cut-for'] !== undefined ? intOption(values['cut-for'], 'cut-for', 0, 0) : undefined,
    });
    io.log(`relay: ${r.port} ⇄ ${values.device}`);
    return untilSignal(async () => {
      await r.stop();
      io.log(JSON.stringify(r.counts));
    });
  },
};
