/**
 * Engine conformance: every golden case runs through the built runtime artifact on every available engine
 * (Node, Moddable XS, Duktape, and Espruino when ESPRUINO names a build). Each engine must print exactly the
 * golden events, and all engines must print byte-identical output (numbers travel as IEEE-754 hex).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { compileRules } from '../compiler/compile.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { ISA } from '../compiler/isa.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';
import { opByCode } from '../compiler/isa.ts';
import { decodeUnit } from '../compiler/bundle-reader.ts';
import { verify } from '../runtime/engine/verify.ts';
import { severityName } from '../runtime/engine/severity.ts';
import { engines, describeEngines, enginesNotCompared, enginesToCompare, runScript, type EngineName } from '../harness/engines/engines.ts';
import { conformanceScript, parseOutput, type ScriptCase } from '../harness/conformance/driver.ts';
import { OPERATOR_CASES, type GoldenCase } from '../harness/conformance/operator-cases.ts';
import { LIBRARY_CASES } from '../harness/conformance/library-cases.ts';
import { loadRules } from '../compiler/load.ts';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Prepared { golden: GoldenCase; script: ScriptCase; names: string[]; opsUsed: Set<string> }

function prepare(golden: GoldenCase): Prepared {
  const compiled = compileRules(golden.rules(), FULL_PROFILE);
  const names = compiled.map.rules.map((r) => r.name);
  const p = verify(compiled.bytes);
  const opsUsed = new Set<string>();
  for (const u of compiled.map.units) for (const ins of decodeUnit(compiled.bytes, p.codeOff, u.codeStart, u.codeEnd)) { opsUsed.add(ins.op.name); if (ins.short) opsUsed.add(ins.short); }
  const samples = golden.samples.map(([t, s, value]) => ({ t, signal: signalMeta(s).id, value }));
  return { golden, script: { bundle: compiled.bytes, samples, until: golden.until }, names, opsUsed };
}

/** Turns `<t> rule<id> sev<n> …` into `<t> <name> <severity> …`. */
function named(lines: string[], names: string[]): string[] {
  return lines.map((l) => l.replace(/ rule(\d+) sev(\d+)/, (_, id, sev) => ` ${names[Number(id)]} ${severityName(Number(sev))}`));
}

const library = await loadRules([fileURLToPath(new URL('../rules', import.meta.url))]);
const libraryGolden: GoldenCase[] = LIBRARY_CASES.map((c) => ({
  name: `library rule ${c.rule}`, covers: [], samples: c.samples, until: c.until, expect: c.expect,
  rules: () => library.rules.filter((r) => r.spec.name === c.rule),
}));
const prepared = [...OPERATOR_CASES, ...libraryGolden].map(prepare);
const script = conformanceScript(prepared.map((p) => p.script));
const outputs = new Map<EngineName, string>();

describe('engine conformance (golden cases through dist/edgerule-runtime.js)', () => {
  beforeAll(() => console.warn(describeEngines()));

  test('every rule in rules/ has a golden case', () => {
    const files = readdirSync(fileURLToPath(new URL('../rules', import.meta.url))).filter((f) => f.endsWith('.ts') && f !== 'profiles.ts');
    expect(library.rules.map((r) => r.spec.name).sort()).toEqual(files.map((f) => f.replace(/\.ts$/, '')).sort());
    expect(LIBRARY_CASES.map((c) => c.rule).sort()).toEqual(library.rules.map((r) => r.spec.name).sort());
  });

  test('the cases exercise every opcode the compiler emits', () => {
    const used = new Set(prepared.flatMap((p) => [...p.opsUsed]));
    const emittable = ISA.map((o) => o.name);
    expect(emittable.filter((name) => !used.has(name))).toEqual([]);
    for (const p of prepared) for (const op of p.golden.covers) expect(p.opsUsed.has(op), `${p.golden.name} covers ${op}`).toBe(true);
    expect(opByCode(0)?.name).toBe('END');
  });

  for (const info of engines()) {
    const runIt = info.available ? test : test.skip;
    runIt(`${info.name}: every golden case gives exactly its events${info.available ? '' : ` — SKIPPED: ${info.why}`}`, async () => {
      const { stdout } = await runScript(info.name, script, { timeoutMs: 300_000 });
      outputs.set(info.name, stdout);
      const results = parseOutput(stdout);
      expect(results.length).toBe(prepared.length);
      prepared.forEach((p, i) => {
        expect(results[i].fault, `${info.name}: ${p.golden.name}: bundle refused`).toBeUndefined();
        expect(named(results[i].lines, p.names), `${info.name}: ${p.golden.name}`).toEqual(p.golden.expect);
      });
    });
  }

  test(`all engines print byte-identical output (${enginesToCompare().join(', ')})`, () => {
    const ran = [...outputs.entries()];
    expect(ran.length, 'at least Node must have run').toBeGreaterThanOrEqual(1);
    expect(enginesNotCompared(outputs.keys()), 'engines that should have run but gave no output').toEqual([]);
    for (const [name, out] of ran) expect(out, `${name} vs ${ran[0][0]}`).toBe(ran[0][1]);
  });
});
