/**
 * Quantity constructors. Each returns a constant in the catalogue's base unit (m/s, ms, m, g, V, °C, …)
 * typed with that unit, so `speed.below(kmh(1))` compiles and `speed.below(minutes(1))` does not.
 */
import type { Unit } from './catalogue.ts';
import { Num, constNode } from './expr.ts';

function q<U extends Unit>(value: number): Num<U> { return new Num<U>(constNode(value)); }

export const kmh = (v: number) => q<'m/s'>(v / 3.6);
export const mps = (v: number) => q<'m/s'>(v);
export const knots = (v: number) => q<'m/s'>(v * 1852 / 3600);
export const ms = (v: number) => q<'ms'>(v);
export const seconds = (v: number) => q<'ms'>(v * 1000);
export const minutes = (v: number) => q<'ms'>(v * 60_000);
export const hours = (v: number) => q<'ms'>(v * 3_600_000);
export const meters = (v: number) => q<'m'>(v);
export const km = (v: number) => q<'m'>(v * 1000);
export const gees = (v: number) => q<'g'>(v);
export const volts = (v: number) => q<'V'>(v);
export const celsius = (v: number) => q<'degC'>(v);
export const dbm = (v: number) => q<'dBm'>(v);
export const lux = (v: number) => q<'lux'>(v);
export const degrees = (v: number) => q<'deg'>(v);
export const ratio = (v: number) => q<'ratio'>(v);
export const count = (v: number) => q<'count'>(v);
export const level = (v: number) => q<'level'>(v);
export const id = (v: number) => q<'id'>(v);
