/**
 * The JetStream layout of a QA farm (docs/SCALE.md), created on first use by whoever comes first:
 *
 *   stream EDGERULE_QA_JOBS      work queue, subjects edgerule.qa.jobs.<run>; one message per job, removed when acked
 *     consumer edgerule-workers  durable pull consumer shared by every worker: explicit ack, AckWait, MaxDeliver
 *   stream EDGERULE_QA_RESULTS   subjects edgerule.qa.results.<run>; kept a day so a restarted submitter finds them
 *   object store edgerule-qa-bundles   bundles by sha256
 *   object store edgerule-qa-traces    traces by sha256 (with --upload; otherwise workers read shared paths)
 *
 * Only features of nats-server 2.9 are used (Debian's): no multi-filter consumers, no per-message TTLs.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';

export const JOBS_STREAM = 'EDGERULE_QA_JOBS';
export const RESULTS_STREAM = 'EDGERULE_QA_RESULTS';
export const WORKERS = 'edgerule-workers';
export const BUNDLES_BUCKET = 'edgerule-qa-bundles';
export const TRACES_BUCKET = 'edgerule-qa-traces';
export const jobsSubject = (run: string) => `edgerule.qa.jobs.${run}`;
export const resultsSubject = (run: string) => `edgerule.qa.results.${run}`;
export const MAX_DELIVERIES_ADVISORY = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${JOBS_STREAM}.${WORKERS}`;

export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_DELIVER = 3;

const NS = 1_000_000;

export async function natsConnect(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name, reconnectTimeWait: 500, maxReconnectAttempts: 20 });
  } catch (e) {
    throw new Error(`cannot connect to NATS at ${url}: ${(e as Error).message}`);
  }
}

async function exists(f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (e) {
    if (/not found/i.test((e as Error).message)) return false;
    throw e;
  }
}

/**
 * Streams and the workers' consumer. `queue` (the submitter's --ack-wait / --max-deliver) updates the consumer
 * when given; a worker passes nothing and takes the consumer as it is (or creates it with the defaults).
 */
export async function ensureLayout(nc: NatsConnection, queue: { ackWaitMs?: number; maxDeliver?: number } = {}): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  if (!(await exists(() => jsm.streams.info(JOBS_STREAM)))) {
    await jsm.streams.add({ name: JOBS_STREAM, subjects: [jobsSubject('*')], retention: RetentionPolicy.Workqueue, storage: StorageType.File, duplicate_window: 10 * 60_000 * NS });
  }
  if (!(await exists(() => jsm.streams.info(RESULTS_STREAM)))) {
    await jsm.streams.add({ name: RESULTS_STREAM, subjects: [resultsSubject('*')], retention: RetentionPolicy.Limits, storage: StorageType.File, max_age: 24 * 3_600_000 * NS, duplicate_window: 10 * 60_000 * NS });
  }
  const wanted = { ack_wait: (queue.ackWaitMs ?? DEFAULT_ACK_WAIT_MS) * NS, max_deliver: queue.maxDeliver ?? DEFAULT_MAX_DELIVER };
  const info = await jsm.consumers.info(JOBS_STREAM, WORKERS).catch((e: Error) => { if (/not found/i.test(e.message)) return undefined; throw e; });
  if (!info) {
    try {
      await jsm.consumers.add(JOBS_STREAM, { durable_name: WORKERS, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: -1, ...wanted });
    } catch (e) {
      if (!/already (exists|in use)/i.test((e as Error).message)) throw e; // another process created it first
    }
  } else if ((queue.ackWaitMs !== undefined && info.config.ack_wait !== wanted.ack_wait) || (queue.maxDeliver !== undefined && info.config.max_deliver !== wanted.max_deliver)) {
    await jsm.consumers.update(JOBS_STREAM, WORKERS, { ack_wait: wanted.ack_wait, max_deliver: wanted.max_deliver });
  }
  return jsm;
}

export async function bucket(nc: NatsConnection, name: string): Promise<ObjectStore> {
  return new Objm(nc).create(name, { storage: StorageType.File });
}

/** A job as it travels: the run it belongs to, and the job. */
export interface WireJob { run: string; job: import('../job.ts').Job }
