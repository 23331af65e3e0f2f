/**
 * A QA run as jobs: one per (library, drive), where a library is a bundle — the one under test, the baseline,
 * or one parameter point of a tuning grid. Executors (local threads, or a NATS JetStream farm) run the jobs and
 * hand back results in any order and possibly more than once; collect() keeps the first result of each job id.
 */
import { createHash } from 'node:crypto';
import type { LoadedBundle } from '../simulator/inputs.ts';
import type { Corpus } from './corpus.ts';
import { makeJob, type Job, type JobResult } from './job.ts';

export interface Library { bundle: LoadedBundle; point: string }

export interface Plan {
  corpus: Corpus;
  libraries: Library[];
  /** jobs[l * drives + d]: library l, drive d. */
  jobs: Job[];
  /** Bundle bytes by sha256. */
  bundles: Map<string, Uint8Array>;
  /** Same jobs, same id: a resubmitted run finds the results already published. */
  runId: string;
}

export function makePlan(corpus: Corpus, libraries: Library[], coverage: boolean): Plan {
  const jobs: Job[] = [];
  const bundles = new Map<string, Uint8Array>();
  for (const lib of libraries) {
    bundles.set(lib.bundle.sha256, lib.bundle.bytes);
    for (const d of corpus.drives) jobs.push(makeJob(d, lib.bundle.sha256, lib.point, corpus.maxGapMs, coverage));
  }
  const runId = createHash('sha256').update(jobs.map((j) => j.id).join('\n')).digest('hex').slice(0, 16);
  return { corpus, libraries, jobs, bundles, runId };
}

export interface Progress { done: number; total: number; errors: number; duplicates: number; samples: number }

/** Keeps the first result per job id (at-least-once delivery may bring a result twice). */
export class Collector {
  readonly results = new Map<string, JobResult>();
  readonly progress: Progress;
  private readonly wanted: Set<string>;

  constructor(plan: Plan, private readonly onProgress?: (p: Progress, r: JobResult) => void) {
    this.wanted = new Set(plan.jobs.map((j) => j.id));
    this.progress = { done: 0, total: this.wanted.size, errors: 0, duplicates: 0, samples: 0 };
  }

  /** True when the result was new. */
  add(r: JobResult): boolean {
    if (!this.wanted.has(r.job)) return false;
    if (this.results.has(r.job)) { this.progress.duplicates++; return false; }
    this.results.set(r.job, r);
    this.progress.done++;
    this.progress.samples += r.samples;
    if (!r.ok) this.progress.errors++;
    this.onProgress?.(this.progress, r);
    return true;
  }

  get complete(): boolean { return this.progress.done === this.progress.total; }

  /** Results of library l in corpus order. */
  of(plan: Plan, l: number): Array<JobResult | undefined> {
    const n = plan.corpus.drives.length;
    return plan.jobs.slice(l * n, (l + 1) * n).map((j) => this.results.get(j.id));
  }
}
