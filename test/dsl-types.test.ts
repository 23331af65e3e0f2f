/**
 * The rule library and the DSL's static guarantees.
 *
 * 1. The library in rules/ compiles for the built-in `full` profile, with one rule per file (file name = rule name)
 *    and a header stating the threat and the thresholds; each device profile in rules/profiles.ts rejects exactly the
 *    rules that read signals (ER103) or set outputs (ER104) it lacks, and compiles the rest.
 * 2. Units are checked by the TypeScript type checker: each wrong snippet gives exactly one error, with the expected
 *    code, on the expected line; the correct snippets give none. All snippets are type-checked by one Program whose
 *    files live in memory (a custom CompilerHost) and import the DSL by absolute path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, test } from 'vitest';
import { compileFiles, compileRules } from '../compiler/compile.ts';
import { CompileError, type Diagnostic } from '../compiler/diagnostics.ts';
import { loadRules } from '../compiler/load.ts';
import type { Profile } from '../compiler/dsl/index.ts';
import { dslEntries, ruleFields } from '../harness/dsl-doc.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RULES = join(ROOT, 'rules');
const RULE_FILES = readdirSync(RULES).filter((f) => f.endsWith('.ts') && f !== 'profiles.ts').sort();
const RULE_NAMES = RULE_FILES.map((f) => f.replace(/\.ts$/, ''));

/** Rules each profile cannot run: signals it lacks (ER103) and outputs it lacks (ER104). */
const REJECTED: Record<string, { ER103: string[]; ER104: string[] }> = {
  'container-tracker': { ER103: ['external-power-cut', 'moving-after-power-cut', 'prolonged-dwell', 'towing'], ER104: ['moving-after-power-cut'] },
  'truck-telematics': {
    ER103: ['depot-exit-without-seal', 'light-in-closed-container', 'reseal-missing-after-door', 'shock-or-tamper', 'temperature-excursion'],
    ER104: ['light-in-closed-container'],
  },
  'reefer-container': { ER103: ['prolonged-dwell', 'towing'], ER104: ['moving-after-power-cut'] },
};

function rulesNamed(diagnostics: Diagnostic[], code: string): string[] {
  const names = diagnostics.filter((d) => d.code === code).map((d) => /rule '([a-z0-9-]+)'/.exec(d.message)?.[1] ?? `?${d.message}`);
  return [...new Set(names)].sort();
}

describe('rule library', () => {
  test('compiles for the full profile with every rule present, one per file', async () => {
    const c = await compileFiles([RULES], { profile: 'full', cwd: ROOT });
    expect(c.diagnostics).toEqual([]);
    expect(RULE_NAMES.length).toBeGreaterThanOrEqual(13);
    expect(c.map.rules.map((r) => r.name).sort()).toEqual(RULE_NAMES);
    for (const r of c.map.rules) expect(r.file).toBe(`rules/${r.name}.ts`);
  });

  test('every rule file starts with a header naming the threat and the thresholds', () => {
    for (const f of RULE_FILES) {
      const head = readFileSync(join(RULES, f), 'utf8').split('*/')[0];
      expect(head.startsWith('/**'), f).toBe(true);
      expect(head, f).toMatch(/Threat:/);
      expect(head, f).toMatch(/Thresholds:/);
    }
  });

  test('the geometry beside the rules: a depot polygon, several stop zones with a circle, a coarse route', () => {
    const read = (f: string) => JSON.parse(readFileSync(join(RULES, 'geo', f), 'utf8')).features as Array<{ properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown[] } }>;
    expect(read('depot.geojson').map((f) => f.geometry.type)).toEqual(['Polygon']);
    const zones = read('stop-zones.geojson');
    expect(zones.filter((z) => z.geometry.type === 'Polygon').length).toBeGreaterThanOrEqual(2);
    expect(zones.some((z) => z.geometry.type === 'Point' && typeof z.properties.radius_m === 'number')).toBe(true);
    const [route] = read('planned-route.geojson');
    expect(route.geometry.type).toBe('LineString');
    expect(route.geometry.coordinates.length).toBeLessThanOrEqual(60);
  });

  describe.each(Object.keys(REJECTED))('profile %s', (name) => {
    let profile: Profile;
    let loaded: Awaited<ReturnType<typeof loadRules>>;
    beforeAll(async () => {
      loaded = await loadRules([RULES]);
      profile = loaded.profiles.find((p) => p.name === name)!;
    });

    test('compiling the whole library reports ER103/ER104 for exactly the rules it cannot run', async () => {
      expect(profile, `rules/profiles.ts exports profile '${name}'`).toBeDefined();
      const error = await compileFiles([RULES], { profile: name, cwd: ROOT }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(CompileError);
      const diagnostics = (error as CompileError).diagnostics;
      expect([...new Set(diagnostics.map((d) => d.code))].sort()).toEqual(['ER103', 'ER104']);
      expect(rulesNamed(diagnostics, 'ER103')).toEqual(REJECTED[name].ER103);
      expect(rulesNamed(diagnostics, 'ER104')).toEqual(REJECTED[name].ER104);
      for (const d of diagnostics) expect(d.loc?.file.startsWith(RULES)).toBe(true);
    });

    test('the rules it can run compile for it', () => {
      const rejected = new Set([...REJECTED[name].ER103, ...REJECTED[name].ER104]);
      const runnable = loaded.rules.filter((r) => !rejected.has(r.spec.name));
      const c = compileRules(runnable, profile, ROOT);
      expect(c.map.profile).toBe(name);
      expect(c.map.rules.length).toBe(RULE_NAMES.length - rejected.size);
    });
  });
});

