/** `edgerule compile` and `edgerule inspect`. */
import { parseArgs, styleText } from 'node:util';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { compileFiles, type SidecarMap } from './compile.ts';
import { CompileError, formatDiagnostic } from './diagnostics.ts';
import { budgetTable } from './budget-table.ts';
import { disassemble, explainOffset } from './disasm.ts';
import { verify } from '../runtime/engine/verify.ts';
import { describeFault } from './faults.ts';
import type { Command } from '../cli/main.ts';

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
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { out: { type: 'string', short: 'o' }, profile: { type: 'string', short: 'p' }, quiet: { type: 'boolean', short: 'q' }, set: { type: 'string', multiple: true } },
    });
    if (!positionals.length || !values.out) {
      console.error(this.usage);
      return 2;
    }
    const missing = positionals.filter((p) => !existsSync(p));
    if (missing.length) {
      console.error(`edgerule compile: no such file or folder: ${missing.join(', ')}`);
      return 2;
    }
    const params: Record<string, string> = {};
    for (const kv of values.set ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) {
        console.error(`edgerule compile: --set ${kv}: expected <param>=<value>, e.g. dwell=30min`);
        return 2;
      }
      params[kv.slice(0, eq).trim()] = kv.slice(eq + 1);
    }
    const started = performance.now();
    try {
      const c = await compileFiles(positionals, { profile: values.profile, params });
      for (const d of c.diagnostics) console.error(styleText('yellow', formatDiagnostic(d)));
      writeFileSync(values.out, c.bytes);
      writeFileSync(mapPathFor(values.out), JSON.stringify(c.map, null, 1) + '\n');
      if (!values.quiet) {
        console.log(budgetTable(c.budget));
        if (c.map.params) console.log('\nparameters:\n' + c.map.params.map((p) => `  ${p.name} = ${p.value} ${p.unit}${p.value !== p.defaultValue ? ` (default ${p.defaultValue})` : ''}, range [${p.min ?? '-∞'}, ${p.max ?? '∞'}] — ${p.rules.join(', ')}`).join('\n'));
        console.log(`\nwrote ${values.out} (${c.bytes.length} bytes, ${c.budget.length} rules, profile ${c.map.profile}) and ${mapPathFor(values.out)} in ${(performance.now() - started).toFixed(0)} ms`);
      }
      return 0;
    } catch (e) {
      if (e instanceof CompileError) {
        for (const d of e.diagnostics) console.error(styleText(d.severity === 'error' ? 'red' : 'yellow', formatDiagnostic(d)));
        const errors = e.diagnostics.filter((d) => d.severity === 'error').length;
        console.error(`${errors} error${errors === 1 ? '' : 's'}; no bundle written`);
        return 1;
      }
      throw e;
    }
  },
};

export const inspectCommand: Command = {
  summary: 'disassemble a bundle with rule names, source lines and the budget table',
  usage: `usage: edgerule inspect <bundle> [--map <sidecar>] [--translated] [--at <byte offset>]

  --map <file>     source-map sidecar (default: <bundle>.map.json when present)
  --translated     also print the JS the runtime translates the bundle into at load
  --at <offset>    explain a byte offset (e.g. from a device's fault report) as a field, instruction and rule line`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { map: { type: 'string' }, translated: { type: 'boolean' }, at: { type: 'string' } } });
    if (positionals.length !== 1) {
      console.error(this.usage);
      return 2;
    }
    const bundle = positionals[0];
    const bytes = new Uint8Array(readFileSync(bundle));
    const mapFile = values.map ?? (existsSync(mapPathFor(bundle)) ? mapPathFor(bundle) : undefined);
    const map = mapFile ? (JSON.parse(readFileSync(mapFile, 'utf8')) as SidecarMap) : undefined;
    const p = verify(bytes);
    if (values.at !== undefined) {
      console.log(explainOffset(bytes, Number(values.at), map));
      if (p.fault) console.log(describeFault(p.fault, p.faultAt, bundle));
      return 0;
    }
    if (p.fault) {
      console.error(describeFault(p.fault, p.faultAt, bundle));
      return 1;
    }
    process.stdout.write(disassemble(bytes, map));
    if (map) {
      const budget = map.rules.map((r) => {
        const unit = map.units.find((u) => u.kind === 'rule' && u.id === r.id)!;
        return { rule: r.name, id: r.id, codeBytes: unit.codeEnd - unit.codeStart, stateBytes: p.unitState[unit.index] * 8, worstOps: p.unitCost[unit.index] };
      });
      console.log('\nper rule (own unit only; derived values listed above):\n' + budgetTable(budget));
    }
    if (values.translated) {
      const { loadRuntimeArtifact } = await import('../simulator/artifact.ts');
      console.log('\ntranslated:\n' + loadRuntimeArtifact().translated(bytes).replace(/;/g, ';\n'));
    }
    return 0;
  },
};
