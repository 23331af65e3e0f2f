/**
 * Typed expressions. `Num<U>` carries its unit as a type parameter, so comparing a speed with a duration is a
 * type error; `Bool` is a condition; `Squared<U>` is a quantity the device keeps squared (distances and speeds
 * from positions: squaring avoids Math.sqrt, which is not bit-identical on every engine) and only compares.
 * Every method records the caller's source location on the node it builds.
 */
import type { Unit } from './catalogue.ts';
import { node, type Node } from '../ir.ts';
import { OP, type OpName } from '../isa.ts';
import { callerLoc } from './location.ts';

export class Expr {
  constructor(readonly node: Node) {}
}

export type Duration = Num<'ms'>;

function op(name: OpName, args: Node[], extra: Partial<Node> = {}): Node {
  return node(name, args, extra, callerLoc());
}

export class Num<U extends Unit> extends Expr {
  declare readonly __unit: U;
  above(x: Num<U>): Bool { return new Bool(op('GT', [this.node, x.node])); }
  below(x: Num<U>): Bool { return new Bool(op('LT', [this.node, x.node])); }
  atLeast(x: Num<U>): Bool { return new Bool(op('GE', [this.node, x.node])); }
  atMost(x: Num<U>): Bool { return new Bool(op('LE', [this.node, x.node])); }
  /** lo ≤ this ≤ hi */
  between(lo: Num<U>, hi: Num<U>): Bool { return this.atLeast(lo).and(this.atMost(hi)); }
  outsideRange(lo: Num<U>, hi: Num<U>): Bool { return this.below(lo).or(this.above(hi)); }
  equals(x: Num<U>): Bool { return new Bool(op('EQ', [this.node, x.node])); }
  differsFrom(x: Num<U>): Bool { return new Bool(op('NE', [this.node, x.node])); }
  plus(x: Num<U>): Num<U> { return new Num<U>(op('ADD', [this.node, x.node])); }
  minus(x: Num<U>): Num<U> { return new Num<U>(op('SUB', [this.node, x.node])); }
  /** Scale by a plain number (the unit stays). */
  times(k: number): Num<U> { return new Num<U>(op('MUL', [this.node, constNode(k)])); }
  /** Divide by a plain number (the unit stays). */
  dividedBy(k: number): Num<U> { return new Num<U>(op('DIV', [this.node, constNode(k)])); }
  negate(): Num<U> { return new Num<U>(op('NEG', [this.node])); }
  abs(): Num<U> { return new Num<U>(op('ABS', [this.node])); }
  min(x: Num<U>): Num<U> { return new Num<U>(op('MIN', [this.node, x.node])); }
  max(x: Num<U>): Num<U> { return new Num<U>(op('MAX', [this.node, x.node])); }
  /** Schmitt trigger: true once above `on`, false again once below `off` (off < on). */
  hysteresis(off: Num<U>, on: Num<U>): Bool { return new Bool(op('HYST', [this.node, off.node, on.node])); }
  /** The value this had when `when` was last true (unknown before): e.g. the last valid fix. */
  heldWhen(when: Bool): Num<U> { return new Num<U>(op('HOLD', [this.node, when.node])); }
}

export class Bool extends Expr {
  and(...others: Bool[]): Bool { return others.reduce<Bool>((a, b) => new Bool(op('AND', [a.node, b.node])), this); }
  or(...others: Bool[]): Bool { return others.reduce<Bool>((a, b) => new Bool(op('OR', [a.node, b.node])), this); }
  not(): Bool { return new Bool(op('NOT', [this.node])); }
  /** True once this has been true continuously for at least d. */
  heldFor(d: Duration): Bool { return new Bool(op('HELD', [this.node, d.node])); }
  /** True on the evaluation where this becomes true. */
  rising(): Bool { return new Bool(op('RISE', [this.node])); }
  /** True on the evaluation where this becomes false. */
  falling(): Bool { return new Bool(op('FALL', [this.node])); }
  /** Follows this, but only after it has kept its new value for at least d. */
  debounce(d: Duration): Bool { return new Bool(op('DEBOUNCE', [this.node, d.node])); }
  /** True from when this is true until `reset` is true (reset wins). */
  latchUntil(reset: Bool): Bool { return new Bool(op('LATCH', [this.node, reset.node])); }
  /** Number of times this became true within the last `window` (counts up to `cap`, within the COUNT ring limit of compiler/isa.ts). */
  risingCount(window: Duration, cap = 8): Num<'count'> {
    const [min, max] = OP.COUNT.limits!.n!;
    if (!Number.isInteger(cap) || cap < min || cap > max) throw new RangeError(`risingCount cap must be an integer ${min}…${max}, got ${cap}`);
    return new Num<'count'>(op('COUNT', [this.node, window.node], { n: cap }));
  }
  /** True once at least d has passed since this was last true (from start if never). */
  notTrueFor(d: Duration): Bool { return new Bool(op('SINCE', [this.node, d.node])); }
  /** Chooses between two quantities. */
  choose<U extends Unit>(ifTrue: Num<U>, ifFalse: Num<U>): Num<U> { return new Num<U>(op('SEL', [this.node, ifTrue.node, ifFalse.node])); }
}

/** A non-negative quantity kept squared on the device; it compares with ordinary quantities of its unit. */
export class Squared<U extends Unit> extends Expr {
  declare readonly __unit: U;
  private cmp(name: OpName, x: Num<U>): Bool {
    // Compare with x·|x| so a negative threshold keeps its meaning (a distance is never below −5 m).
    // A parameter is folded by lowering, once its value is known.
    const rhs = x.node.op === 'CONST' && !x.node.param ? constNode(x.node.value! * Math.abs(x.node.value!)) : op('MUL', [x.node, op('ABS', [x.node])]);
    return new Bool(op(name, [this.node, rhs]));
  }
  above(x: Num<U>): Bool { return this.cmp('GT', x); }
  below(x: Num<U>): Bool { return this.cmp('LT', x); }
  atLeast(x: Num<U>): Bool { return this.cmp('GE', x); }
  atMost(x: Num<U>): Bool { return this.cmp('LE', x); }
}

export function constNode(value: number): Node {
  if (!Number.isFinite(value)) throw new RangeError(`constant must be a finite number, got ${value}`);
  return node('CONST', [], { value }, callerLoc());
}

export function all(first: Bool, ...rest: Bool[]): Bool { return first.and(...rest); }
export function any(first: Bool, ...rest: Bool[]): Bool { return first.or(...rest); }
export function not(x: Bool): Bool { return x.not(); }

/** True once when `trigger` became true and `expected` did not become true within `within` after it. */
export function absence(trigger: Bool, expected: Bool, within: Duration): Bool {
  return new Bool(op('ABSENT', [trigger.node, expected.node, within.node]));
}

/** True once when the steps became true in order, all within `within` of the first. */
export function sequence(steps: Bool[], within: Duration): Bool {
  const [min, max] = OP.SEQ.limits!.n!;
  if (steps.length < min || steps.length > max) throw new RangeError(`sequence takes ${min}…${max} steps, got ${steps.length}`);
  return new Bool(op('SEQ', [...steps.map((s) => s.node), within.node], { n: steps.length }));
}