// ── units in the type checker ───────────────────────────────────────────────────────────────────────────────

const DSL = join(ROOT, 'compiler/dsl/index.ts');
const ROUTE = join(ROOT, 'rules/geo/planned-route.geojson');
const VIRTUAL = join(ROOT, 'test', '__dsl-types__'); // never written: the host serves these files from memory

/** Every snippet starts with these lines; the line under test follows, so its 1-based number is PRELUDE.length + 1. */
const PRELUDE = [
  `import { rule, sig, all, any, not, absence, sequence, BoolSignal, place, places, inside, insideAny, offRoute, distanceTo, impliedSpeed, param } from ${JSON.stringify(DSL)};`,
  `import { kmh, minutes, seconds, meters, km, celsius, volts, level, count, lux, gees, id, degrees } from ${JSON.stringify(DSL)};`,
  `const speed = sig('gnss.speed');`,
  `const door = sig('door');`,
  `const temperature = sig('temperature');`,
  `const route = place(${JSON.stringify(ROUTE)});`,
  `const depot = place('geo/depot.geojson', 'origin-depot');`,
  `const stops = places('geo/stop-zones.geojson');`,
  `const doorB = new BoolSignal('door');`,
];

interface Case {
  name: string;
  /** The code under test: its first line is the one expected to carry the error. */
  code: string;
  /** Expected TypeScript error code, or undefined for a correct snippet. */
  error?: number;
  /** Texts the error message must contain (proves the error is about units, not something incidental). */
  mentions?: string[];
  /**
   * Blocked by the catalogue typing bug: compiler/dsl/catalogue.ts builds each entry with TypeBox's Type.Number(),
   * whose return type (TNumber) drops the `unit` literal, so compiler/dsl/signals.ts:10 (`UnitOf<N>`) fails with
   * TS2536 and sig() types every signal as NumSignal<Unit>: bool signals lack isTrue()/rising()/…, and units of
   * signals go unchecked. These cases are expected to fail until that is fixed — then vitest reports them as
   * unexpectedly passing: drop `knownBug` from them.
   */
  knownBug?: boolean;
}

