/** The per-rule budget table printed by `edgerule compile` and `edgerule inspect`. */
import type { RuleBudget } from './compile.ts';

export function budgetTable(budget: RuleBudget[]): string {
  const rows = budget.map((b) => [String(b.id), b.rule, String(b.codeBytes), String(b.stateBytes), String(b.worstOps)]);
  const total = ['', 'total (shared code counted once per rule)', String(budget.reduce((s, b) => s + b.codeBytes, 0)), String(budget.reduce((s, b) => s + b.stateBytes, 0)), String(budget.reduce((s, b) => s + b.worstOps, 0))];
  const header = ['id', 'rule', 'code B', 'state B', 'worst ops'];
  const all = [header, ...rows, total];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt), fmt(total)].join('\n');
}
