/**
 * The unit of a value a rule attaches to its event, read off its expression: a signal's unit from the catalogue,
 * carried through arithmetic, sample-and-hold and choice; an edge count is a count. The sidecar map records it
 * (`attachUnits`), so the simulator prints `speed=2.3 m/s`, not a bare number. The DSL's types already proved the
 * units agree; this only reads them back from the values.
 */
import { signalMeta, type Unit } from './dsl/catalogue.ts';
import type { Node } from './ir.ts';

/** Ops whose result has the unit of operand `i`. */
const UNIT_OF_OPERAND: Partial<Record<string, number>> = { ADD: 0, SUB: 0, MUL: 0, DIV: 0, NEG: 0, ABS: 0, MIN: 0, MAX: 0, HOLD: 0, SEL: 1 };

/** The unit of an attached value, or null when it has none to show (a plain constant). */
export function unitOfValue(n: Node): Unit | null {
  for (let at: Node = n; ;) {
    if (at.op === 'LOAD' && at.signal) return signalMeta(at.signal).unit;
    if (at.op === 'COUNT') return 'count';
    const i = UNIT_OF_OPERAND[at.op];
    if (i === undefined || !at.args[i]) return null;
    // A constant operand has no unit of its own: take the other side's.
    at = at.args[i].op === 'CONST' && at.args.length > 1 && (at.op === 'ADD' || at.op === 'SUB' || at.op === 'MIN' || at.op === 'MAX') ? at.args[1 - i] : at.args[i];
  }
}
