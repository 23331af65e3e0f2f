/**
 * TypeBox schema of one native trace record, built from the signal catalogue: `t` (ms since the Unix
 * epoch, UTC) plus any catalogue signal, each optional, with the catalogue's range. Signals whose unit
 * is bool / id / count / level must be integers. `null` means unknown (NaN in the sample stream).
 * Unknown keys are rejected, so a misspelt signal name is an error, not a silently ignored column.
 */
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Catalogue, SIGNAL_NAMES, signalMeta, type SignalName } from '../../compiler/dsl/catalogue.ts';

const INTEGER_UNITS = new Set(['bool', 'id', 'count', 'level']);

function signalSchema(name: SignalName): TSchema {
  const c = Catalogue[name] as unknown as { minimum: number; maximum: number };
  const m = signalMeta(name);
  const opts = { minimum: c.minimum, maximum: c.maximum, description: `${m.description} (${m.unit})` };
  const value = INTEGER_UNITS.has(m.unit) ? Type.Integer(opts) : Type.Number(opts);
  return Type.Optional(Type.Union([value, Type.Null()]));
}

const properties: Record<string, TSchema> = {
  t: Type.Number({ description: 'Time of the record, ms since the Unix epoch (UTC)' }),
};
for (const name of SIGNAL_NAMES) properties[name] = signalSchema(name);

export const NativeRecord = Type.Object(properties, { additionalProperties: false, title: 'edgerule native trace record' });

/** Optional first record: {"edgerule":"trace","version":1,"hasDate":true,"source":"…"}. */
export const NativeHeader = Type.Object({
  edgerule: Type.Literal('trace'),
  version: Type.Literal(1),
  hasDate: Type.Optional(Type.Boolean()),
  source: Type.Optional(Type.String()),
});

export const recordValidator = Compile(NativeRecord);
export const headerValidator = Compile(NativeHeader);

/** The schema rule a record breaks, as one line: "/gnss.lat must be <= 90 (maximum)". */
export function recordError(value: unknown): string {
  const errors = recordValidator.Errors(value);
  if (errors.length === 0) return '';
  const extra = errors.find((e) => e.keyword === 'additionalProperties');
  if (extra) {
    const names = (extra.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    return `unknown signal ${names.map((n) => `"${n}"`).join(', ')} (additionalProperties: false)`;
  }
  const e = errors[0];
  return `${e.instancePath || '/'} ${e.message} (${e.keyword})`;
}
