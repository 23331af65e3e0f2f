/**
 * QA corpus throughput: the shared recordings corpus (qa/corpora/shared.json: 31 drives, each also with the
 * door-theft scenario, 62 jobs) on 1 and 2 local worker threads and on 2 NATS workers (real `edgerule worker`
 * processes, one thread each, on a real nats-server on this machine), then the per-job cost of the queue itself
 * on a corpus of tiny drives (replay ≈ 0, so what remains is the farm's overhead per job). Medians of `--runs`
 * after one warm-up run. Farm workers stay warm between runs, so the overhead per job is measured against a
 * local pool that stays warm too (a fresh `edgerule qa` starts its threads cold: the first two rows).
 *
 *   node --import ./cli/register-ts.mjs bench/qa.bench.ts [--runs 3] [--tiny 200]
 *
 * Every run of the NATS rows uses fresh job ids (a salt), so no run finds the results of an earlier one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../simulator/inputs.ts';
import { loadCorpus, type Corpus } from '../qa/corpus.ts';
import { Collector, makePlan, type Plan } from '../qa/plan.ts';
import { runLocal } from '../qa/local.ts';
import { JobPool } from '../qa/pool.ts';
import { submitToNats } from '../qa/nats/submit.ts';
import { startNatsServer } from '../harness/nats-server.ts';
import { sharedData } from '../harness/shared-data.ts';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { natsConnect } from '../qa/nats/setup.ts';
import { median } from './stats.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface Row {
  bench: string;
  corpus: string;
  jobs: number;
  runs: number;
  medianMs: number;
  drivesPerS: number;
  samplesPerS: number;
  /** Extra worker time per job against the local run with the same parallelism (ms). */
  overheadMsPerJob?: number;
  note?: string;
}

function salted(plan: Plan, salt: string): Plan {
  const jobs = plan.jobs.map((j) => ({ ...j, id: `${j.id}-${salt}` }));
  return { ...plan, jobs, runId: `${plan.runId}-${salt}` };
}

async function timed(plan: Plan, execute: (p: Plan, c: Collector) => Promise<void>): Promise<{ ms: number; samples: number }> {
  const c = new Collector(plan);
  const t0 = performance.now();
  await execute(plan, c);
  const ms = performance.now() - t0;
  if (!c.complete) throw new Error(`only ${c.progress.done} of ${c.progress.total} jobs came back`);
  return { ms, samples: c.progress.samples };
}

let salts = 0;

async function measure(name: string, corpusName: string, plan: Plan, runs: number, execute: (p: Plan, c: Collector) => Promise<void>, note?: string): Promise<Row> {
  const times: number[] = [];
  let samples = 0;
  for (let i = 0; i <= runs; i++) {
    const r = await timed(salted(plan, `s${process.pid}x${salts++}`), execute); // a subject token: no spaces or dots
    if (i > 0) times.push(r.ms); // the first run warms up (JIT, caches, worker threads of the farm)
    samples = r.samples;
  }
  const ms = median(times);
  return { bench: name, corpus: corpusName, jobs: plan.jobs.length, runs, medianMs: Math.round(ms), drivesPerS: plan.jobs.length / (ms / 1000), samplesPerS: samples / (ms / 1000), note };
}

/** N drives of a 10-sample CSV: jobs that cost almost nothing to replay. */
async function tinyCorpus(n: number): Promise<Corpus> {
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-qa-bench-'));
  const csv = join(dir, 'tiny.csv');
  writeFileSync(csv, 'time,lat,lon,speed\n' + Array.from({ length: 10 }, (_, i) => `${i * 1000},-36.85,${174.76 + i * 1e-4},10`).join('\n') + '\n');
  writeFileSync(join(dir, 'corpus.json'), JSON.stringify({ name: 'tiny', drives: Array.from({ length: n }, (_, i) => ({ id: `t${i}`, traces: [csv] })) }));
  return loadCorpus(join(dir, 'corpus.json'));
}

/** Jobs on a pool kept across runs (warm threads, like a long-running farm worker's). */
function onPool(pool: JobPool) {
  return async (plan: Plan, c: Collector) => {
    const unique = [...new Map(plan.jobs.map((j) => [j.id, j])).values()];
    await Promise.all(unique.map(async (j) => { c.add(await pool.run(j, plan.bundles.get(j.bundle)!, j.drive.traces.map((t) => t.path!))); }));
  };
}