const CASES: Case[] = [
  { name: 'speed compared with a duration', code: `speed.below(minutes(1));`, error: 2345, mentions: ['"ms"', '"m/s"'] },
  { name: 'door held for a speed', code: `door.heldFor(kmh(3));`, error: 2345, mentions: ['"m/s"', '"ms"'] },
  { name: 'door (bool handle) held for a speed', code: `doorB.heldFor(kmh(3));`, error: 2345, mentions: ['"m/s"', '"ms"'] },
  { name: 'misspelt signal name', code: `sig('gnss.sped');`, error: 2345, mentions: ['"gnss.sped"'] },
  { name: 'speed plus a distance', code: `speed.plus(meters(3));`, error: 2345, mentions: ['"m"', '"m/s"'] },
  { name: 'speed constant plus a distance', code: `kmh(50).plus(meters(3));`, error: 2345, mentions: ['"m"', '"m/s"'] },
  { name: 'temperature hysteresis with a voltage', code: `temperature.hysteresis(celsius(2), volts(8));`, error: 2345, mentions: ['"V"', '"degC"'] },
  { name: 'temperature constant hysteresis with a voltage', code: `celsius(5).hysteresis(celsius(2), volts(8));`, error: 2345, mentions: ['"V"', '"degC"'] },
  { name: 'route corridor given as a duration', code: `offRoute(route, seconds(5));`, error: 2345, mentions: ['"ms"', '"m"'] },
  { name: 'implied speed compared with a distance', code: `impliedSpeed().above(meters(3));`, error: 2345, mentions: ['"m"', '"m/s"'] },
  { name: 'distance to a place compared with a speed', code: `distanceTo(route).below(kmh(3));`, error: 2345, mentions: ['"m/s"', '"m"'] },
  { name: 'edge count compared with a speed', code: `doorB.risingCount(minutes(30)).atLeast(kmh(1));`, error: 2345, mentions: ['"m/s"', '"count"'] },
  { name: 'a quantity where a condition is expected', code: `sig('gnss.lat').heldWhen(speed.abs());`, error: 2345, mentions: ['Bool'] },
  { name: 'a quantity as a sequence step', code: `sequence([doorB, kmh(3)], minutes(1));`, error: 2740, mentions: ['Bool'] },
  { name: 'a duration compared with a level', code: `all(doorB, seconds(3).above(level(1)));`, error: 2345, mentions: ['"level"', '"ms"'] },
  { name: 'a parameter whose range is in another unit than its default', code: `param('dwell', minutes(20), { min: kmh(1) });`, error: 2322, mentions: ['"m/s"', '"ms"'] },
  { name: 'a speed compared with a duration parameter', code: `speed.below(param('dwell', minutes(20)));`, error: 2345, mentions: ['"ms"', '"m/s"'] },
];

/** Cases whose error sits inside a rule({...}) literal: the marked line is wrapped in a minimal rule. */
const IN_RULE: Case[] = [
  { name: 'unknown severity', code: `severity: 'urgent',`, error: 2322, mentions: ['"urgent"'] },
  { name: 'attaching a condition (bool signal) as a value', code: `attach: { open: doorB },`, error: 2740, mentions: ['Num<Unit>'] },
  { name: 'attaching a condition (comparison) as a value', code: `attach: { stopped: speed.below(kmh(3)) },`, error: 2740, mentions: ['Num<Unit>'] },
  { name: 'attaching the door signal as a value', code: `attach: { open: door },`, error: 2740, mentions: ['Num<Unit>'] },
  { name: 'a cooldown given as a speed', code: `cooldown: kmh(3),`, error: 2322, mentions: ['"m/s"', '"ms"'] },
  { name: 'a quantity as the condition', code: `when: speed.abs(),`, error: 2740, mentions: ['Bool'] },
];

const CORRECT: Case[] = [
  {
    name: 'a correct rule with the bool handle built directly (as rules/ does while sig() mistypes bool signals)',
    code: [
      `export default rule({`,
      `  name: 'ok', description: 'd', severity: 'critical',`,
      `  when: doorB.isTrue().and(speed.below(kmh(1)), offRoute(route, meters(500))).heldFor(minutes(10)),`,
      `  attach: { cell: sig('cell.id'), lat: sig('gnss.lat'), stops: doorB.risingCount(minutes(30), 8), open: doorB.choose(count(1), count(0)) },`,
      `  cooldown: minutes(30), reportEvery: seconds(10), setOutputs: { 'remote-unlock': 0 },`,
      `});`,
    ].join('\n'),
  },
  {
    name: 'a correct rule through sig() alone',
    code: [
      `export default rule({`,
      `  name: 'ok', description: 'd', severity: 'warning',`,
      `  when: door.isTrue().and(speed.below(kmh(1)), temperature.hysteresis(celsius(7.5), celsius(8))).heldFor(minutes(10)),`,
      `  attach: { temp: temperature, lastLat: sig('gnss.lat').heldWhen(sig('gnss.fix').atLeast(level(1))) },`,
      `});`,
    ].join('\n'),
  },
];

