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
  /** True when no sample of this signal arrived for at least d (e.g. GNSS loss). @example sig('gnss.lat').stale(seconds(30)) */
  stale(d: Duration): Bool { return new Bool(node('STALE', [d.node], { signal: this.signal }, callerLoc())); }
  /** True once a sample has arrived (its value is no longer unknown). @example sig('temperature').known() */
  known(): Bool { return new Bool(node('KNOWN', [], { signal: this.signal }, callerLoc())); }
}

export class BoolSignal extends Bool implements SignalHandle {
  constructor(readonly signal: SignalName) { super(node('LOAD', [], { signal }, callerLoc())); }
  /** True when no sample of this signal arrived for at least d. @example sig('ble.seal').stale(minutes(2)) */
  stale(d: Duration): Bool { return new Bool(node('STALE', [d.node], { signal: this.signal }, callerLoc())); }
  /** True once a sample has arrived. @example door.known() */
  known(): Bool { return new Bool(node('KNOWN', [], { signal: this.signal }, callerLoc())); }
  /** The signal as a condition: true while it is 1 (false while unknown). @example door.isTrue() */
  isTrue(): Bool { return this; }
  /** True while the signal is 0, and while it is unknown (it is not(isTrue())). @example sig('ignition').isFalse() */
  isFalse(): Bool { return this.not(); }
}

export type Signal<N extends SignalName> = UnitOf<N> extends 'bool' ? BoolSignal : NumSignal<UnitOf<N>>;

/** The typed handle of a catalogue signal: a Num in its unit, or a boolean signal. @example sig('gnss.speed') */
export function sig<N extends SignalName>(name: N): Signal<N> {
  const entry = Catalogue[name] as { unit?: Unit } | undefined;
  if (!entry) throw new Error(`unknown signal '${name}'`);
  return (entry.unit === 'bool' ? new BoolSignal(name) : new NumSignal(name)) as Signal<N>;
}
