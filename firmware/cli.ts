/** `edgerule build-runtime` and `edgerule install-runtime`: the runtime as firmware for a target (docs/HOSTS.md). */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Command } from '../cli/command.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { CliError, UsageError } from '../cli/errors.ts';
import { TARGETS, type Target } from './board-config.ts';

export const buildRuntimeCommand: Command = {
  summary: 'package the runtime for a device: Espruino Storage files, a Moddable module folder, or the Node host',
  usage: `usage: edgerule build-runtime --target espruino|moddable|node [--profile <name>] [--board <file>] [--rules <folder>] [-o <dir>] [--json]

Packages dist/ (npm run build) for a target with a board's wiring and prints the size of every file.
  --target <t>      espruino: Storage files, the boot file that checks them, install.json (what edgerule
                    install-runtime writes); moddable: a module folder with manifest.json; node: the files
                    and host.json the Node host loads
  --profile <name>  device profile the board is checked against and bundles must target (default full)
  --board <file>    board file: what is wired where (default firmware/boards/<target>.json; docs/HOSTS.md)
  --rules <folder>  where profiles are declared (default rules)
  -o, --out <dir>   output folder (default out/<target>); replaced
  --json            print the result as JSON`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { target: { type: 'string' }, profile: { type: 'string' }, board: { type: 'string' }, rules: { type: 'string' }, out: { type: 'string', short: 'o' }, json: { type: 'boolean' } },
    });
    if (!values.target || !TARGETS.includes(values.target as Target)) throw new UsageError(`--target must be one of ${TARGETS.join(', ')}`);
    const target = values.target as Target;
    const { buildTarget, sizeTable } = await import('./build.ts');
    const r = await buildTarget({ target, profile: values.profile, board: values.board, rules: values.rules, out: resolve(values.out ?? `out/${target}`) });
    if (values.json) io.log(JSON.stringify(r, null, 2));
    else io.log(`${sizeTable(r)}\n\nwrote ${r.out} (${target}, profile ${r.profile})`);
    return EXIT.OK;
  },
};

function positive(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^[0-9]+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a positive integer, got '${v}'`);
  return Number(v);
}

export const installRuntimeCommand: Command = {
  summary: 'install the runtime on an Espruino board over its REPL: Storage files checked by E.CRC32, boot code, HELLO',
  usage: `usage: edgerule install-runtime --port <path> --target espruino [--board <file>] [--profile <name>] [--trust <build key>] [--device-key <device key> | --device <id>] [--link-port <path>] [--baud <n>] [--json]

Gets the board's prompt (newline; Ctrl-C as Espruino's tools do), turns echo off, writes the build-runtime
--target espruino files into Storage in chunks, reads each chunk and each whole file back by E.CRC32 and writes
again what differs (files already there and intact are left alone), writes the boot file last, restarts the board
with load() and confirms by HELLO that the device agent runs. Exit 1 when a file keeps reading back wrong or the
boot file refuses the files; 3 when the board does not answer.
  --port <path>        the board's console (REPL) serial port
  --target espruino    the only target installed over a REPL (Moddable installs with mcconfig)
  --board <file>       board file (default firmware/boards/espruino.json: the link on the console UART)
  --profile <name>     device profile (default full)
  --trust <file>       build public key the board accepts bundles from (written to er.id with the device key)
  --device-key <file>  the device's event key (secret key file with its device id)
  --device <id>        device id when there is no event key
  --link-port <path>   where the device link answers HELLO (default --port: the board's console UART)
  --baud <n>           line rate (default 9600, Espruino's console default)
  --chunk <bytes>      file bytes per Storage.write (default 512)
  --timeout <ms>       time for each answer (default 5000)
  --json               print the result as JSON`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' }, target: { type: 'string' }, board: { type: 'string' }, profile: { type: 'string' }, rules: { type: 'string' },
        trust: { type: 'string' }, 'device-key': { type: 'string' }, device: { type: 'string' }, 'link-port': { type: 'string' },
        baud: { type: 'string' }, chunk: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' },
      },
    });
    if (!values.port) throw new UsageError('missing --port <path>: the board\'s console serial port');
    if (values.target !== 'espruino') throw new UsageError(`--target must be espruino (the one target installed over a REPL), got '${values.target ?? ''}'`);
    const { installWithHello } = await import('./install-cli.ts');
    const r = await installWithHello({
      port: values.port, linkPort: values['link-port'] ?? values.port, board: values.board, profile: values.profile, rules: values.rules,
      trust: values.trust, deviceKey: values['device-key'], device: values.device === undefined ? undefined : positive(values.device, 'device', 0),
      baud: positive(values.baud, 'baud', 9600), chunk: positive(values.chunk, 'chunk', 512), timeoutMs: positive(values.timeout, 'timeout', 5000),
      log: values.json ? undefined : (l) => io.error(l),
    });
    if (values.json) io.log(JSON.stringify(r, null, 2));
    else io.log(r.verdict);
    if (!r.ok && r.exitCode === EXIT.CANNOT_CHECK) throw new CliError(r.verdict);
    return r.ok ? EXIT.OK : EXIT.CHECK_FAILED;
  },
};
