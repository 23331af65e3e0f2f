/** A worker thread of qa/pool.ts: replays the jobs the main thread sends, one at a time. */
import { parentPort } from 'node:worker_threads';
import { runJob, type Job } from './job.ts';

parentPort!.on('message', (m: { seq: number; job: Job; bytes: Uint8Array; paths: string[] }) => {
  parentPort!.postMessage({ seq: m.seq, result: runJob(m.job, m.bytes, m.paths) });
});
