/**
 * Worker threads that run QA jobs (qa/job.ts) on this machine: the embedded default of `edgerule qa` and
 * `edgerule tune`, and the engine of every `edgerule worker` process. Threads run a pre-built bundle of
 * qa/job-thread.ts (simulator/batch.ts prebuiltScript), or load the TypeScript sources through the loader hook.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { prebuiltScript } from '../simulator/batch.ts';
import type { Job, JobResult } from './job.ts';

const ENTRY = fileURLToPath(new URL('./job-thread.ts', import.meta.url));
const REGISTER = fileURLToPath(new URL('../cli/register-ts.mjs', import.meta.url));

interface Pending { resolve(r: JobResult): void; reject(e: Error): void }

export class JobPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<() => void> = [];
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private failure?: Error;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      this.idle.push(w);
      w.on('message', (m: { seq: number; result: JobResult }) => {
        const p = this.pending.get(m.seq);
        this.pending.delete(m.seq);
        this.release(w);
        p?.resolve(m.result);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => { if (code !== 0) this.fail(new Error(`a QA worker thread exited with code ${code}`)); });
    }
  }

  get size(): number { return this.workers.length; }

  static async start(threads = availableParallelism()): Promise<JobPool> {
    const script = await prebuiltScript(ENTRY);
    const n = Math.max(1, threads);
    const workers = Array.from({ length: n }, () => new Worker(script ?? ENTRY, { execArgv: script ? [] : ['--import', REGISTER], stdout: false, stderr: false }));
    return new JobPool(workers);
  }

  /** Runs a job on the next free thread (waits for one). */
  async run(job: Job, bytes: Uint8Array, paths: string[]): Promise<JobResult> {
    const w = await this.acquire();
    const seq = this.seq++;
    return new Promise<JobResult>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      w.postMessage({ seq, job, bytes, paths });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private acquire(): Promise<Worker> {
    if (this.failure) return Promise.reject(this.failure);
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    return new Promise((resolve, reject) => this.waiting.push(() => (this.failure ? reject(this.failure) : resolve(this.idle.pop()!))));
  }

  private release(w: Worker): void {
    this.idle.push(w);
    this.waiting.shift()?.();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const wake of this.waiting.splice(0)) wake();
  }
}
