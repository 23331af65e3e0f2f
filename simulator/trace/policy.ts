/**
 * The time-order policy every trace reader and mergeTraces apply (what it does is described in order.ts, which
 * applies it). On its own so that the result types (issues.ts) can name it without importing the readers.
 */

export interface MergePolicy {
  backwards: 'drop' | 'sort';
  gapMs: number;
}

export const DEFAULT_POLICY: Readonly<MergePolicy> = Object.freeze({ backwards: 'drop', gapMs: 30_000 });

export function resolvePolicy(p?: Partial<MergePolicy>): MergePolicy {
  return { backwards: p?.backwards ?? DEFAULT_POLICY.backwards, gapMs: p?.gapMs ?? DEFAULT_POLICY.gapMs };
}

/** Writes the policy itself into stats (stats hold numbers only). */
export function policyStats(p: MergePolicy, stats: Record<string, number>): void {
  stats['policy.backwardsDrop'] = p.backwards === 'drop' ? 1 : 0;
  stats['policy.backwardsSort'] = p.backwards === 'sort' ? 1 : 0;
  stats['policy.duplicatesKept'] = 1;
  stats['policy.gapsKept'] = 1;
  stats['policy.gapMs'] = p.gapMs;
}
