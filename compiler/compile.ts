/**
 * The compiler pipeline's entry point: rule files → verified bundle + source-map sidecar + budget.
 *   loadRules (load.ts) → lower (lower.ts) → emit (emit.ts) → verify (runtime/engine/verify.ts, the device's own checks)
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadRules, ruleFiles } from './load.ts';
import { lower, declaredParams, type LoweredParam } from './lower.ts';
import { parseParamValue } from './dsl/param.ts';
import { emit, type Emitted } from './emit.ts';
import { verify } from '../runtime/engine/verify.ts';
import { CompileError, type Diagnostic } from './diagnostics.ts';
import { describeFault } from './faults.ts';
import type { Profile, Rule } from './dsl/rule.ts';
import { FULL_PROFILE } from './profiles.ts';
import { ruleBudgets, type RuleBudget } from './budget.ts';
import { unitOfValue } from './value-units.ts';

export interface SidecarMap {
  version: 1;
  bundleSha256: string;
  profile: string;
  rules: Array<{
    id: number; name: string; description: string; severity: number; attach: string[];
    /** Unit of each attached value (catalogue unit names; null for a plain number). */
    attachUnits: Array<string | null>;
    outputs: string[]; file?: string; line?: number; col?: number;
  }>;
  units: Array<{ index: number; kind: 'derived' | 'rule'; id: number; name: string; codeStart: number; codeEnd: number; deps: number[] }>;
  /** Geometry index (G0, G1…) → the GeoJSON feature it came from, for reports and disassembly. */
  geometries: Array<{ index: number; kind: string; name: string; source: string }>;
  /** Code-section offset → source location (file relative to the map's directory's cwd at compile time). */
  lines: Array<{ at: number; file: string; line: number; col: number }>;
  /** Parameters (param() in the DSL) with the value compiled in; absent when no rule declares one. */
  params?: LoweredParam[];
}

export interface Compiled {
  bytes: Uint8Array;
  map: SidecarMap;
  budget: RuleBudget[];
  diagnostics: Diagnostic[];
  emitted: Emitted;
  /** The profile compiled for (its outputs are numbered by position: the ids a device's output() receives). */
  profile: Profile;
}

/** Parameter values: numbers in the parameter's base unit, or text with a unit ("30min", "12km/h"). */
export type ParamValues = Record<string, number | string>;

export interface CompileOptions {
  profile?: string;
  cwd?: string;
  params?: ParamValues;
  /** Type-check the rule files (and what they import) before loading them (compiler/typecheck.ts); the CLI's default. */
  typecheck?: boolean;
}

/** Text values ("30min") → numbers in each parameter's unit; a malformed one is an ER110 error. */
export function paramNumbers(rules: Rule[], values: ParamValues = {}): Record<string, number> {
  let decls: ReturnType<typeof declaredParams>;
  try {
    decls = declaredParams(rules);
  } catch {
    decls = new Map(); // lowering reports the conflict (ER111) or the malformed rule
  }
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(values)) {
    const decl = decls.get(name);
    if (typeof v === 'number' || !decl) { out[name] = Number(v); continue; }
    try {
      out[name] = parseParamValue(v, decl.unit, name);
    } catch (e) {
      throw new CompileError([{ code: 'ER110', severity: 'error', message: (e as Error).message }]);
    }
  }
  return out;
}

export function selectProfile(profiles: Profile[], name: string | undefined, searched: string[] = []): Profile | Diagnostic {
  if (!name || name === FULL_PROFILE.name) return FULL_PROFILE;
  const found = profiles.find((p) => p.name === name);
  if (found) return found;
  const where = searched.length ? `the rule files and ${searched.map((f) => relative(process.cwd(), f) || f).join(', ')}` : 'the rule files; no profiles.ts beside or above them';
  return {
    code: 'ER107', severity: 'error',
    message: `unknown profile '${name}'; known: ${[FULL_PROFILE.name, ...profiles.map((p) => p.name)].join(', ')} (from ${where}); ` +
      'to use another, add the file that exports it to the rule files, or name it profiles.ts beside or above them',
  };
}

/**
 * Files named profiles.ts beside the rules or above them, up to the project root (the nearest folder with a
 * package.json), and rules/profiles.ts in that root: where `--profile NAME` looks when the rule files themselves
 * do not export the profile.
 */
