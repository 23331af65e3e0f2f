/**
 * CLI start-up and the compile's type check, as a user runs them: real `node bin/edgerule.mjs` processes, CPU time
 * of the whole process (all its threads: the loader hook's too) read by a preloaded exit hook, median of several runs.
 *
 *   node -e 0                                    the floor: Node's own start on this machine, for the ratios
 *   edgerule --help, edgerule inspect <bundle>   target: well under half a second of CPU (0.5 s)
 *   edgerule compile rules                       without the type check, with a cold type check (fresh cache: TypeScript
 *                                                loaded, the library and what it imports checked), and warm (the record
 *                                                of the clean check answers; TypeScript is not loaded)
 * Every run gets a cache folder of its own (EDGERULE_CACHE_DIR) prepared as the row says, so "cold" is cold.
 *
 *   node --import ./cli/register-ts.mjs bench/cli.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/edgerule.mjs');
const START_TARGET_MS = 500;

export interface Row { command: string; cache: string; runs: number; cpuMs: number; wallMs: number; target?: string; pass?: boolean }

interface Sample { cpuMs: number; wallMs: number }

/** One process: `edgerule <args>`, or with args ['-e', '0'] a bare Node start (the baseline). */
function runOnce(args: string[], cacheDir: string, preload: string): Sample {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', preload, ...(args[0] === '-e' ? [] : [BIN]), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, EDGERULE_CACHE_DIR: cacheDir, NO_COLOR: '1' },
  });
  const wallMs = performance.now() - started;
  const m = /__cpu_ms__ ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`edgerule ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return { cpuMs: Number(m[1]), wallMs };
}

/** Median CPU and wall ms of `runs` runs, each in a cache folder `prepare` readies first (not measured). */
function measure(command: string, cache: string, args: string[], runs: number, preload: string, prepare: (dir: string) => void, target?: number): Row {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-cli-bench-cache-'));
    try {
      prepare(dir);
      samples.push(runOnce(args, dir, preload));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const cpuMs = median(samples.map((s) => s.cpuMs));
  return {
    command, cache, runs, cpuMs, wallMs: median(samples.map((s) => s.wallMs)),
    ...(target !== undefined ? { target: `cpu < ${target} ms`, pass: cpuMs < target } : {}),
  };
}

export async function benchCli(opts: { runs?: number; compileRuns?: number } = {}): Promise<Row[]> {
  const runs = opts.runs ?? 7;
  const compileRuns = opts.compileRuns ?? 3;
  const work = mkdtempSync(join(tmpdir(), 'edgerule-cli-bench-'));
  try {
    const preload = join(work, 'cpu.mjs');
    writeFileSync(preload, "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`\\n__cpu_ms__ ${(u.user + u.system) / 1000}\\n`); });\n");
    const bundle = join(work, 'library.erb');
    const out = join(work, 'x.erb');
    const warmLoader = (dir: string) => { runOnce(['--help'], dir, preload); runOnce(['compile', 'rules', '-q', '--no-typecheck', '-o', bundle], dir, preload); };
    const none = () => {};
    const rows: Row[] = [];
    warmLoader(work); // builds the bundle that inspect reads
    rows.push(measure('node -e 0 (baseline: Node itself)', '-', ['-e', '0'], runs, preload, none));
    rows.push(measure('edgerule --help', 'warm', ['--help'], runs, preload, warmLoader, START_TARGET_MS));
    rows.push(measure('edgerule inspect <library>', 'warm', ['inspect', bundle], runs, preload, warmLoader, START_TARGET_MS));
    rows.push(measure('edgerule --help', 'empty', ['--help'], runs, preload, none));
    rows.push(measure('edgerule compile rules --no-typecheck', 'warm', ['compile', 'rules', '-q', '--no-typecheck', '-o', out], compileRuns, preload, warmLoader));
    rows.push(measure('edgerule compile rules (type check cold)', 'modules warm, no type-check record', ['compile', 'rules', '-q', '-o', out], compileRuns, preload, warmLoader));
    rows.push(measure('edgerule compile rules (type check warm)', 'warm', ['compile', 'rules', '-q', '-o', out], compileRuns, preload, (dir) => {
      warmLoader(dir);
      runOnce(['compile', 'rules', '-q', '-o', out], dir, preload);
    }));
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatRows(rows: Row[]): string {
  const head = ['command', 'cache', 'runs', 'median cpu ms', 'median wall ms', 'target'];
  const body = rows.map((r) => [r.command, r.cache, String(r.runs), r.cpuMs.toFixed(0), r.wallMs.toFixed(0), r.target ? `${r.target}: ${r.pass ? 'PASS' : 'MISS'}` : '']);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 || i === 5 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
  const base = rows.find((r) => r.command.endsWith('--no-typecheck'));
  const notes = base ? rows.filter((r) => r.command.includes('type check')).map((r) => `${r.command}: the type check costs ${(r.cpuMs - base.cpuMs).toFixed(0)} ms of CPU over --no-typecheck`) : [];
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line), '', ...notes].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatRows(await benchCli()));
