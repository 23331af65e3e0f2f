/**
 * Inputs of a replay: the bundle (a compiled file with its sidecar map, or rule sources compiled on the spot)
 * and the recordings (read by simulator/trace, merged into one time-ordered stream).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { SidecarMap } from '../compiler/compile.ts';
import { readSidecar } from '../compiler/sidecar.ts';
import { refusal } from '../compiler/disasm.ts';
import { verify } from '../runtime/engine/verify.ts';
import { severityName } from '../runtime/engine/severity.ts';
import { CliError } from '../cli/errors.ts';
import { readInput } from '../cli/input.ts';
import { readTrace, mergeTraces, type TraceResult, type TraceIssue, type SampleColumns, type CsvMapping } from './trace/index.ts';
import { DEFAULT_MAX_GAP_MS, mergeWarnings } from './drives.ts';


export interface RuleInfo {
  id: number; name: string; severity: string; attach: string[]; description: string;
  /** Catalogue unit of each attached value (null: a bare number, or unknown without a sidecar). */
  attachUnits: Array<string | null>;
}

export interface LoadedBundle {
  /** What the user named (bundle file or rule sources). */
  source: string;
  bytes: Uint8Array;
  sha256: string;
  map?: SidecarMap;
  /** Geometry names by bundle index, when known (compiled here, or a sidecar that carries them). */
  geometryNames?: string[];
  rules: RuleInfo[];
  /** Lookup by rule id. */
  ruleById: Map<number, RuleInfo>;
}

function rulesOf(map: SidecarMap | undefined): RuleInfo[] {
  return (map?.rules ?? []).map((r) => ({
    id: r.id, name: r.name, severity: severityName(r.severity), attach: r.attach, description: r.description,
    attachUnits: r.attach.map((_, i) => r.attachUnits?.[i] ?? null),
  }));
}

export function bundleFrom(source: string, bytes: Uint8Array, map?: SidecarMap, geometryNames?: string[]): LoadedBundle {
  const rules = rulesOf(map);
  return {
    source, bytes, map, geometryNames, rules,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ruleById: new Map(rules.map((r) => [r.id, r])),
  };
}

/** Name, severity and attachment names of rule `id` — from the sidecar, or placeholders without one. */
export function ruleInfo(b: LoadedBundle, id: number, severity: number, n: number): RuleInfo {
  const known = b.ruleById.get(id);
  if (known) return known;
  const info = { id, name: `rule#${id}`, severity: severityName(severity), attach: Array.from({ length: n }, (_, i) => `v${i}`), description: '', attachUnits: new Array<null>(n).fill(null) };
  b.ruleById.set(id, info);
  return info;
}

/**
 * A bundle file (its sidecar `<bundle>.map.json` is read when present), or rule sources — a folder or .ts
 * files — compiled here with the given profile (type-checked first unless `typecheck` is false). A file the device's
 * verifier refuses is refused here too, in the words `edgerule inspect` uses (file, byte, fault, rule broken).
 */
export async function loadBundle(path: string, opts: { profile?: string; map?: string; typecheck?: boolean } = {}): Promise<LoadedBundle> {
  if (!existsSync(path)) throw new CliError(`${path}: no such bundle or rule folder`);
  const isSource = statSync(path).isDirectory() || /\.(ts|mts)$/.test(path);
  if (isSource) {
    const { compileFiles } = await import('../compiler/compile.ts');
    const c = await compileFiles([path], { profile: opts.profile, typecheck: opts.typecheck ?? true });
    return bundleFrom(path, c.bytes, c.map, c.emitted.geometries.map((g) => g.name));
  }
  const bytes = readInput(path, 'bundle');
  const map = readSidecar(path, bytes, opts.map);
  const p = verify(bytes);
  if (p.fault) throw new CliError(refusal(bytes, p.fault, p.faultAt, path, map));
  const names = (map as { geometries?: Array<{ name?: string }> } | undefined)?.geometries?.map((g, i) => g.name ?? `G${i}`);
  return bundleFrom(path, bytes, map, names);
}

export interface TraceSummary { file: string; name: string; format: string; samples: number; hasDate: boolean; stats: Record<string, number>; issues: number }