export function profileFiles(paths: string[]): string[] {
  const found = new Set<string>();
  for (const p of paths) {
    let dir = resolve(p);
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
    for (; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'profiles.ts'))) found.add(join(dir, 'profiles.ts'));
      const root = existsSync(join(dir, 'package.json'));
      if (root && existsSync(join(dir, 'rules', 'profiles.ts'))) found.add(join(dir, 'rules', 'profiles.ts'));
      if (root || dirname(dir) === dir) break;
    }
  }
  return [...found];
}

/** Compiles already-loaded rules (tests and the simulator use this directly). */
export function compileRules(rules: Rule[], profile: Profile, cwd = process.cwd(), params: ParamValues = {}): Compiled {
  if (!rules.length) throw new CompileError([{ code: 'ER002', severity: 'error', message: 'no rules found: a rule file exports rule({...}) values' }]);
  const lowered = lower(rules, profile, paramNumbers(rules, params));
  if (lowered.diagnostics.some((d) => d.severity === 'error')) throw new CompileError(lowered.diagnostics);
  let emitted: Emitted;
  try {
    emitted = emit(lowered, profile.name);
  } catch (e) {
    if (e instanceof CompileError) throw e;
    throw new CompileError([{ code: 'ER201', severity: 'error', message: (e as Error).message }]);
  }
  const program = verify(emitted.bytes);
  if (program.fault) {
    throw new CompileError([{ code: program.fault === 5 ? 'ER201' : 'ER202', severity: 'error', message: describeFault(program.fault, program.faultAt) }]);
  }
  const budget = ruleBudgets(lowered.rules, emitted.units, program);
  const map: SidecarMap = {
    version: 1,
    bundleSha256: createHash('sha256').update(emitted.bytes).digest('hex'),
    profile: profile.name,
    rules: lowered.rules.map((r) => ({
      id: r.id, name: r.name, description: r.description, severity: r.severity, attach: r.attach.map((a) => a.name),
      attachUnits: r.attach.map((a) => unitOfValue(a.node)), outputs: r.outputs.map((o) => o.name),
      ...(r.loc ? { file: relative(cwd, r.loc.file), line: r.loc.line, col: r.loc.col } : {}),
    })),
    units: emitted.units,
    geometries: emitted.geometries.map((g, index) => ({ index, kind: g.kind, name: g.name, source: relative(cwd, g.source) })),
    lines: emitted.sourceMap.filter((m) => m.loc).map((m) => ({ at: m.at, file: relative(cwd, m.loc!.file), line: m.loc!.line, col: m.loc!.col })),
    ...(lowered.params ? { params: lowered.params } : {}),
  };
  return { bytes: emitted.bytes, map, budget, diagnostics: lowered.diagnostics, emitted, profile };
}

/** Type-checks `files` when asked to; a type error stops the compile before any rule module runs. */
async function checkTypes(files: string[], options: CompileOptions): Promise<Diagnostic[]> {
  if (!options.typecheck) return [];
  const { typeCheck } = await import('./typecheck.ts');
  const { diagnostics } = await typeCheck(files);
  if (diagnostics.some((d) => d.severity === 'error')) throw new CompileError(diagnostics);
  return diagnostics;
}

/** Loads rule files/folders (type-checked first with `typecheck`) and compiles them for a profile. */
export async function compileFiles(paths: string[], options: CompileOptions = {}): Promise<Compiled> {
  const warnings = await checkTypes(ruleFiles(paths), options);
  const loaded = await loadRules(paths);
  if (loaded.diagnostics.length) throw new CompileError(loaded.diagnostics);
  let profile = selectProfile(loaded.profiles, options.profile);
  if ('code' in profile) {
    const more = profileFiles(paths).filter((f) => !loaded.files.includes(f));
    if (more.length) {
      warnings.push(...await checkTypes(more, options));
      const extra = await loadRules(more);
      if (extra.diagnostics.length) throw new CompileError(extra.diagnostics);
      profile = selectProfile([...loaded.profiles, ...extra.profiles], options.profile, more);
    }
  }
  if ('code' in profile) throw new CompileError([profile]);
  const compiled = compileRules(loaded.rules, profile, options.cwd, options.params);
  compiled.diagnostics.unshift(...warnings);
  return compiled;
}
