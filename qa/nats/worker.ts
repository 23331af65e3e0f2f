/**
 * A farm worker (`edgerule worker --nats URL`): pulls jobs from the shared durable consumer, replays each on a
 * local worker thread (qa/pool.ts, the same code as a local run) and publishes the result, then acks.
 *
 * While a job runs, the main thread tells the server "in progress" every AckWait/4, so a long drive is not
 * redelivered; a worker that dies stops doing so and the job goes to another worker after AckWait. A job that
 * fails (a trace this machine cannot read, say) is handed back (nak) so another machine can try, up to the last
 * delivery, whose worker publishes the error result: the run gets a named error, never a stuck job.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { headers } from '@nats-io/transport-node';
import { jetstream, type JsMsg } from '@nats-io/jetstream';
import { JobPool } from '../pool.ts';
import type { Job, JobResult } from '../job.ts';
import { BUNDLES_BUCKET, JOBS_STREAM, TRACES_BUCKET, WORKERS, bucket, ensureLayout, natsConnect, resultsSubject, type WireJob } from './setup.ts';

export interface WorkerOptions {
  url: string;
  threads: number;
  /** Where traces fetched from the object store are kept (by content hash). */
  cacheDir?: string;
  name?: string;
  /** Exit after this long without a job (ms); default: run until stopped. */
  maxIdleMs?: number;
  log?(line: string): void;
  /** Resolves when the worker should stop (e.g. SIGTERM). */
  stop?: Promise<void>;
}

const NAK_DELAY_MS = 200;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export async function runWorker(o: WorkerOptions): Promise<{ jobs: number; errors: number }> {
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const log = o.log ?? (() => {});
  const nc = await natsConnect(o.url, `edgerule worker ${name}`);
  const pool = await JobPool.start(o.threads);
  const stats = { jobs: 0, errors: 0 };
  try {
    const jsm = await ensureLayout(nc);
    const js = jetstream(nc);
    const consumer = await js.consumers.get(JOBS_STREAM, WORKERS);
    const bundles = await bucket(nc, BUNDLES_BUCKET);
    let traces: Awaited<ReturnType<typeof bucket>> | undefined;
    const bundleCache = new Map<string, Uint8Array>();
    const cacheDir = o.cacheDir ?? join(tmpdir(), 'edgerule-worker-cache');

    const bundleBytes = async (sha: string) => {
      let b = bundleCache.get(sha);
      if (!b) {
        const got = await bundles.getBlob(sha);
        if (!got || sha256(got) !== sha) throw new Error(`bundle ${sha.slice(0, 12)}… is not in object store ${BUNDLES_BUCKET} (or is corrupt)`);
        bundleCache.set(sha, got);
        b = got;
      }
      return b;
    };
    /** Local files of a job's traces: shared paths as they are, object-store traces fetched once into the cache. */
    const localPaths = async (job: Job) => Promise.all(job.drive.traces.map(async (t) => {
      if (!t.sha256) return t.path!;
      const file = join(cacheDir, t.sha256, t.name);
      if (!existsSync(file)) {
        traces ??= await bucket(nc, TRACES_BUCKET);
        const got = await traces.getBlob(t.sha256);
        if (!got || sha256(got) !== t.sha256) throw new Error(`${t.name}: trace ${t.sha256.slice(0, 12)}… is not in object store ${TRACES_BUCKET} (or is corrupt)`);
        mkdirSync(join(cacheDir, t.sha256), { recursive: true });
        writeFileSync(`${file}.${process.pid}.tmp`, got);
        renameSync(`${file}.${process.pid}.tmp`, file);
      }
      return file;
    }));

    const handle = async (m: JsMsg) => {
      let wire: WireJob;
      try {
        wire = m.json<WireJob>();
        if (!wire?.run || !wire.job?.id || !wire.job.drive?.traces) throw new Error('not a QA job');
      } catch (e) {
        // Not ours to retry: no delivery would parse it better.
        log(`${name}: dropped a malformed message (stream seq ${m.seq}): ${(e as Error).message}`);
        m.term();
        return;
      }
      const { run, job } = wire;
      const delivery = m.info.deliveryCount;
      // Read per job: the submitter may have changed AckWait / MaxDeliver for its run.
      const { config } = await jsm.consumers.info(JOBS_STREAM, WORKERS);
      const maxDeliver = config.max_deliver ?? 1;
      const ackWaitMs = (config.ack_wait ?? 30e9) / 1e6;
      const beat = setInterval(() => m.working(), Math.max(250, Math.floor(ackWaitMs / 4)));
      const label = `job ${job.id.slice(0, 8)} drive ${job.drive.id}${job.point ? ` [${job.point}]` : ''}`;
      log(`${name}: start ${label} (delivery ${delivery} of ${maxDeliver})`);
      const started = performance.now();
      let r: JobResult;
      try {
        r = await pool.run(job, await bundleBytes(job.bundle), await localPaths(job));
      } catch (e) {
        r = { job: job.id, drive: job.drive.id, point: job.point, bundle: job.bundle, ok: false, error: `drive ${job.drive.id}: ${(e as Error).message}`, samples: 0, hours: 0, km: 0, events: [] };
      } finally {
        clearInterval(beat);
      }
      stats.jobs++;
      if (!r.ok && delivery < maxDeliver) {
        log(`${name}: failed ${label}: ${r.error}; handing it back for another worker`);
        m.nak(NAK_DELAY_MS);
        return;
      }
      if (!r.ok) stats.errors++;
      const h = headers();
      h.set('Nats-Msg-Id', `${run}.${job.id}`);
      await js.publish(resultsSubject(run), JSON.stringify(r), { headers: h });
      await m.ackAck();
      log(`${name}: ${r.ok ? 'done' : 'error'} ${label} in ${(performance.now() - started).toFixed(0)} ms${r.ok ? '' : `: ${r.error}`}`);
    };

    let stopping = false;
    void o.stop?.then(() => { stopping = true; });
    let lastJob = Date.now();
    // One pull loop per thread: each takes a job only when its thread is free, so jobs wait in the queue, where
    // any other worker can take them, rather than in this process.
    await Promise.all(Array.from({ length: pool.size }, async () => {
      while (!stopping) {
        if (o.maxIdleMs !== undefined && Date.now() - lastJob > o.maxIdleMs) break;
        const m = await consumer.next({ expires: 1000 }).catch(() => null);
        if (!m) continue;
        lastJob = Date.now();
        try {
          await handle(m);
        } catch (e) {
          // Lost the server while publishing or acking: the job stays unacked and is redelivered after AckWait.
          log(`${name}: ${(e as Error).message}; the job will be redelivered`);
        }
        lastJob = Date.now();
      }
    }));
    return stats;
  } finally {
    await pool.close();
    await nc.drain().catch(() => undefined);
  }
}
