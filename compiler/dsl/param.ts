/**
 * Named thresholds: `param('dwell', minutes(45), { min: minutes(5), max: minutes(120) })` is a Num<'ms'> like
 * `minutes(45)`, but `edgerule compile --set dwell=30min` (and `edgerule tune`) may give it another value within
 * its range. The unit comes from the default's constructor, so a value is typed like every other quantity:
 * `--set dwell=30km/h` is an error. Lowering replaces a parameter by a plain constant of its value, so a bundle
 * compiled with `--set dwell=30min` is byte for byte the bundle of a rule written with `minutes(30)`.
 *
 * A name may be used by several rules (the same threshold shared); every declaration of it must agree.
 */
import type { Unit } from './catalogue.ts';
import { Num } from './expr.ts';
import { node, type Node, type ParamDecl } from '../ir.ts';
import { callerLoc } from './location.ts';
import * as U from './units.ts';

export interface ParamRange<X extends Unit> { readonly min?: Num<X>; readonly max?: Num<X>; readonly description?: string }

const NAME = /^[a-z][A-Za-z0-9]*([.-][A-Za-z0-9]+)*$/;

function constValue(n: Num<Unit> | undefined, what: string, name: string): number | undefined {
  if (n === undefined) return undefined;
  if (n.node.op !== 'CONST' || n.node.param || U.unitOf(n.node) === undefined) {
    throw new TypeError(`param '${name}': ${what} must be a quantity constant such as minutes(20) or kmh(5)`);
  }
  return n.node.value!;
}

/** `NoInfer`: the unit comes from the default alone, so a range in another unit is a type error, not a union. */
export function param<X extends Unit>(name: string, defaultValue: Num<X>, range: ParamRange<NoInfer<X>> = {}): Num<X> {
  if (!NAME.test(name)) throw new TypeError(`param name '${name}' must start with a lower-case letter, then letters, digits, '.' or '-' (e.g. 'dwell', 'shock.g')`);
  const value = constValue(defaultValue, 'the default', name)!;
  const unit = U.unitOf(defaultValue.node)!;
  const min = constValue(range.min, 'min', name);
  const max = constValue(range.max, 'max', name);
  if (min !== undefined && max !== undefined && min > max) throw new RangeError(`param '${name}': min is above max`);
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) throw new RangeError(`param '${name}': the default is outside [min, max]`);
  const decl: ParamDecl = { name, unit, defaultValue: value, min, max, description: range.description };
  return new Num<X>(node('CONST', [], { value, param: decl }, callerLoc()));
}

/** Every parameter the trees reach, by name; disagreeing declarations of one name are an error. */
export function collectParams(roots: Node[]): Map<string, ParamDecl> {
  const found = new Map<string, ParamDecl>();
  const stack = [...roots];
  const seen = new Set<Node>();
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.param) {
      const known = found.get(n.param.name);
      if (known && (known.unit !== n.param.unit || known.defaultValue !== n.param.defaultValue || known.min !== n.param.min || known.max !== n.param.max)) {
        throw new RangeError(`param '${n.param.name}' is declared twice with different unit, default or range`);
      }
      if (!known) found.set(n.param.name, n.param);
    }
    stack.push(...n.args);
  }
  return found;
}

/** Suffixes accepted for each unit, each mapped to the DSL constructor that owns its conversion factor. */
const SUFFIXES: Partial<Record<Unit, Record<string, (v: number) => Num<Unit>>>> = {
  'ms': { ms: U.ms, s: U.seconds, sec: U.seconds, min: U.minutes, h: U.hours },
  'm/s': { 'km/h': U.kmh, kmh: U.kmh, 'm/s': U.mps, mps: U.mps, kn: U.knots, knots: U.knots },
  'm': { m: U.meters, km: U.km },
  'g': { g: U.gees },
  'V': { V: U.volts },
  'degC': { C: U.celsius, '°C': U.celsius, degC: U.celsius },
  'dBm': { dBm: U.dbm },
  'lux': { lux: U.lux },
  'deg': { deg: U.degrees, '°': U.degrees },
};
const PLAIN: Partial<Record<Unit, (v: number) => Num<Unit>>> = { ratio: U.ratio, count: U.count, level: U.level, id: U.id };

/** "30min", "12 km/h", "4g", "0.5" (dimensionless units only) → the value in the unit's base unit. */
export function parseParamValue(text: string, unit: string, name = 'value'): number {
  const m = /^\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(\S*)\s*$/i.exec(text);
  const table = SUFFIXES[unit as Unit];
  const accepted = table ? Object.keys(table).join(', ') : 'a plain number';
  if (!m) throw new RangeError(`${name}=${text}: expected a number with a unit (${accepted})`);
  const v = Number(m[1]);
  const suffix = m[2];
  if (!suffix && PLAIN[unit as Unit]) return PLAIN[unit as Unit]!(v).node.value!;
  const make = table?.[suffix];
  if (!make) {
    const other = Object.entries(SUFFIXES).find(([, t]) => t && suffix in t)?.[0];
    throw new RangeError(`${name}=${text}: ${name} is in ${unit}${other ? `, '${suffix}' is a unit of ${other}` : suffix ? `, '${suffix}' is not a unit of it` : ' and needs a unit'}; use ${accepted}`);
  }
  return make(v).node.value!;
}
