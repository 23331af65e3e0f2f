/**
 * Batch replays: every recording in a folder, spread over worker threads.
 *
 * Units, in sorted order: each trace file directly in the folder is one unit; each folder below it (at any depth)
 * that holds files is one unit of the files in it. A unit is replayed by one worker, which reads its files and
 * splits them into drives (drives.ts: files merge only when they are one trip — different signals over the same
 * time, or one continuing the other — never two recordings of the same signals, never across a long gap), so a
 * unit gives one result per drive, each saying what was merged and why. Files that are not traces are skipped with
 * a note: by name (README, licence, Markdown, JSON, images…) or, for .txt and .log files, when their content is no
 * trace format. A unit's own expectations, if present, are checked too: `<name>.expect.json` beside a file (name
 * without its extension), `expect.json` inside a sub-folder (for each drive in it).
 *
 * `--shard k/n` keeps units k-1, k-1+n, k-1+2n, … of the sorted list: every unit lands in exactly one shard, and
 * the same shard always gets the same units. Results are reported in unit order whatever order workers finish in.
 * Workers run a pre-built bundle of batch-worker.ts (see prebuiltWorker), or else load the TypeScript sources
 * through cli/register-ts.mjs (execArgv), like the CLI does.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadedBundle } from './inputs.ts';
import type { ExpectationReport } from './expect.ts';
import type { MachineSummary } from './summary.ts';
import type { CsvMapping } from './trace/index.ts';
import { sourceImportMetaUrl } from '../cli/source-urls.ts';

export interface BatchUnit {
  id: string;
  /** Files that may be traces: by extension for sure (.nmea, .gpx, .csv, …), or to be seen (.txt, .log). */
  traces: string[];
  expect?: string;
  /** Files of the unit skipped by name, each with why. */
  skipped?: string[];
}

/** Extensions that are trace formats: a file that fails to read is an error. */
const TRACE_EXT = new Set(['.nmea', '.nma', '.gpx', '.csv', '.tsv', '.jsonl', '.ndjson', '.cbor', '.cbors']);
/** Extensions that may hold a trace (NMEA logs) or anything else: a file that is no trace is skipped with a note. */
const MAYBE_TRACE_EXT = new Set(['.log', '.txt']);
const NOT_TRACE = /^(readme|licen[cs]e|copying|notice|changelog)|\.(md|json|html|xml|pdf|png|jpe?g|geojson)$|^\./i;

/** True when a file of this name is read as a trace only if its content turns out to be one. */
export function maybeTrace(name: string): boolean {
  return MAYBE_TRACE_EXT.has(extname(name).toLowerCase());
}

function isTrace(name: string): boolean {
  const ext = extname(name).toLowerCase();
  return !NOT_TRACE.test(name) && (TRACE_EXT.has(ext) || MAYBE_TRACE_EXT.has(ext)) && !name.endsWith('.expect.json');
}

/** Why a file is not a trace by its name, or undefined when it may be one. */
function notTraceReason(name: string): string | undefined {
  if (name.endsWith('.expect.json') || name === 'expect.json') return undefined; // expectations: used, not noted
  if (isTrace(name)) return undefined;
  return NOT_TRACE.test(name) ? 'not a trace by its name' : `not a trace format (${extname(name) || 'no extension'})`;
}

/** Every folder below `dir` that holds files, in sorted order (depth first). */
function foldersWithFiles(dir: string, rel: string, out: Array<{ path: string; id: string; files: string[] }>): void {
  const names = readdirSync(dir).sort().filter((n) => !n.startsWith('.'));
  const files = names.filter((n) => statSync(join(dir, n)).isFile());
  if (rel && files.length) out.push({ path: dir, id: rel, files });
  for (const n of names) if (statSync(join(dir, n)).isDirectory()) foldersWithFiles(join(dir, n), rel ? `${rel}/${n}` : n, out);
}

export function batchUnits(folder: string): BatchUnit[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`${folder}: not a folder`);
  const units: BatchUnit[] = [];
  const top = readdirSync(folder).sort().filter((n) => statSync(join(folder, n)).isFile());
  for (const name of top) {
    if (!isTrace(name)) continue;
    const own = join(folder, basename(name, extname(name)) + '.expect.json');
    units.push({ id: name, traces: [join(folder, name)], expect: existsSync(own) ? own : undefined });
  }
  const folders: Array<{ path: string; id: string; files: string[] }> = [];
  foldersWithFiles(folder, '', folders);
  for (const f of folders) {
    const skipped = f.files.filter((n) => notTraceReason(n)).map((n) => `${n} skipped: ${notTraceReason(n)}`);
    units.push({
      id: f.id, traces: f.files.filter(isTrace).map((n) => join(f.path, n)),
      expect: existsSync(join(f.path, 'expect.json')) ? join(f.path, 'expect.json') : undefined,
      ...(skipped.length ? { skipped } : {}),
    });
  }
  return units.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Notes for the files directly in the batch folder that are not traces (README, licences, …). */
export function skippedAtTop(folder: string): string[] {
  return readdirSync(folder).sort()
    .filter((n) => !n.startsWith('.') && statSync(join(folder, n)).isFile() && !isTrace(n) && !n.endsWith('.expect.json'))
    .map((n) => `${n} skipped: ${notTraceReason(n)}`);
}

