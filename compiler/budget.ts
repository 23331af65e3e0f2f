/**
 * The per-rule budget: what one rule costs on the device — code bytes, state bytes and worst-case operations of
 * its own unit plus every derived unit it reads, directly or through other derived units. The verifier
 * (runtime/engine/verify.ts) measures each unit; this is the one place that adds units up into rules, for
 * `edgerule compile` and `edgerule inspect` alike.
 */
import type { Program } from '../runtime/engine/verify.ts';

export interface RuleBudget { rule: string; id: number; codeBytes: number; stateBytes: number; worstOps: number }

/** A unit as the emitter and the sidecar map describe it. */
export interface BudgetUnit { index: number; kind: 'derived' | 'rule'; id: number; codeStart: number; codeEnd: number; deps: number[] }

/** Indexes of the rule's own unit and of every derived unit it reads, transitively. */
function unitsOfRule(ruleUnit: BudgetUnit, derivedById: Map<number, BudgetUnit>): number[] {
  const seen = new Set<number>([ruleUnit.index]);
  const todo = [...ruleUnit.deps];
  while (todo.length) {
    const d = derivedById.get(todo.pop()!);
    if (d && !seen.has(d.index)) { seen.add(d.index); todo.push(...d.deps); }
  }
  return [...seen];
}

/** Budgets of the rules, from the units and the verifier's per-unit measures (program.unitCost, unitState). */
export function ruleBudgets(rules: Array<{ id: number; name: string }>, units: BudgetUnit[], program: Program): RuleBudget[] {
  const derivedById = new Map(units.filter((u) => u.kind === 'derived').map((u) => [u.id, u]));
  return rules.map((r) => {
    const own = units.find((u) => u.kind === 'rule' && u.id === r.id);
    if (!own) throw new Error(`rule ${r.id} (${r.name}) has no unit`);
    const idx = unitsOfRule(own, derivedById);
    return {
      rule: r.name, id: r.id,
      codeBytes: idx.reduce((s, i) => s + units[i].codeEnd - units[i].codeStart, 0),
      stateBytes: idx.reduce((s, i) => s + program.unitState[i] * 8, 0),
      worstOps: idx.reduce((s, i) => s + program.unitCost[i], 0),
    };
  });
}

/** The table printed by `edgerule compile` and `edgerule inspect`. */
export function budgetTable(budget: RuleBudget[]): string {
  const rows = budget.map((b) => [String(b.id), b.rule, String(b.codeBytes), String(b.stateBytes), String(b.worstOps)]);
  const total = ['', 'total (shared code counted once per rule)', String(budget.reduce((s, b) => s + b.codeBytes, 0)), String(budget.reduce((s, b) => s + b.stateBytes, 0)), String(budget.reduce((s, b) => s + b.worstOps, 0))];
  const header = ['id', 'rule', 'code B', 'state B', 'worst ops'];
  const all = [header, ...rows, total];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt), fmt(total)].join('\n');
}