export interface ReadInputs {
  traces: TraceSummary[];
  samples: SampleColumns;
  issues: TraceIssue[];
  stats: Record<string, number>;
  /** Reading and merging, wall ms. */
  readMs: number;
}

export interface InputOptions {
  /** Offsets stated for the first files (ms); a file without one is merged as recorded. */
  offsets?: number[];
  /** Places undated recordings (time since start) on the calendar. */
  startMs?: number;
  /** Column mapping for CSV files whose header no preset recognises (--csv-map). */
  csvMap?: CsvMapping;
  /** Gaps longer than this are issues (default DEFAULT_MAX_GAP_MS). */
  maxGapMs?: number;
}

/** Reads each recording (see simulator/trace/read.ts). */
export function readTraces(paths: string[], opts: InputOptions = {}): TraceResult[] {
  if (!paths.length) throw new Error('no trace given');
  return paths.map((p) => readTrace(p, { ...(opts.startMs !== undefined ? { startMs: opts.startMs } : {}), ...(opts.csvMap ? { csvFallback: opts.csvMap } : {}) }));
}

/** Merges read recordings into one stream; the issues are every reader's, then the merge's (drives.ts). */
export function mergeInputs(results: TraceResult[], opts: InputOptions = {}, readMs = 0): ReadInputs {
  const started = performance.now();
  const offsets = results.map((_, i) => opts.offsets?.[i]);
  const merged = results.length === 1 && !(opts.offsets?.[0])
    ? { samples: results[0].samples, issues: [...results[0].issues], stats: { ...results[0].stats, files: 1 } }
    : mergeTraces(results, opts.offsets ?? []);
  merged.issues.push(...mergeWarnings(results, offsets, { maxGapMs: opts.maxGapMs ?? DEFAULT_MAX_GAP_MS, placed: opts.startMs !== undefined }));
  return {
    traces: results.map((r) => ({ file: r.file, name: basename(r.file), format: r.format, samples: r.samples.length, hasDate: r.hasDate, stats: r.stats, issues: r.issues.length })),
    samples: merged.samples,
    issues: merged.issues,
    stats: merged.stats,
    readMs: readMs + performance.now() - started,
  };
}

/** Reads and merges recordings; `startMs` places undated recordings (time since start) on the calendar. */
export function readInputs(paths: string[], opts: InputOptions = {}): ReadInputs {
  const started = performance.now();
  const results = readTraces(paths, opts);
  return mergeInputs(results, opts, performance.now() - started);
}

/** Why samples did not reach the replay, counted per reason over all files (reader stats that mean "skipped"). */
export function skippedReasons(traces: TraceSummary[], mergeStats: Record<string, number>): Array<{ reason: string; count: number }> {
  const labels: Record<string, string> = {
    droppedBackwards: 'time went backwards (record dropped)',
    badRows: 'unreadable CSV rows',
    badValues: 'unreadable CSV values',
    checksumErrors: 'NMEA checksum errors',
    malformed: 'malformed NMEA sentences',
    notNmea: 'lines that are not NMEA',
    garbageLines: 'garbage lines',
    untimedEpochs: 'NMEA epochs without time',
    emptyEpochs: 'NMEA epochs without data',
    pointsWithoutTime: 'GPX points without time',
    badPoints: 'unusable GPX points',
    waypointsSkipped: 'GPX waypoints (track present)',
    invalidRecords: 'native records that break the schema',
    badJson: 'JSON Lines that are not JSON',
  };
  const counts = new Map<string, number>();
  const bump = (reason: string, n: number) => { if (n > 0) counts.set(reason, (counts.get(reason) ?? 0) + n); };
  for (const t of traces) {
    for (const [k, v] of Object.entries(t.stats)) {
      if (labels[k]) bump(labels[k], v);
      else if (k.startsWith('ignored.')) bump(`sentence type ${k.slice(8)} (no catalogue signal)`, v);
      else if (k.startsWith('proprietary.')) bump(`proprietary sentence $${k.slice(12)}`, v);
      else if (k.startsWith('outOfRange.')) bump(`${k.slice(11)} outside its catalogue range`, v);
    }
  }
  bump('out of time order at merge', mergeStats.mergeDroppedSamples ?? 0);
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
}
