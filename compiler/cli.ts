/** `edgerule compile` and `edgerule inspect`. */
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { compileFiles, type SidecarMap } from './compile.ts';
import { CompileError, formatDiagnostic } from './diagnostics.ts';
import { budgetTable, ruleBudgets } from './budget.ts';
import { disassemble, explainOffset } from './disasm.ts';
import { verify } from '../runtime/engine/verify.ts';
import { describeFault } from './faults.ts';
import { tint, type Command } from '../cli/command.ts';

export function mapPathFor(bundle: string): string {
  return bundle + '.map.json';
}

export const compileCommand: Command = {
  summary: 'compile rule files or folders into a verified bytecode bundle',
  usage: `usage: edgerule compile <rule files or folders…> -o <bundle> [--profile <name>] [--set <param>=<value>…] [--quiet]

Writes the bundle and its source-map sidecar <bundle>.map.json, and prints the per-rule budget.
  -o, --out <file>      bundle to write (required)
  -p, --profile <name>  device profile to check signals and outputs against (default: full)
  --set <name>=<value>  value of a rule parameter (param() in the DSL) with its unit, e.g. --set dwell=30min
                        (repeat for several); the sidecar lists every parameter with its value
  -q, --quiet           print diagnostics only`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { out: { type: 'string', short: 'o' }, profile: { type: 'string', short: 'p' }, quiet: { type: 'boolean', short: 'q' }, set: { type: 'string', multiple: true } },
    });
    if (!positionals.length || !values.out) {
      io.error(this.usage);
      return 2;
    }
    const missing = positionals.filter((p) => !existsSync(p));
    if (missing.length) {
      io.error(`edgerule compile: no such file or folder: ${missing.join(', ')}`);
      return 2;
    }
    const params: Record<string, string> = {};
    for (const kv of values.set ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) {
        io.error(`edgerule compile: --set ${kv}: expected <param>=<value>, e.g. dwell=30min`);
        return 2;
      }
      params[kv.slice(0, eq).trim()] = kv.slice(eq + 1);
    }
    const started = performance.now();
    try {
      const c = await compileFiles(positionals, { profile: values.profile, params });
      for (const d of c.diagnostics) io.error(tint(io, 'stderr', 'yellow', formatDiagnostic(d)));
      writeFileSync(values.out, c.bytes);
      writeFileSync(mapPathFor(values.out), JSON.stringify(c.map, null, 1) + '\n');
      if (!values.quiet) {
        io.log(budgetTable(c.budget));
        if (c.map.params) io.log('\nparameters:\n' + c.map.params.map((p) => `  ${p.name} = ${p.value} ${p.unit}${p.value !== p.defaultValue ? ` (default ${p.defaultValue})` : ''}, range [${p.min ?? '-∞'}, ${p.max ?? '∞'}] — ${p.rules.join(', ')}`).join('\n'));
        io.log(`\nwrote ${values.out} (${c.bytes.length} bytes, ${c.budget.length} rules, profile ${c.map.profile}) and ${mapPathFor(values.out)} in ${(performance.now() - started).toFixed(0)} ms`);
      }
      return 0;
    } catch (e) {
      if (e instanceof CompileError) {
        for (const d of e.diagnostics) io.error(tint(io, 'stderr', d.severity === 'error' ? 'red' : 'yellow', formatDiagnostic(d)));
        const errors = e.diagnostics.filter((d) => d.severity === 'error').length;
        io.error(`${errors} error${errors === 1 ? '' : 's'}; no bundle written`);
        return 1;
      }
      throw e;
    }
  },
};

/** Turns a bundle into the JS source the device runs (the runtime artifact's translator, passed in by cli/main.ts). */
export type Translator = (bundle: Uint8Array) => Promise<string>;

export const inspectCommand = (translate: Translator): Command => ({
  summary: 'disassemble a bundle with rule names, source lines and the budget table',
  usage: `usage: edgerule inspect <bundle> [--map <sidecar>] [--translated] [--at <byte offset>]

  --map <file>     source-map sidecar (default: <bundle>.map.json when present)
  --translated     also print the JS the runtime translates the bundle into at load
  --at <offset>    explain a byte offset (e.g. from a device's fault report) as a field, instruction and rule line`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { map: { type: 'string' }, translated: { type: 'boolean' }, at: { type: 'string' } } });
    if (positionals.length !== 1) {
      io.error(this.usage);
      return 2;
    }
    const bundle = positionals[0];
    const bytes = new Uint8Array(readFileSync(bundle));
    const mapFile = values.map ?? (existsSync(mapPathFor(bundle)) ? mapPathFor(bundle) : undefined);
    const map = mapFile ? (JSON.parse(readFileSync(mapFile, 'utf8')) as SidecarMap) : undefined;
    const p = verify(bytes);
    if (values.at !== undefined) {
      io.log(explainOffset(bytes, Number(values.at), map));
      if (p.fault) io.log(describeFault(p.fault, p.faultAt, bundle));
      return 0;
    }
    if (p.fault) {
      io.error(describeFault(p.fault, p.faultAt, bundle));
      return 1;
    }
    io.write(disassemble(bytes, map));
    if (map) {
      io.log('\nper rule (its own unit and the derived values it reads):\n' + budgetTable(ruleBudgets(map.rules, map.units, p)));
    }
    if (values.translated) {
      io.log('\ntranslated:\n' + (await translate(bytes)).replace(/;/g, ';\n'));
    }
    return 0;
  },
});
