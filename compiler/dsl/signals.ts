/**
 * Typed handles on catalogue signals: `sig('gnss.speed')` is a Num<'m/s'>, `sig('door')` a Bool-like signal.
 * A misspelt name is a type error; the unit comes from the catalogue, declared there once.
 */
import { Catalogue, type SignalName, type Unit } from './catalogue.ts';
import { Bool, Num, type Duration } from './expr.ts';
import { node } from '../ir.ts';
import { callerLoc } from './location.ts';

type UnitOf<N extends SignalName> = (typeof Catalogue)[N]['unit'] & Unit;

export interface SignalHandle { readonly signal: SignalName }

export class NumSignal<U extends Unit> extends Num<U> implements SignalHandle {
  constructor(readonly signal: SignalName) { super(node('LOAD', [], { signal }, callerLoc())); }
  /** True when no sample of this signal arrived for at least d (e.g. GNSS loss). */
  stale(d: Duration): Bool { return new Bool(node('STALE', [d.node], { signal: this.signal }, callerLoc())); }
  /** True once a sample has arrived. */
  known(): Bool { return new Bool(node('KNOWN', [], { signal: this.signal }, callerLoc())); }
}

export class BoolSignal extends Bool implements SignalHandle {
  constructor(readonly signal: SignalName) { super(node('LOAD', [], { signal }, callerLoc())); }
  stale(d: Duration): Bool { return new Bool(node('STALE', [d.node], { signal: this.signal }, callerLoc())); }
  known(): Bool { return new Bool(node('KNOWN', [], { signal: this.signal }, callerLoc())); }
  isTrue(): Bool { return this; }
  isFalse(): Bool { return this.not(); }
}

export type Signal<N extends SignalName> = UnitOf<N> extends 'bool' ? BoolSignal : NumSignal<UnitOf<N>>;

export function sig<N extends SignalName>(name: N): Signal<N> {
  const entry = Catalogue[name] as { unit?: Unit } | undefined;
  if (!entry) throw new Error(`unknown signal '${name}'`);
  return (entry.unit === 'bool' ? new BoolSignal(name) : new NumSignal(name)) as Signal<N>;
}
