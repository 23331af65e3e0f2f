/**
 * The compiler pipeline's entry point: rule files → verified bundle + source-map sidecar + budget.
 *   loadRules (load.ts) → lower (lower.ts) → emit (emit.ts) → verify (runtime/engine/verify.ts, the device's own checks)
 */
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { loadRules } from './load.ts';
import { lower, declaredParams, type LoweredParam } from './lower.ts';
import { parseParamValue } from './dsl/param.ts';
import { emit, type Emitted } from './emit.ts';
import { verify } from '../runtime/engine/verify.ts';
import { CompileError, type Diagnostic } from './diagnostics.ts';
import { describeFault } from './faults.ts';
import type { Profile, Rule } from './dsl/rule.ts';
import { FULL_PROFILE } from './profiles.ts';
import { ruleBudgets, type RuleBudget } from './budget.ts';

export interface SidecarMap {
  version: 1;
  bundleSha256: string;
  profile: string;
  rules: Array<{ id: number; name: string; description: string; severity: number; attach: string[]; outputs: string[]; file?: string; line?: number; col?: number }>;
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
}

/** Parameter values: numbers in the parameter's base unit, or text with a unit ("30min", "12km/h"). */
export type ParamValues = Record<string, number | string>;

export interface CompileOptions { profile?: string; cwd?: string; params?: ParamValues }

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

export function selectProfile(profiles: Profile[], name: string | undefined): Profile | Diagnostic {
  if (!name || name === FULL_PROFILE.name) return FULL_PROFILE;
  const found = profiles.find((p) => p.name === name);
  if (found) return found;
  return { code: 'ER107', severity: 'error', message: `unknown profile '${name}'; known: ${[FULL_PROFILE.name, ...profiles.map((p) => p.name)].join(', ')}` };
}

/** Compiles already-loaded rules (tests and the simulator use this directly). */
export function compileRules(rules: Rule[], profile: Profile, cwd = process.cwd(), params: ParamValues = {}): Compiled {
  if (!rules.length) throw new CompileError([{ code: 'ER002', severity: 'error', message: 'no rules found: a rule file exports rule({...}) values' }]);
  const lowered = lower(rules, profile, paramNumbers(rules, params));
  if (lowered.diagnostics.some((d) => d.severity === 'error')) throw new CompileError(lowered.diagnostics);
  let emitted: Emitted;
  try {
    emitted = emit(lowered);
  } catch (e) {
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
      id: r.id, name: r.name, description: r.description, severity: r.severity, attach: r.attach.map((a) => a.name), outputs: r.outputs.map((o) => o.name),
      ...(r.loc ? { file: relative(cwd, r.loc.file), line: r.loc.line, col: r.loc.col } : {}),
    })),
    units: emitted.units,
    geometries: emitted.geometries.map((g, index) => ({ index, kind: g.kind, name: g.name, source: relative(cwd, g.source) })),
    lines: emitted.sourceMap.filter((m) => m.loc).map((m) => ({ at: m.at, file: relative(cwd, m.loc!.file), line: m.loc!.line, col: m.loc!.col })),
    ...(lowered.params ? { params: lowered.params } : {}),
  };
  return { bytes: emitted.bytes, map, budget, diagnostics: lowered.diagnostics, emitted };
}

/** Loads rule files/folders and compiles them for a profile. */
export async function compileFiles(paths: string[], options: CompileOptions = {}): Promise<Compiled> {
  const loaded = await loadRules(paths);
  if (loaded.diagnostics.length) throw new CompileError(loaded.diagnostics);
  const profile = selectProfile(loaded.profiles, options.profile);
  if ('code' in profile) throw new CompileError([profile]);
  return compileRules(loaded.rules, profile, options.cwd, options.params);
}
