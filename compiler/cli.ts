/** `edgerule compile`: rule files → type check → verified bundle, its sidecar map and the per-rule budget. */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { tint, type Command } from '../cli/command.ts';
import { CliError, UsageError } from '../cli/errors.ts';
import { EXIT } from '../cli/exit-codes.ts';
import type { Diagnostic } from './diagnostics.ts';
import { mapPathFor } from './sidecar.ts';
import { severityName } from '../runtime/engine/severity.ts';

/** A diagnostic as JSON: file relative to the working directory, like the text form. */
function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return { severity: d.severity, code: d.code, message: d.message, ...(d.loc ? { file: relative(process.cwd(), d.loc.file) || d.loc.file, line: d.loc.line, col: d.loc.col } : {}) };
}

export const compileCommand: Command = {
  usage: `usage: edgerule compile <rule files or folders…> -o <bundle> [--profile <name>] [--set <param>=<value>…] [--ids <file.js>] [--no-typecheck] [--quiet] [--json]

Type-checks the rule files and what they import (units are types: a speed compared with a duration is an error),
loads them, and writes the bundle and its source-map sidecar <bundle>.map.json; prints the per-rule budget.
Diagnostics read file:line:col: error CODE: message (TS… from the type checker, ER… from edgerule); on any error
no bundle is written and the exit code is 1.
  -o, --out <file>      bundle to write (required)
  -p, --profile <name>  device profile to check signals and outputs against (default: full, every signal); found in
                        the rule files, or in a profiles.ts beside or above them (e.g. rules/profiles.ts)
  --set <name>=<value>  value of a rule parameter (param() in the DSL) with its unit, e.g. --set dwell=30min
                        (repeat for several); the sidecar lists every parameter with its value
  --ids <file.js>       also write the signal, rule and output ids as an ES5 script for device code (docs/DEVICE.md)
  --no-typecheck        skip the type check (faster; unit mistakes then compile silently)
  -q, --quiet           print diagnostics only
  --json                print the result (bundle, rules, budget, diagnostics) as one JSON document on stdout`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' }, profile: { type: 'string', short: 'p' }, quiet: { type: 'boolean', short: 'q' },
        'no-typecheck': { type: 'boolean' }, json: { type: 'boolean' }, ids: { type: 'string' }, set: { type: 'string', multiple: true },
      },
    });
    if (!positionals.length) throw new UsageError('missing <rule files or folders>: the .ts rule files to compile, e.g. edgerule compile rules -o out/library.erb');
    if (!values.out) throw new UsageError('missing -o <bundle>: the file to write the bundle to, e.g. -o out/library.erb');
    const missing = positionals.filter((p) => !existsSync(p));
    if (missing.length) throw new CliError(`no such file or folder: ${missing.join(', ')}`, EXIT.CANNOT_CHECK);
    const params: Record<string, string> = {};
    for (const kv of values.set ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new UsageError(`--set ${kv}: expected <param>=<value>, e.g. --set dwell=30min`);
      params[kv.slice(0, eq).trim()] = kv.slice(eq + 1);
    }
    const started = performance.now();
    const { compileFiles } = await import('./compile.ts');
    const { CompileError, formatDiagnostic } = await import('./diagnostics.ts');
    const { budgetTable } = await import('./budget.ts');
    let c;
    try {
      c = await compileFiles(positionals, { profile: values.profile, typecheck: !values['no-typecheck'], params });
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      for (const d of e.diagnostics) io.error(tint(io, 'stderr', d.severity === 'error' ? 'red' : 'yellow', formatDiagnostic(d)));
      const errors = e.diagnostics.filter((d) => d.severity === 'error').length;
      io.error(`${errors} error${errors === 1 ? '' : 's'}; no bundle written`);
      if (values.json) io.log(JSON.stringify({ ok: false, diagnostics: e.diagnostics.map(diagnosticJson) }, null, 1));
      return EXIT.CHECK_FAILED;
    }
    for (const d of c.diagnostics) io.error(tint(io, 'stderr', 'yellow', formatDiagnostic(d)));
    const map = mapPathFor(values.out);
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, c.bytes);
    writeFileSync(map, JSON.stringify(c.map, null, 1) + '\n');
    if (values.ids) {
      const { idsModule } = await import('./ids-module.ts');
      mkdirSync(dirname(values.ids), { recursive: true });
      writeFileSync(values.ids, idsModule(c.map, c.profile.outputs));
    }
    const ms = Math.round(performance.now() - started);
    const typecheck = values['no-typecheck'] ? 'skipped' : 'passed';
    if (values.json) {
      io.log(JSON.stringify({
        ok: true, bundle: values.out, map, ids: values.ids, bytes: c.bytes.length, profile: c.map.profile, typecheck, ms,
        rules: c.map.rules.map((r) => ({ id: r.id, name: r.name, severity: severityName(r.severity), attach: r.attach, attachUnits: r.attachUnits, file: r.file, line: r.line })),
        budget: c.budget, diagnostics: c.diagnostics.map(diagnosticJson),
      }, null, 1));
    } else if (!values.quiet) {
      io.log(budgetTable(c.budget));
      if (c.map.params) io.log('\nparameters:\n' + c.map.params.map((p) => `  ${p.name} = ${p.value} ${p.unit}${p.value !== p.defaultValue ? ` (default ${p.defaultValue})` : ''}, range [${p.min ?? '-∞'}, ${p.max ?? '∞'}] — ${p.rules.join(', ')}`).join('\n'));
      io.log(`\nwrote ${values.out} (${c.bytes.length} bytes, ${c.budget.length} rules, profile ${c.map.profile}) and ${map}${values.ids ? ` and ${values.ids}` : ''} in ${ms} ms (type check ${typecheck})`);
    }
    return EXIT.OK;
  },
};
