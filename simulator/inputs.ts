/**
 * Inputs of a replay: the bundle (a compiled file with its sidecar map, or rule sources compiled on the spot)
 * and the recordings (read by simulator/trace, merged into one time-ordered stream).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { SidecarMap } from '../compiler/compile.ts';
import { severityName } from '../runtime/engine/severity.ts';
import { readTrace, mergeTraces, type TraceResult, type TraceIssue, type SampleColumns } from './trace/index.ts';


export interface RuleInfo { id: number; name: string; severity: string; attach: string[]; description: string }

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
  return (map?.rules ?? []).map((r) => ({ id: r.id, name: r.name, severity: severityName(r.severity), attach: r.attach, description: r.description }));
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
  const info = { id, name: `rule#${id}`, severity: severityName(severity), attach: Array.from({ length: n }, (_, i) => `v${i}`), description: '' };
  b.ruleById.set(id, info);
  return info;
}

/**
 * A bundle file (its sidecar `<bundle>.map.json` is read when present), or rule sources — a folder or .ts
 * files — compiled here with the given profile.
 */
export async function loadBundle(path: string, opts: { profile?: string; map?: string } = {}): Promise<LoadedBundle> {
  if (!existsSync(path)) throw new Error(`${path}: no such bundle or rule folder`);
  const isSource = statSync(path).isDirectory() || /\.(ts|mts)$/.test(path);
  if (isSource) {
    const { compileFiles } = await import('../compiler/compile.ts');
    const c = await compileFiles([path], { profile: opts.profile });
    return bundleFrom(path, c.bytes, c.map, c.emitted.geometries.map((g) => g.name));
  }
  const bytes = new Uint8Array(readFileSync(path));
  const mapPath = opts.map ?? path + '.map.json';
  let map: SidecarMap | undefined;
  if (existsSync(mapPath)) {
    map = JSON.parse(readFileSync(mapPath, 'utf8')) as SidecarMap;
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (map.bundleSha256 && map.bundleSha256 !== sha) throw new Error(`${mapPath}: sidecar map belongs to another bundle (sha256 ${map.bundleSha256.slice(0, 12)}…, bundle is ${sha.slice(0, 12)}…)`);
  } else if (opts.map) {
    throw new Error(`${opts.map}: no such sidecar map`);
  }
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

/** Reads and merges recordings; `startMs` places undated recordings (time since start) on the calendar. */
export function readInputs(paths: string[], opts: { offsets?: number[]; startMs?: number } = {}): ReadInputs {
  if (!paths.length) throw new Error('no trace given');
  const started = performance.now();
  const results: TraceResult[] = paths.map((p) => readTrace(p, opts.startMs !== undefined ? { startMs: opts.startMs } : {}));
  const merged = results.length === 1 && !(opts.offsets?.[0])
    ? { samples: results[0].samples, issues: results[0].issues, stats: { ...results[0].stats, files: 1 } }
    : mergeTraces(results, opts.offsets ?? []);
  const readMs = performance.now() - started;
  return {
    traces: results.map((r) => ({ file: r.file, name: basename(r.file), format: r.format, samples: r.samples.length, hasDate: r.hasDate, stats: r.stats, issues: r.issues.length })),
    samples: merged.samples,
    issues: merged.issues,
    stats: merged.stats,
    readMs,
  };
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