/** "2/8" → units with index % 8 === 1. */
export function parseShard(text: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`--shard ${text}: expected k/n, e.g. 2/8`);
  const k = Number(m[1]), n = Number(m[2]);
  if (!(n >= 1 && k >= 1 && k <= n)) throw new Error(`--shard ${text}: need 1 ≤ k ≤ n`);
  return { k, n };
}

export function shardUnits<T>(units: T[], shard?: { k: number; n: number }): T[] {
  if (!shard) return units;
  return units.filter((_, i) => i % shard.n === shard.k - 1);
}

/** What a worker needs to replay a unit (all structured-clonable). */
export interface BatchJob {
  bundle: { source: string; bytes: Uint8Array; map?: unknown; geometryNames?: string[] };
  scenario?: string;
  expect?: string;
  startMs?: number;
  untilRel?: number;
  outDir?: string;
  report: boolean;
  signer?: { seed: Uint8Array; device: number; signing: 'per-event' | 'checkpoint' };
  csvMap?: CsvMapping;
  maxGapMs?: number;
  /** Reader or merge issues fail a drive (--strict). */
  strict?: boolean;
}

/** One drive of a unit (or the unit itself when nothing of it could be replayed). */
export interface UnitResult {
  /** The unit's index in the list given to runBatch. */
  index: number;
  /** The unit's id. */
  unit: string;
  /** The drive's id: the unit's id when the unit is one drive, else `<unit>/<file>` or `<unit>/<file>+<file>`. */
  id: string;
  traces: string[];
  ok: boolean;
  /** Nothing to replay in the unit (no traces in it): reported, not a failure. */
  skipped?: boolean;
  error?: string;
  summary?: MachineSummary;
  expectations: ExpectationReport[];
  outDir?: string;
  /** What the batch decided for the unit's files (merged, split, skipped) and why: on the unit's first result. */
  notes: string[];
}

const WORKER = fileURLToPath(new URL('./batch-worker.ts', import.meta.url));
const REGISTER = fileURLToPath(new URL('../cli/register-ts.mjs', import.meta.url));
const SIGNING = new URL('../runtime/signing/events.ts', import.meta.url);

const built = new Map<string, Promise<string | undefined>>();

/**
 * The worker as one pre-built script (esbuild, into the temp folder, named by its content hash): a worker that
 * loads ~40 TypeScript files through the loader hook takes ~2 s to start, a pre-built one ~0.1 s. Each module's
 * `import.meta.url` is replaced by its source file's URL so relative paths (dist/edgerule-runtime.js) still resolve.
 * Undefined when esbuild is unavailable: then workers load the TypeScript sources.
 */
export function prebuiltWorker(): Promise<string | undefined> {
  return prebuiltScript(WORKER);
}

/** Any worker entry (a .ts file) pre-built the same way (qa/pool.ts uses it for the QA job threads). */
export function prebuiltScript(entry: string): Promise<string | undefined> {
  const cached = built.get(entry);
  if (cached) return cached;
  const script = (async () => {
    try {
      const { build } = await import('esbuild');
      const out = await build({
        entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent',
        plugins: [sourceImportMetaUrl],
      });
      const code = out.outputFiles[0].text;
      const file = join(tmpdir(), `edgerule-${basename(entry, extname(entry))}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
      if (!existsSync(file)) {
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, code);
        await rename(tmp, file);
      }
      return file;
    } catch {
      return undefined;
    }
  })();
  built.set(entry, script);
  return script;
}

/** Replays the units on worker threads; the results of every unit's drives, in unit order. */
export async function runBatch(bundle: LoadedBundle, units: BatchUnit[], job: Omit<BatchJob, 'bundle'>, opts: { jobs?: number; prebuilt?: boolean; onDone?(r: UnitResult[], done: number, total: number): void } = {}): Promise<UnitResult[]> {
  const perUnit: UnitResult[][] = new Array(units.length);
  if (!units.length) return [];
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), units.length));
  const shared: BatchJob = { ...job, bundle: { source: bundle.source, bytes: bundle.bytes, map: bundle.map, geometryNames: bundle.geometryNames } };
  // TypeScript still has to load at run time for a .ts scenario or the signing module: keep the loader then.
  const needsTs = /\.(ts|mts)$/.test(job.scenario ?? '') || existsSync(SIGNING);
  const script = opts.prebuilt === false ? undefined : await prebuiltWorker();
  const entry = script ?? WORKER;
  const execArgv = script && !needsTs ? [] : ['--import', REGISTER];
  let next = 0, done = 0;
  await Promise.all(Array.from({ length: jobs }, () => new Promise<void>((resolveWorker, reject) => {
    const w = new Worker(entry, { execArgv, workerData: shared, stdout: false, stderr: false });
    const feed = () => {
      if (next >= units.length) { void w.terminate().then(() => resolveWorker()); return; }
      const index = next++;
      w.postMessage({ index, unit: units[index] });
    };
    w.on('message', (m: { index: number; results: UnitResult[] }) => {
      perUnit[m.index] = m.results;
      done++;
      opts.onDone?.(m.results, done, units.length);
      feed();
    });
    w.on('error', reject);
    w.on('online', feed);
  })));
  return perUnit.flat();
}

/** Output folder name of a unit: its id with anything unusual replaced. */
export function unitDir(outDir: string, id: string): string {
  return join(outDir, id.replace(/[^A-Za-z0-9._-]+/g, '_'));
}