/** Wraps a line that belongs inside rule({...}): it stays first (on the tested line), the other fields follow. */
function inRule(c: Case): Case {
  const fields: string[] = [];
  if (!/^name:/.test(c.code)) fields.push(`name: 'r'`);
  if (!/^description:/.test(c.code)) fields.push(`description: 'd'`);
  if (!/\bseverity:/.test(c.code)) fields.push(`severity: 'info'`);
  if (!/\bwhen:/.test(c.code)) fields.push(`when: doorB.isTrue()`);
  return { ...c, code: `export default rule({ ${c.code}\n  ${fields.join(', ')},\n});` };
}

/**
 * Every `@example` of the DSL's declarations, as docs/DSL.md shows them (harness/dsl-doc.ts): each must type-check,
 * so the documentation cannot show a call that does not compile. Rule-field examples are wrapped in a rule.
 */
const EXAMPLES: Case[] = [
  ...dslEntries().map((e) => ({ name: `docs/DSL.md example of ${e.on ? e.on + '.' : ''}${e.name}`, code: `${e.example};` })),
  ...ruleFields().map((f) => inRule({ name: `docs/DSL.md example of rule field ${f.name}`, code: `${f.example},` })),
];

const ALL: Case[] = [...CASES, ...IN_RULE.map(inRule), ...CORRECT, ...EXAMPLES];

interface Found { code: number; line: number; message: string }

function typeCheck(cases: Case[]): Map<string, Found[]> {
  const files = new Map<string, string>();
  const fileOf = new Map<string, string>();
  cases.forEach((c, i) => {
    const file = join(VIRTUAL, `case-${i}.ts`);
    files.set(file, [...PRELUDE, c.code, ''].join('\n'));
    fileOf.set(c.name, file);
  });
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true, skipLibCheck: true,
    resolveJsonModule: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
  };
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) => {
    const text = files.get(name);
    return text !== undefined ? ts.createSourceFile(name, text, lang, true) : getSourceFile.call(host, name, lang, ...rest);
  };
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
  const program = ts.createProgram([...files.keys()], options, host);
  const found = new Map<string, Found[]>();
  for (const c of cases) {
    const sf = program.getSourceFile(fileOf.get(c.name)!)!;
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    found.set(c.name, diags.map((d) => ({
      code: d.code,
      line: d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    })));
  }
  return found;
}

test('every operator, function and rule field of the DSL has a doc comment and an example (docs/DSL.md lists them)', () => {
  const entries = [...dslEntries(), ...ruleFields()];
  expect(entries.length).toBeGreaterThan(50);
  expect(entries.filter((e) => !e.doc || !e.example).map((e) => `${e.file}: ${e.on}.${e.name}`)).toEqual([]);
});

describe('units are checked by the type checker', () => {
  let found: Map<string, Found[]>;
  beforeAll(() => {
    found = typeCheck(ALL);
  }, 60_000);

  const line = PRELUDE.length + 1;
  for (const c of ALL) {
    const run = c.knownBug ? test.fails : test;
    if (c.error === undefined) {
      run(`${c.name}: no error`, () => {
        expect(found.get(c.name)).toEqual([]);
      });
    } else {
      run(`${c.name}: TS${c.error} on line ${line}`, () => {
        const errors = found.get(c.name)!;
        expect(errors.map((e) => ({ code: e.code, line: e.line })), errors.map((e) => e.message).join('\n')).toEqual([{ code: c.error, line }]);
        for (const text of c.mentions ?? []) expect(errors[0].message).toContain(text);
      });
    }
  }
});
