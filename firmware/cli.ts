/** `edgerule build-runtime`: the runtime as firmware for a target (firmware/build.ts, docs/HOSTS.md). */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Command } from '../cli/command.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { TARGETS, type Target } from './board-config.ts';
import { buildTarget, sizeTable } from './build.ts';

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
    if (!values.target || !TARGETS.includes(values.target as Target)) {
      io.error(`edgerule build-runtime: --target must be one of ${TARGETS.join(', ')}\n\n${this.usage}`);
      return EXIT.USAGE;
    }
    const target = values.target as Target;
    const r = await buildTarget({ target, profile: values.profile, board: values.board, rules: values.rules, out: resolve(values.out ?? `out/${target}`) });
    if (values.json) io.log(JSON.stringify(r, null, 2));
    else io.log(`${sizeTable(r)}\n\nwrote ${r.out} (${target}, profile ${r.profile})`);
    return EXIT.OK;
  },
};
