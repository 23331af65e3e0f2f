/**
 * Batch replays: every recording in a folder, spread over worker threads.
 *
 * Units, in sorted order: each trace file directly in the folder is one replay; each sub-folder is one replay of
 * all the trace files in it merged (e.g. a GPS CSV and an accelerometer CSV of the same trip). README, licence,
 * Markdown and JSON files are not traces. A unit's own expectations, if present, are checked too:
 * `<name>.expect.json` beside a file (name without its extension), `expect.json` inside a sub-folder.
 *
 * `--shard k/n` keeps units k-1, k-1+n, k-1+2n, … of the sorted list: every unit lands in exactly one shard, and
 * the same shard always gets the same units. Results are reported in unit order whatever order workers finish in.
 * Workers run a pre-built bundle of batch-worker.ts (see prebuiltWorker), or else load the TypeScript sources
 * through cli/register-ts.mjs (execArgv), like the CLI does.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadedBundle } from './inputs.ts';
import type { ExpectationReport } from './expect.ts';
import type { MachineSummary } from './summary.ts';

export interface BatchUnit { id: string; traces: string[]; expect?: string }

const TRACE_EXT = new Set(['.nmea', '.nma', '.log', '.gpx', '.csv', '.tsv', '.jsonl', '.ndjson', '.cbor', '.cbors', '.txt']);
const NOT_TRACE = /^(readme|licen[cs]e|copying|notice|changelog)|\.(md|json|html|xml|pdf|png|jpe?g|geojson)$|^\./i;

function isTrace(name: string): boolean {
  return !NOT_TRACE.test(name) && TRACE_EXT.has(extname(name).toLowerCase()) && !name.endsWith('.expect.json');
}

export function batchUnits(folder: string): BatchUnit[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`${folder}: not a folder`);
  const units: BatchUnit[] = [];
  for (const name of readdirSync(folder).sort()) {
    const p = join(folder, name);
    if (statSync(p).isDirectory()) {
      const traces = readdirSync(p).sort().filter((f) => isTrace(f) && statSync(join(p, f)).isFile()).map((f) => join(p, f));
      if (traces.length) units.push({ id: name, traces, expect: existsSync(join(p, 'expect.json')) ? join(p, 'expect.json') : undefined });
    } else if (isTrace(name)) {
      const own = join(folder, basename(name, extname(name)) + '.expect.json');
      units.push({ id: name, traces: [p], expect: existsSync(own) ? own : undefined });
    }
  }
  return units;
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
}

export interface UnitResult {
  index: number;
  id: string;
  traces: string[];
  ok: boolean;
  error?: string;
  summary?: MachineSummary;
  expectations: ExpectationReport[];
  outDir?: string;
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
        plugins: [{
          name: 'source-import-meta-url',
          setup(b) {
            b.onLoad({ filter: /\.ts$/ }, async (args) => ({
              contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
              loader: 'ts',
            }));
          },
        }],
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

export async function runBatch(bundle: LoadedBundle, units: BatchUnit[], job: Omit<BatchJob, 'bundle'>, opts: { jobs?: number; prebuilt?: boolean; onDone?(r: UnitResult, done: number, total: number): void } = {}): Promise<UnitResult[]> {
  const results: UnitResult[] = new Array(units.length);
  if (!units.length) return results;
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
    w.on('message', (r: UnitResult) => {
      results[r.index] = r;
      done++;
      opts.onDone?.(r, done, units.length);
      feed();
    });
    w.on('error', reject);
    w.on('online', feed);
  })));
  return results;
}

/** Output folder name of a unit: its id with anything unusual replaced. */
export function unitDir(outDir: string, id: string): string {
  return join(outDir, id.replace(/[^A-Za-z0-9._-]+/g, '_'));
}
