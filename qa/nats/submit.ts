/**
 * The submitting side of a NATS JetStream run (`edgerule qa --nats`, `edgerule tune --nats`): puts the bundles
 * (and with --upload the traces) in object stores, publishes one message per job on the work queue with an
 * idempotent message id, and collects results as they arrive — each job's first result counts, later copies
 * (at-least-once delivery) are ignored. A job that exhausts its deliveries (every worker that took it died or
 * went silent past AckWait) is reported as a dead letter naming its drive, and a run that hears nothing for
 * `idleTimeoutMs` stops with an error naming what it was waiting for: it never hangs.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { headers } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { Collector, Plan } from '../plan.ts';
import type { Job, JobResult } from '../job.ts';
import {
  BUNDLES_BUCKET, JOBS_STREAM, MAX_DELIVERIES_ADVISORY, RESULTS_STREAM, TRACES_BUCKET, WORKERS,
  bucket, ensureLayout, jobsSubject, natsConnect, resultsSubject, type WireJob,
} from './setup.ts';

export interface SubmitOptions { ackWaitMs?: number; maxDeliver?: number; upload?: boolean; quiet?: boolean; idleTimeoutMs?: number }

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** With --upload: every distinct trace file into the traces object store; jobs then name traces by content hash. */
async function uploadTraces(nc: Parameters<typeof bucket>[0], plan: Plan): Promise<Map<string, string>> {
  const store = await bucket(nc, TRACES_BUCKET);
  const shaOf = new Map<string, string>();
  for (const d of plan.corpus.drives) {
    for (const p of d.traces) {
      if (shaOf.has(p)) continue;
      const bytes = readFileSync(p);
      const sha = sha256(bytes);
      shaOf.set(p, sha);
      if (!(await store.info(sha))) await store.putBlob({ name: sha, description: basename(p) }, bytes);
    }
  }
  return shaOf;
}

function withUploadedTraces(job: Job, shaOf: Map<string, string>): Job {
  const traces = job.drive.traces.map((t) => ({ name: t.name, sha256: shaOf.get(t.path!)! }));
  const id = createHash('sha256').update(job.id + JSON.stringify(traces)).digest('hex').slice(0, 32);
  return { ...job, id, drive: { ...job.drive, traces } };
}

export async function submitToNats(url: string, plan: Plan, collector: Collector, o: SubmitOptions = {}): Promise<void> {
  const nc = await natsConnect(url, 'edgerule qa submitter');
  try {
    const jsm = await ensureLayout(nc, { ackWaitMs: o.ackWaitMs, maxDeliver: o.maxDeliver });
    const js = jetstream(nc);
    const bundles = await bucket(nc, BUNDLES_BUCKET);
    for (const [sha, bytes] of plan.bundles) if (!(await bundles.info(sha))) await bundles.putBlob({ name: sha }, bytes);
    let jobs = [...new Map(plan.jobs.map((j) => [j.id, j])).values()];
    // Uploaded traces change what the job refers to, so its id; results map back to the plan's ids.
    const planId = new Map<string, string>();
    if (o.upload) {
      const shaOf = await uploadTraces(nc, plan);
      jobs = jobs.map((j) => { const u = withUploadedTraces(j, shaOf); planId.set(u.id, j.id); return u; });
    }
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const accept = (r: JobResult) => collector.add(planId.has(r.job) ? { ...r, job: planId.get(r.job)! } : r);

    let lastNews = Date.now();
    // Results: an ordered consumer over this run's subject, from the start (a resubmitted run finds earlier results).
    const rc = await js.consumers.get(RESULTS_STREAM, { filter_subjects: resultsSubject(plan.runId), deliver_policy: DeliverPolicy.All });
    const results = await rc.consume();
    const reading = (async () => {
      for await (const m of results) {
        lastNews = Date.now();
        accept(m.json<JobResult>());
        if (collector.complete) break;
      }
    })();
    // Dead letters: the server's advisory when a job reached MaxDeliver without an ack.
    const maxDeliver = (await jsm.consumers.info(JOBS_STREAM, WORKERS)).config.max_deliver;
    const advisories = nc.subscribe(MAX_DELIVERIES_ADVISORY, {
      callback: (_err, m) => {
        void (async () => {
          const seq = (m.json() as { stream_seq: number }).stream_seq;
          const stored = await jsm.streams.getMessage(JOBS_STREAM, { seq }).catch(() => undefined);
          if (!stored) return;
          const wire = stored.json<WireJob>();
          if (wire.run !== plan.runId) return;
          await jsm.streams.deleteMessage(JOBS_STREAM, seq).catch(() => undefined);
          const j = byId.get(wire.job.id);
          if (!j) return;
          lastNews = Date.now();
          accept({
            job: j.id, drive: j.drive.id, point: j.point, bundle: j.bundle, ok: false, samples: 0, hours: 0, km: 0, events: [],
            error: `drive ${j.drive.id}: dead-lettered after ${maxDeliver} deliveries: no worker finished it (each one died or went silent for longer than AckWait)`,
          });
        })();
      },
    });
    // Jobs: idempotent message ids, so publishing the same run twice queues each job once.
    const subject = jobsSubject(plan.runId);
    for (let i = 0; i < jobs.length; i += 256) {
      await Promise.all(jobs.slice(i, i + 256).map((job) => {
        const h = headers();
        h.set('Nats-Msg-Id', `${plan.runId}.${job.id}`);
        return js.publish(subject, JSON.stringify({ run: plan.runId, job } satisfies WireJob), { headers: h });
      }));
    }
    const idle = o.idleTimeoutMs ?? 600_000;
    let checking = false;
    await new Promise<void>((resolve, reject) => {
      const tick = setInterval(() => {
        if (collector.complete) { clearInterval(tick); resolve(); return; }
        if (Date.now() - lastNews > idle / 2 && !checking) {
          // Jobs in progress (workers acking "working") are news too: a long drive is not a stalled farm.
          checking = true;
          void jsm.consumers.info(JOBS_STREAM, WORKERS).then((ci) => { if (ci.num_ack_pending > 0) lastNews = Date.now(); }, () => undefined).finally(() => { checking = false; });
        }
        if (Date.now() - lastNews > idle) {
          clearInterval(tick);
          const waiting = jobs.filter((j) => !collector.results.has(planId.get(j.id) ?? j.id));
          reject(new Error(`no result from the NATS farm at ${url} for ${Math.round(idle / 1000)} s; waiting for ${waiting.length} job(s): ${waiting.slice(0, 5).map((j) => `drive ${j.drive.id}${j.point ? ` [${j.point}]` : ''}`).join(', ')}${waiting.length > 5 ? ', …' : ''}. Is an \`edgerule worker --nats ${url}\` running?`));
        }
      }, 50);
    });
    advisories.unsubscribe();
    results.stop();
    await reading.catch(() => undefined);
  } finally {
    await nc.close();
  }
}
