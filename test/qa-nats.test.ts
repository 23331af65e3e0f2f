/**
 * The QA farm on a real nats-server (Debian's 2.9) with real `edgerule worker` processes:
 *  - a worker killed mid-job: while it lived, its in-progress acks kept the job from being redelivered; after
 *    it died the job went to another worker, and the aggregate qa.json is byte-identical to the local run;
 *  - an unreadable trace comes back as a named error in the report, and a job whose workers all die is
 *    dead-lettered after MaxDeliver deliveries, naming its drive: no stuck run;
 *  - a result published twice is counted once.
 * "Mid-job" is made deterministic with a named pipe as the trace: the worker's read blocks until the test writes.
 * Timeouts only catch hangs; nothing depends on how fast the machine is.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startNatsServer, natsServerBinary, type NatsServer } from '../harness/nats-server.ts';
import { sharedData } from '../harness/shared-data.ts';
import { EXIT } from '../cli/exit-codes.ts';

const traces = sharedData('traces', 'the QA farm tests replay real recordings from it');
const SHARED = traces.dir;
const haveNats = !!natsServerBinary();
if (!haveNats) {
  if (process.env.CI === 'true') throw new Error('nats-server is missing: .ci/run installs the Debian package nats-server; the QA farm tests need it');
  console.warn('\n!!! SKIPPED: nats-server is not installed (apt-get install -y nats-server); the QA farm tests did not run\n');
}
const run = haveNats && traces.present;
const CLI = ['bin/edgerule.mjs'];

let server: NatsServer;
let dir: string;

interface Proc { p: ChildProcess; name: string; lines: string[]; exit: Promise<number | null> }
const spawned: Proc[] = [];

function start(args: string[], name: string): Proc {
  const p = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  p.stderr!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  p.stdout!.resume();
  const proc = { p, name, lines, exit: new Promise<number | null>((r) => p.once('exit', (code) => r(code))) };
  spawned.push(proc);
  return proc;
}

/** Waits for a line matching `re` from any of the processes (timeout only against hangs). */
async function waitLine(procs: Proc[], re: RegExp, what: string): Promise<Proc> {
  for (let i = 0; i < 2400; i++) {
    const hit = procs.find((x) => x.lines.some((l) => re.test(l)));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no worker logged ${what} within 120 s; logs:\n${procs.map((x) => `${x.name}:\n  ${x.lines.join('\n  ')}`).join('\n')}`);
}

function worker(name: string): Proc {
  return start(['worker', '--nats', server.url, '--jobs', '1', '--name', name], name);
}

async function ready(ws: Proc[]): Promise<void> {
  for (const w of ws) await waitLine([w], /serving/, `"serving" (${w.name})`);
}

async function stopAll(ws: Proc[]): Promise<void> {
  const alive = ws.filter((w) => w.p.exitCode === null && w.p.signalCode === null);
  for (const w of alive) w.p.kill('SIGTERM');
  // A worker whose thread is blocked reading a pipe nobody writes cannot finish its job: kill it after a while.
  const timer = setTimeout(() => { for (const w of alive) w.p.kill('SIGKILL'); }, 10_000);
  await Promise.all(alive.map((w) => w.exit));
  clearTimeout(timer);
}

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
}

/**
 * Gives `content` to the next reader of the pipe (the write blocks until one opens it). Exactly one write per
 * reader: a second writer opening before the reader saw end-of-file would append a second copy to its read.
 */
function feedOnce(path: string, content: Buffer): Promise<void> {
  return writeFile(path, content);
}

function corpus(name: string, drives: unknown[]): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, detectWithin: '5m', drives }, null, 1));
  return file;
}

const QUAT = ['gps.2020-10-15-21.csv', 'accel.2020-10-15-21.csv'].map((f) => resolve('examples/quat-orient', f));

beforeAll(async () => {
  if (!run) return;
  server = (await startNatsServer())!;
  dir = mkdtempSync(join(tmpdir(), 'edgerule-qa-nats-'));
});

afterAll(async () => {
  await stopAll(spawned); // also after a failed assertion: no worker outlives the tests
  await server?.stop();
});

describe.skipIf(!run)('QA on a NATS JetStream farm', () => {
  test('a worker killed mid-job: in-progress acks hold the job while it lives, it is redelivered when it dies, and the aggregate equals the local run byte for byte', async () => {
    const slow = join(dir, 'slow.log');
    mkfifo(slow);
    const slowContent = readFileSync(join(SHARED, 'nmea/ublox-lea-4h.log'));
    const file = corpus('kill', [
      { id: 'sbn', traces: [join(SHARED, 'gpx/sbn.gpx')], tags: { vehicle: 'car' } },
      { id: 'bt451', traces: [join(SHARED, 'nmea/bt451.log')] },
      { id: 'quat', traces: QUAT, start: '2020-10-15T21:00:00', timeZone: 'Pacific/Auckland' },
      { id: 'slow', traces: [slow] },
      { id: 'quat-theft', traces: QUAT, start: '2020-10-15T21:00:00', timeZone: 'Pacific/Auckland', scenario: resolve('examples/scenarios/door-theft.json'),
        incidents: [{ from: '4m10s', rules: ['shock-or-tamper'] }, { from: '4m30s', rules: ['towing'] }] },
    ]);
    // The single-machine run (worker threads), reading the pipe like everyone else.
    const fedLocal = feedOnce(slow, slowContent);
    const local = start(['qa', '--bundle', 'rules', '--corpus', file, '--jobs', '2', '--out', join(dir, 'local'), '--quiet'], 'local');
    expect(await local.exit).toBe(0);
    await fedLocal;

    const ws = ['w1', 'w2', 'w3'].map(worker);
    try {
      await ready(ws);
      const sub = start(['qa', '--bundle', 'rules', '--corpus', file, '--nats', server.url, '--ack-wait', '3s', '--max-deliver', '3', '--out', join(dir, 'farm'), '--quiet'], 'submitter');
      const holder = await waitLine(ws, /start job \w+ drive slow \(delivery 1 of 3\)/, 'the start of the slow job');
      // More than two ack waits with the holder alive and blocked: its "working" acks must keep the job from moving.
      await new Promise((r) => setTimeout(r, 7000));
      expect(ws.flatMap((w) => w.lines).filter((l) => /drive slow \(delivery 2/.test(l))).toEqual([]);
      holder.p.kill('SIGKILL');
      const others = ws.filter((w) => w !== holder);
      const taker = await waitLine(others, /start job \w+ drive slow \(delivery 2 of 3\)/, 'the redelivery of the slow job');
      const fedFarm = feedOnce(slow, slowContent);
      expect(await sub.exit, sub.lines.join('\n')).toBe(0);
      await fedFarm;
      expect(taker.lines.some((l) => /done job \w+ drive slow in/.test(l))).toBe(true);
      const a = readFileSync(join(dir, 'local', 'qa.json'), 'utf8');
      const b = readFileSync(join(dir, 'farm', 'qa.json'), 'utf8');
      expect(b).toBe(a);
      const report = JSON.parse(b);
      expect(report.library.errors).toEqual([]);
      expect(report.library.drives.map((d: { id: string }) => d.id)).toEqual(['sbn', 'bt451', 'quat', 'slow', 'quat-theft']);
      expect(report.library.drives.find((d: { id: string }) => d.id === 'slow').samples).toBeGreaterThan(0);
    } finally {
      await stopAll(ws);
    }
  }, 240_000);

  test('an unreadable trace is a named error after its last delivery, and a job whose workers all die is dead-lettered naming its drive', async () => {
    const stuck = join(dir, 'stuck.gpx');
    mkfifo(stuck);
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'what,is,this\n1,2,3\n');
    const file = corpus('errors', [
      { id: 'quat', traces: QUAT, start: '2020-10-15T21:00:00+13:00' },
      { id: 'broken', traces: [broken] },
      { id: 'stuck', traces: [stuck] },
    ]);
    const ws = ['e1', 'e2', 'e3'].map(worker);
    try {
      await ready(ws);
      const sub = start(['qa', '--bundle', 'rules', '--corpus', file, '--nats', server.url, '--ack-wait', '2s', '--max-deliver', '2', '--out', join(dir, 'errors'), '--quiet'], 'submitter');
      const first = await waitLine(ws, /drive stuck \(delivery 1 of 2\)/, 'the first delivery of the stuck job');
      first.p.kill('SIGKILL');
      const second = await waitLine(ws.filter((w) => w !== first), /drive stuck \(delivery 2 of 2\)/, 'the second delivery of the stuck job');
      second.p.kill('SIGKILL');
      expect(await sub.exit, sub.lines.join('\n')).toBe(EXIT.CANNOT_CHECK);
      const report = JSON.parse(readFileSync(join(dir, 'errors', 'qa.json'), 'utf8'));
      const errors = Object.fromEntries(report.library.errors.map((e: { drive: string; message: string }) => [e.drive, e.message]));
      expect(Object.keys(errors).sort()).toEqual(['broken', 'stuck']);
      expect(errors.broken).toBe(`drive broken: ${broken}: cannot read trace: CSV header not recognised by any preset ("what", "is", "this"); map its columns with --csv-map time=<column>:<unit>,<signal>=<column>[:<unit>],… or --csv-map <mapping.json> (docs/FORMATS.md, "CSV column mappings")`);
      expect(errors.stuck).toMatch(/^drive stuck: dead-lettered after 2 deliveries/);
      // The first failure was handed back for another machine; the last delivery's worker reported it.
      const logs = ws.flatMap((w) => w.lines);
      expect(logs.some((l) => /failed job \w+ drive broken: .*handing it back/.test(l))).toBe(true);
      expect(logs.some((l) => /error job \w+ drive broken in/.test(l))).toBe(true);
      expect(report.library.drives.find((d: { id: string }) => d.id === 'quat').error).toBeUndefined();
    } finally {
      await stopAll(ws);
    }
  }, 240_000);

  test('traces from the object store (--upload): the worker needs no shared files; a result published twice is counted once', async () => {
    const { loadCorpus } = await import('../qa/corpus.ts');
    const { loadBundle } = await import('../simulator/inputs.ts');
    const { makePlan, Collector } = await import('../qa/plan.ts');
    const { runJob } = await import('../qa/job.ts');
    const { submitToNats } = await import('../qa/nats/submit.ts');
    const { runWorker } = await import('../qa/nats/worker.ts');
    const { natsConnect, resultsSubject, ensureLayout } = await import('../qa/nats/setup.ts');
    const { jetstream } = await import('@nats-io/jetstream');
    const file = corpus('dup', [{ id: 'sbn', traces: [join(SHARED, 'gpx/sbn.gpx')] }, { id: 'bt451', traces: [join(SHARED, 'nmea/bt451.log')] }]);
    const cacheDir = mkdtempSync(join(tmpdir(), 'edgerule-worker-cache-'));
    const bundle = await loadBundle('rules');
    const plan = makePlan(await loadCorpus(file), [{ bundle, point: '' }], true);
    const local = plan.jobs.map((j) => runJob(j, bundle.bytes, j.drive.traces.map((t) => t.path!)));
    // Two stale copies of the first job's result are already in the results stream when the run starts.
    const nc = await natsConnect(server.url, 'test');
    await ensureLayout(nc);
    const js = jetstream(nc);
    for (let i = 0; i < 2; i++) await js.publish(resultsSubject(plan.runId), JSON.stringify(local[0]));
    await nc.close();
    const collector = new Collector(plan);
    let stop!: () => void;
    const w = runWorker({ url: server.url, threads: 1, cacheDir, stop: new Promise<void>((r) => { stop = r; }) });
    await submitToNats(server.url, plan, collector, { idleTimeoutMs: 60_000, upload: true });
    stop();
    await w;
    expect(collector.progress.done).toBe(plan.jobs.length);
    expect(collector.progress.duplicates).toBeGreaterThanOrEqual(1);
    expect(plan.jobs.map((j) => collector.results.get(j.id))).toEqual(local);
    // The worker read the traces it fetched from the object store (by content hash), not the shared files.
    expect(readdirSync(cacheDir).sort()).toEqual(['gpx/sbn.gpx', 'nmea/bt451.log'].map((f) => createHash('sha256').update(readFileSync(join(SHARED, f))).digest('hex')).sort());
  }, 120_000);
});
