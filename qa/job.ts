/**
 * One QA job: replay one drive through one bundle (one parameter point) with simulate() — the runtime artifact,
 * nothing else — and return the small, deterministic facts the figures are made of. The same function runs on
 * the local worker threads (qa/pool.ts) and on NATS workers (qa/nats/worker.ts), so both give the same results.
 *
 * A job names its bundle by sha256 and its traces by path (a shared file system) or by the sha256 of their
 * content (the JetStream object store): it stays a few hundred bytes whatever the size of the recordings.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Scenario } from '../simulator/scenario.ts';
import { bundleFrom } from '../simulator/inputs.ts';
import { simulate } from '../simulator/run.ts';
import { ExposureMeter } from './exposure.ts';
import type { Drive } from './corpus.ts';

export interface TraceRef {
  /** Name for messages (the file name). */
  name: string;
  /** Path on a file system every worker shares. */
  path?: string;
  /** Content sha256: the trace is object `sha256` in the traces object store. */
  sha256?: string;
}

export interface Job {
  /** Idempotent id: the same work always has the same id (a result is counted once per id). */
  id: string;
  drive: { id: string; traces: TraceRef[]; offsets?: number[]; startMs?: number; untilRel?: number; scenario?: { file: string; scenario: Scenario } };
  /** sha256 of the bundle bytes. */
  bundle: string;
  /** Parameter point ('' for the library as compiled). */
  point: string;
  maxGapMs: number;
  coverage: boolean;
}

export interface JobResult {
  job: string;
  drive: string;
  point: string;
  bundle: string;
  ok: boolean;
  /** Why the drive could not be replayed (names the drive and the file). */
  error?: string;
  samples: number;
  /** Time of the first sample (epoch ms; for undated recordings: from the drive's start, or 1970-01-01). */
  t0?: number;
  hours: number;
  km: number;
  /** Events as [rule id, ms from the first sample]. */
  events: Array<[number, number]>;
  /** Coverage: [code offset, 1 seen true | 2 seen false | 3 both], offsets ascending. */
  probes?: Array<[number, number]>;
}

/** The job for (bundle, drive, point), with an id that depends only on what the job computes. */
export function makeJob(drive: Drive, bundleSha: string, point: string, maxGapMs: number, coverage: boolean, traces?: TraceRef[]): Job {
  const refs = traces ?? drive.traces.map((p) => ({ name: basename(p), path: p }));
  const spec = { id: drive.id, traces: refs, offsets: drive.offsets, startMs: drive.startMs, untilRel: drive.untilRel, scenario: drive.scenario };
  // Files are identified by path, size and modification time (hashing a whole corpus per run would cost more than replaying it).
  const files = drive.traces.map((p) => { try { const s = statSync(p); return [p, s.size, s.mtimeMs]; } catch { return [p]; } });
  const id = createHash('sha256').update(JSON.stringify([bundleSha, point, maxGapMs, coverage, spec, files])).digest('hex').slice(0, 32);
  return { id, drive: spec, bundle: bundleSha, point, maxGapMs, coverage };
}

/** Replays the job's drive; `paths` are the local files of its traces (the worker resolved any object-store ref). */
export function runJob(job: Job, bundleBytes: Uint8Array, paths: string[]): JobResult {
  const base = { job: job.id, drive: job.drive.id, point: job.point, bundle: job.bundle };
  try {
    const seen = job.coverage ? new Uint8Array(65536) : undefined;
    const meter = new ExposureMeter(job.maxGapMs);
    const r = simulate({
      bundle: bundleFrom(job.drive.id, bundleBytes), traces: paths, offsets: job.drive.offsets, startMs: job.drive.startMs,
      untilRel: job.drive.untilRel, scenario: job.drive.scenario,
      probe: seen ? (at, v) => { seen[at] |= v ? 1 : 2; } : undefined,
      hooks: { onRecorded: (c) => meter.add(c) },
    });
    const x = meter.result();
    const probes: Array<[number, number]> = [];
    if (seen) for (let at = 0; at < seen.length; at++) if (seen[at]) probes.push([at, seen[at]]);
    return {
      ...base, ok: true, samples: r.counts.replayed, t0: r.t0, hours: x.hours, km: x.km,
      events: r.events.map((e) => [e.ruleId, e.rel]), ...(seen ? { probes } : {}),
    };
  } catch (e) {
    // Trace readers name the file; say which drive it belongs to, with paths as the job gave them.
    let message = (e as Error).message;
    paths.forEach((p, i) => { const ref = job.drive.traces[i]; if (ref && p !== ref.path) message = message.split(p).join(ref.path ?? ref.name); });
    return { ...base, ok: false, error: `drive ${job.drive.id}: ${message}`, samples: 0, hours: 0, km: 0, events: [] };
  }
}
