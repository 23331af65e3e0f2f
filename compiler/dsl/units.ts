/**
 * Quantity constructors. Each returns a constant in the catalogue's base unit (m/s, ms, m, g, V, °C, …)
 * typed with that unit, so `speed.below(kmh(1))` compiles and `speed.below(minutes(1))` does not.
 */
import type { Unit } from './catalogue.ts';
import { Num, constNode } from './expr.ts';
import type { Node } from '../ir.ts';

/** The unit each quantity constant was made in (param() needs it at run time; the type parameter is erased). */
const UNIT_OF = new WeakMap<Node, Unit>();

export function unitOf(n: Node): Unit | undefined {
  return UNIT_OF.get(n);
}

function q<U extends Unit>(value: number, unit: U): Num<U> {
  const n = new Num<U>(constNode(value));
  UNIT_OF.set(n.node, unit);
  return n;
}

export const kmh = (v: number) => q<'m/s'>(v / 3.6, 'm/s');
export const mps = (v: number) => q<'m/s'>(v, 'm/s');
export const knots = (v: number) => q<'m/s'>(v * 1852 / 3600, 'm/s');
export const ms = (v: number) => q<'ms'>(v, 'ms');
export const seconds = (v: number) => q<'ms'>(v * 1000, 'ms');
export const minutes = (v: number) => q<'ms'>(v * 60_000, 'ms');
export const hours = (v: number) => q<'ms'>(v * 3_600_000, 'ms');
export const meters = (v: number) => q<'m'>(v, 'm');
export const km = (v: number) => q<'m'>(v * 1000, 'm');
export const gees = (v: number) => q<'g'>(v, 'g');
export const volts = (v: number) => q<'V'>(v, 'V');
export const celsius = (v: number) => q<'degC'>(v, 'degC');
export const dbm = (v: number) => q<'dBm'>(v, 'dBm');
export const lux = (v: number) => q<'lux'>(v, 'lux');
export const degrees = (v: number) => q<'deg'>(v, 'deg');
export const ratio = (v: number) => q<'ratio'>(v, 'ratio');
export const count = (v: number) => q<'count'>(v, 'count');
export const level = (v: number) => q<'level'>(v, 'level');
export const id = (v: number) => q<'id'>(v, 'id');
