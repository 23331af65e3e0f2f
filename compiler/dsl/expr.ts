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
  /** True while this is greater than x (false while either is unknown). @example speed.above(kmh(80)) */
  above(x: Num<U>): Bool { return new Bool(op('GT', [this.node, x.node])); }
  /** True while this is less than x (false while either is unknown). @example speed.below(kmh(1)) */
  below(x: Num<U>): Bool { return new Bool(op('LT', [this.node, x.node])); }
  /** True while this is greater than or equal to x. @example sig('gnss.sats').atLeast(count(4)) */
  atLeast(x: Num<U>): Bool { return new Bool(op('GE', [this.node, x.node])); }
  /** True while this is less than or equal to x. @example sig('battery').atMost(volts(3.4)) */
  atMost(x: Num<U>): Bool { return new Bool(op('LE', [this.node, x.node])); }
  /** True while lo ≤ this ≤ hi. @example temperature.between(celsius(2), celsius(8)) */
  between(lo: Num<U>, hi: Num<U>): Bool { return this.atLeast(lo).and(this.atMost(hi)); }
  /** True while this is below lo or above hi. @example temperature.outsideRange(celsius(2), celsius(8)) */
  outsideRange(lo: Num<U>, hi: Num<U>): Bool { return this.below(lo).or(this.above(hi)); }
  /** True while this equals x (never while unknown). @example sig('gnss.fix').equals(level(0)) */
  equals(x: Num<U>): Bool { return new Bool(op('EQ', [this.node, x.node])); }
  /** True while this differs from x (also while either is unknown: NaN differs from everything). @example sig('cell.id').differsFrom(id(20417)) */
  differsFrom(x: Num<U>): Bool { return new Bool(op('NE', [this.node, x.node])); }
  /** This plus x, in the same unit. @example temperature.plus(celsius(0.5)) */
  plus(x: Num<U>): Num<U> { return new Num<U>(op('ADD', [this.node, x.node])); }
  /** This minus x, in the same unit. @example sig('battery').minus(volts(0.2)) */
  minus(x: Num<U>): Num<U> { return new Num<U>(op('SUB', [this.node, x.node])); }
  /** Scaled by a plain number (the unit stays). @example speed.times(1.1) */
  times(k: number): Num<U> { return new Num<U>(op('MUL', [this.node, constNode(k)])); }
  /** Divided by a plain number (the unit stays). @example sig('accel.mag').dividedBy(2) */
  dividedBy(k: number): Num<U> { return new Num<U>(op('DIV', [this.node, constNode(k)])); }
  /** Minus this. @example sig('accel.z').negate() */
  negate(): Num<U> { return new Num<U>(op('NEG', [this.node])); }
  /** The absolute value. @example sig('accel.x').abs().above(gees(2)) */
  abs(): Num<U> { return new Num<U>(op('ABS', [this.node])); }
  /** The smaller of this and x (unknown if either is). @example temperature.min(celsius(60)) */
  min(x: Num<U>): Num<U> { return new Num<U>(op('MIN', [this.node, x.node])); }
  /** The larger of this and x (unknown if either is). @example speed.max(kmh(0)) */
  max(x: Num<U>): Num<U> { return new Num<U>(op('MAX', [this.node, x.node])); }
  /** Schmitt trigger: true once above `on`, false again once below `off` (off < on). @example temperature.hysteresis(celsius(7.5), celsius(8)) */
  hysteresis(off: Num<U>, on: Num<U>): Bool { return new Bool(op('HYST', [this.node, off.node, on.node])); }
  /** The value this had when `when` was last true (unknown before): e.g. the last valid fix. @example sig('gnss.lat').heldWhen(sig('gnss.fix').atLeast(level(1))) */
  heldWhen(when: Bool): Num<U> { return new Num<U>(op('HOLD', [this.node, when.node])); }
}