function startWorkers(url: string, n: number): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => new Promise<ChildProcess>((resolveWorker, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/edgerule.mjs'), 'worker', '--nats', url, '--jobs', '1', '--name', `bench${i}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    p.stderr!.on('data', (d: Buffer) => { log += d.toString(); if (log.includes('serving')) resolveWorker(p); });
    p.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${log}`)));
  })));
}

type Exec = (p: Plan, c: Collector) => Promise<void>;

/**
 * What the queue alone sustains on this machine: publishing job-sized messages (acked by the server, 256 in
 * flight, as the submitter does) to a work-queue stream, then pulling and acking them with one consumer.
 */
async function queueRates(url: string, n: number, size: number): Promise<Row[]> {
  const nc = await natsConnect(url, 'bench');
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'], retention: RetentionPolicy.Workqueue });
    await jsm.consumers.add('BENCH', { durable_name: 'b', ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    const body = 'x'.repeat(size);
    let t0 = performance.now();
    for (let i = 0; i < n; i += 256) await Promise.all(Array.from({ length: Math.min(256, n - i) }, (_, k) => js.publish('bench.jobs', body, { msgID: `m${i + k}` })));
    const pubMs = performance.now() - t0;
    const c = await js.consumers.get('BENCH', 'b');
    t0 = performance.now();
    const it = await c.consume({ max_messages: 256 });
    let got = 0;
    for await (const m of it) { m.ack(); if (++got === n) break; }
    const subMs = performance.now() - t0;
    await jsm.streams.delete('BENCH');
    const row = (bench: string, ms: number, note: string): Row => ({ bench, corpus: `${n} × ${size} B messages`, jobs: n, runs: 1, medianMs: Math.round(ms), drivesPerS: n / (ms / 1000), samplesPerS: 0, note });
    return [row('JetStream publish', pubMs, 'acked by the server, 256 in flight, with message ids'), row('JetStream pull + ack', subMs, 'one consumer, 256 buffered')];
  } finally {
    await nc.close();
  }
}

/**
 * Warm local threads and NATS workers measured in alternation (warm-up runs first), so both see the same JIT
 * state and the same load from whatever else runs on the machine; returns [local, nats].
 */
async function alternate(corpusName: string, plan: Plan, runs: number, warmups: number, local: Exec, nats: Exec): Promise<[Row, Row]> {
  const t: [number[], number[]] = [[], []];
  let samples = 0;
  for (let i = 0; i < warmups + runs; i++) {
    for (const [k, exec] of [local, nats].entries()) {
      const r = await timed(salted(plan, `s${process.pid}x${salts++}`), exec);
      if (i >= warmups) t[k].push(r.ms);
      samples = r.samples;
    }
  }
  const row = (bench: string, times: number[], note?: string): Row => {
    const ms = median(times);
    return { bench, corpus: corpusName, jobs: plan.jobs.length, runs, medianMs: Math.round(ms), drivesPerS: plan.jobs.length / (ms / 1000), samplesPerS: samples / (ms / 1000), note };
  };
  const a = row('local, 2 warm threads', t[0], 'one pool kept across runs, like a farm worker\'s');
  const b = row('NATS, 2 workers', t[1], '2 worker processes × 1 thread, loopback nats-server');
  // Extra worker time per job: two workers' wall time beyond the local run's, spread over the jobs.
  b.overheadMsPerJob = Math.round((b.medianMs - a.medianMs) * 2 / plan.jobs.length * 10) / 10;
  return [a, b];
}

export async function benchQa(opts: { runs?: number; tiny?: number; warmups?: number } = {}): Promise<Row[]> {
  const runs = opts.runs ?? 3;
  const warmups = opts.warmups ?? 2;
  const bundle = await loadBundle(join(ROOT, 'rules'));
  const haveShared = sharedData('traces', 'the shared-recordings rows need it (the example corpus is used instead)').present;
  const corpusName = haveShared ? 'shared (62 jobs)' : 'example (2 jobs)';
  const corpus = await loadCorpus(join(ROOT, haveShared ? 'qa/corpora/shared.json' : 'qa/corpora/example.json'));
  const plan = makePlan(corpus, [{ bundle, point: '' }], true);
  const tiny = makePlan(await tinyCorpus(opts.tiny ?? 200), [{ bundle, point: '' }], false);
  const rows: Row[] = [];
  rows.push(await measure('local, 1 thread', corpusName, plan, runs, (p, c) => runLocal(p, c, 1), 'threads started per run, as `edgerule qa --jobs 1`'));
  rows.push(await measure('local, 2 threads', corpusName, plan, runs, (p, c) => runLocal(p, c, 2), 'threads started per run, as `edgerule qa --jobs 2`'));
  const server = await startNatsServer();
  if (!server) {
    rows.push({ bench: 'NATS, 2 workers', corpus: corpusName, jobs: plan.jobs.length, runs: 0, medianMs: NaN, drivesPerS: NaN, samplesPerS: NaN, note: 'SKIPPED: nats-server is not installed' });
    return rows;
  }
  const workers = await startWorkers(server.url, 2);
  const pool = await JobPool.start(2);
  try {
    const nats: Exec = (p, c) => submitToNats(server.url, p, c, { idleTimeoutMs: 120_000 });
    rows.push(...await alternate(corpusName, plan, runs, warmups, onPool(pool), nats));
    const [a, b] = await alternate(`tiny (${tiny.jobs.length} jobs)`, tiny, runs, 1, onPool(pool), nats);
    b.note = 'replay ≈ 0: the farm\'s own cost per job';
    rows.push(a, b);
    rows.push(...await queueRates(server.url, 20_000, 1024));
  } finally {
    await pool.close();
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await server.stop();
  }
  return rows;
}

export function formatRows(rows: Row[]): string {
  const head = ['bench', 'corpus', 'jobs', 'runs', 'median', 'jobs/s', 'samples/s', 'overhead/job', 'note'];
  const body = rows.map((r) => [r.bench, r.corpus, String(r.jobs), String(r.runs), `${(r.medianMs / 1000).toFixed(2)} s`, r.drivesPerS.toFixed(1),
    r.samplesPerS ? `${(r.samplesPerS / 1e6).toFixed(2)} M` : '', r.overheadMsPerJob === undefined ? '' : `${r.overheadMsPerJob} ms`, r.note ?? '']);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : undefined; };
  console.log(formatRows(await benchQa({ runs: arg('--runs'), tiny: arg('--tiny') })));
}
