/** Where to cut the power of an in-process device (harness/link.ts MemoryStore): the store writes of a clean run. */
import type { MemoryStore } from './link.ts';

/** Store writes of a clean run of `step`, as [bytes written before it, its length]. */
export async function writesOf(store: MemoryStore, step: () => Promise<unknown>): Promise<Array<[number, number]>> {
  const log: Array<[number, number]> = [];
  const put = store.put.bind(store);
  store.put = (k, b) => { log.push([store.written, Math.max(1, b.length)]); return put(k, b); };
  await step();
  store.put = put;
  return log;
}

/** Cut points: each write's first byte, one inside it, its last byte, and just after it (relative to `base`). */
export function cutPoints(writes: Array<[number, number]>, base: number): number[] {
  const pts = new Set<number>();
  for (const [at, n] of writes) for (const p of [at, at + Math.floor(n / 2), at + n - 1, at + n]) pts.add(p - base);
  return [...pts].sort((a, b) => a - b);
}