export class Bool extends Expr {
  /** True while this and every other condition are true. @example door.isTrue().and(speed.below(kmh(1))) */
  and(...others: Bool[]): Bool { return others.reduce<Bool>((a, b) => new Bool(op('AND', [a.node, b.node])), this); }
  /** True while this or any other condition is true. @example sig('tamper').isTrue().or(sig('light').above(lux(50))) */
  or(...others: Bool[]): Bool { return others.reduce<Bool>((a, b) => new Bool(op('OR', [a.node, b.node])), this); }
  /** True while this is false (and while it is unknown: see "Unknown values"). @example sig('ignition').isTrue().not() */
  not(): Bool { return new Bool(op('NOT', [this.node])); }
  /** True once this has been true continuously for at least d. @example door.isTrue().heldFor(minutes(10)) */
  heldFor(d: Duration): Bool { return new Bool(op('HELD', [this.node, d.node])); }
  /** True on the evaluation where this becomes true. @example door.isTrue().rising() */
  rising(): Bool { return new Bool(op('RISE', [this.node])); }
  /** True on the evaluation where this becomes false. @example sig('power.external').isTrue().falling() */
  falling(): Bool { return new Bool(op('FALL', [this.node])); }
  /** Follows this, but only after it has kept its new value for at least d. @example door.isTrue().debounce(seconds(2)) */
  debounce(d: Duration): Bool { return new Bool(op('DEBOUNCE', [this.node, d.node])); }
  /** True from when this is true until `reset` is true (reset wins). @example door.isTrue().latchUntil(sig('ble.seal').isTrue()) */
  latchUntil(reset: Bool): Bool { return new Bool(op('LATCH', [this.node, reset.node])); }
  /** Number of times this became true within the last `window` (counts up to `cap`, within the COUNT ring limit of compiler/isa.ts). @example door.isTrue().risingCount(minutes(30)).atLeast(count(3)) */
  risingCount(window: Duration, cap = 8): Num<'count'> {
    const [min, max] = OP.COUNT.limits!.n!;
    if (!Number.isInteger(cap) || cap < min || cap > max) throw new RangeError(`risingCount cap must be an integer ${min}…${max}, got ${cap}`);
    return new Num<'count'>(op('COUNT', [this.node, window.node], { n: cap }));
  }
  /** True once at least d has passed since this was last true (from start if never). @example sig('ble.seal').isTrue().notTrueFor(minutes(5)) */
  notTrueFor(d: Duration): Bool { return new Bool(op('SINCE', [this.node, d.node])); }
  /** ifTrue while this is true, else ifFalse. @example door.isTrue().choose(count(1), count(0)) */
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
  /** True while this is greater than x (false while unknown). @example distanceTo(depot).above(km(2)) */
  above(x: Num<U>): Bool { return this.cmp('GT', x); }
  /** True while this is less than x. @example distanceTo(depot).below(meters(300)) */
  below(x: Num<U>): Bool { return this.cmp('LT', x); }
  /** True while this is greater than or equal to x. @example impliedSpeed().atLeast(kmh(250)) */
  atLeast(x: Num<U>): Bool { return this.cmp('GE', x); }
  /** True while this is less than or equal to x. @example distanceTo(depot).atMost(meters(50)) */
  atMost(x: Num<U>): Bool { return this.cmp('LE', x); }
}

export function constNode(value: number): Node {
  if (!Number.isFinite(value)) throw new RangeError(`constant must be a finite number, got ${value}`);
  return node('CONST', [], { value }, callerLoc());
}

/** True while every condition is true. @example all(door.isTrue(), speed.below(kmh(1))) */
export function all(first: Bool, ...rest: Bool[]): Bool { return first.and(...rest); }
/** True while at least one condition is true. @example any(sig('tamper').isTrue(), door.isTrue()) */
export function any(first: Bool, ...rest: Bool[]): Bool { return first.or(...rest); }
/** True while x is false (and while it is unknown). @example not(sig('ignition').isTrue()) */
export function not(x: Bool): Bool { return x.not(); }

/** True once when `trigger` became true and `expected` did not become true within `within` after it. @example absence(door.isTrue().falling(), sig('ble.seal').isTrue(), minutes(10)) */
export function absence(trigger: Bool, expected: Bool, within: Duration): Bool {
  return new Bool(op('ABSENT', [trigger.node, expected.node, within.node]));
}

/** True once when the steps became true in order, all within `within` of the first. @example sequence([sig('ignition').isFalse(), door.isTrue(), speed.above(kmh(10))], minutes(15)) */
export function sequence(steps: Bool[], within: Duration): Bool {
  const [min, max] = OP.SEQ.limits!.n!;
  if (steps.length < min || steps.length > max) throw new RangeError(`sequence takes ${min}…${max} steps, got ${steps.length}`);
  return new Bool(op('SEQ', [...steps.map((s) => s.node), within.node], { n: steps.length }));
}
