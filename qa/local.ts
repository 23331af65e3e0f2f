/** The embedded executor: every job of a plan on worker threads of this machine (qa/pool.ts). */
import { availableParallelism } from 'node:os';
import { JobPool } from './pool.ts';
import type { Collector, Plan } from './plan.ts';

export async function runLocal(plan: Plan, collector: Collector, threads = availableParallelism()): Promise<void> {
  const unique = [...new Map(plan.jobs.map((j) => [j.id, j])).values()];
  if (!unique.length) return;
  const pool = await JobPool.start(Math.min(threads, unique.length));
  try {
    await Promise.all(unique.map(async (j) => {
      collector.add(await pool.run(j, plan.bundles.get(j.bundle)!, j.drive.traces.map((t) => t.path!)));
    }));
  } finally {
    await pool.close();
  }
}
