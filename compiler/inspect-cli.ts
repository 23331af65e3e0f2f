/** `edgerule inspect`: the disassembly of a bundle, its budget, the JS the device makes of it, or what a byte offset is. */
import { parseArgs } from 'node:util';
import { type Command } from '../cli/command.ts';
import { UsageError } from '../cli/errors.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { readInput } from '../cli/input.ts';
import { verify } from '../runtime/engine/verify.ts';
import { FAULT_TEXT } from './faults.ts';
import { budgetTable, ruleBudgets } from './budget.ts';
import { disassemble, disassembly, explainOffset, refusal } from './disasm.ts';
import { readSidecar } from './sidecar.ts';

/** Turns a bundle into the JS source the device runs (the runtime artifact's translator, passed in by cli/main.ts). */
export type Translator = (bundle: Uint8Array) => Promise<string>;

/** `--at 66` → 66; anything but a whole number of bytes is a usage error. */
function byteOffset(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--at ${text}: expected a byte offset, a whole number (e.g. 66 from a device's "fault 12 at byte 66")`);
  return Number(text);
}

export const inspectCommand = (translate: Translator): Command => ({
  usage: `usage: edgerule inspect <bundle> [--map <sidecar>] [--translated] [--at <byte offset>] [--json]

Prints the bundle's header, constants and geometries, then every unit's instructions with the rule (name and
severity) and source line each came from, and the per-rule budget. Exit code 1 when the device's verifier refuses
the bundle (the fault, byte and rule broken are printed).
  --map <file>     source-map sidecar (default: <bundle>.map.json when present)
  --translated     also print the JS the runtime translates the bundle into at load
  --at <offset>    explain a byte offset (e.g. from a device's fault report) as a field, instruction and rule line
  --json           print the same as one JSON document on stdout`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { map: { type: 'string' }, translated: { type: 'boolean' }, at: { type: 'string' }, json: { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `one bundle at a time, got ${positionals.length}: ${positionals.join(', ')}` : 'missing <bundle>: the file edgerule compile -o wrote');
    const bundle = positionals[0];
    const at = values.at === undefined ? undefined : byteOffset(values.at);
    const bytes = readInput(bundle, 'bundle');
    const map = readSidecar(bundle, bytes, values.map);
    const p = verify(bytes);
    const fault = p.fault ? { code: p.fault, name: FAULT_TEXT[p.fault]?.name, at: p.faultAt, text: refusal(bytes, p.fault, p.faultAt, bundle, map) } : undefined;
    if (at !== undefined) {
      const explained = explainOffset(bytes, at, map);
      if (values.json) io.log(JSON.stringify({ bundle, at, explained, fault }, null, 1));
      else io.log(explained + (fault ? '\n' + fault.text : ''));
      return EXIT.OK;
    }
    if (fault) {
      if (values.json) io.log(JSON.stringify({ bundle, ok: false, fault }, null, 1));
      io.error(fault.text);
      return EXIT.CHECK_FAILED;
    }
    const budget = map ? ruleBudgets(map.rules, map.units, p) : undefined;
    const translated = values.translated ? await translate(bytes) : undefined;
    if (values.json) {
      io.log(JSON.stringify({ bundle, ok: true, ...disassembly(p, map), budget, translated }, null, 1));
      return EXIT.OK;
    }
    io.write(disassemble(bytes, map));
    if (budget) io.log('\nper rule (its own unit and the derived values it reads):\n' + budgetTable(budget));
    if (translated !== undefined) io.log('\ntranslated:\n' + translated.replace(/;/g, ';\n'));
    return EXIT.OK;
  },
});
