/**
 * Rules and device profiles.
 *
 * A rule fires on the rising edge of its condition (one incident, one alert) unless it fired less than
 * `cooldown` ago; then it emits an event with its severity and attached values, sets outputs, and may
 * change the reporting interval. A profile lists the signals and outputs a device really has.
 */
import type { SignalName, Unit } from './catalogue.ts';
import type { Bool, Duration, Num } from './expr.ts';
import type { SourceLoc } from '../ir.ts';
import { callerLoc } from './location.ts';
import { SEVERITY_NAMES } from '../../runtime/engine/severity.ts';

export type Severity = (typeof SEVERITY_NAMES)[number];
/** Severity name → the code a bundle carries (runtime/engine/severity.ts owns both). */
export const SEVERITY_CODE = Object.fromEntries(SEVERITY_NAMES.map((name, code) => [name, code])) as Record<Severity, number>;

export interface RuleSpec {
  /** Unique, kebab-case; events name their rule by id, the bundle's source map maps ids back to names. @example name: 'door-open-at-rest' */
  readonly name: string;
  /** The threat this rule answers, for people reading the event. @example description: 'Door open while stationary for more than 10 minutes' */
  readonly description: string;
  /** The condition: the rule fires when it becomes true (one incident, one alert). @example when: door.isTrue().heldFor(minutes(10)) */
  readonly when: Bool;
  /** Required: the event's severity, 'info', 'warning' or 'critical' (critical events are never evicted from a full queue). @example severity: 'critical' */
  readonly severity: Severity;
  /** Values attached to the event, in this order (at most `LIMITS.maxAttach` of compiler/isa.ts); unknown ones arrive as NaN. @example attach: { cellId: sig('cell.id'), lat: sig('gnss.lat') } */
  readonly attach?: Readonly<Record<string, Num<Unit>>>;
  /** Minimum time between two events of this rule (default 0). @example cooldown: minutes(30) */
  readonly cooldown?: Duration;
  /** Outputs to set when the rule fires: output name (from the profile) → value; the host's output(id, value) is called. @example setOutputs: { immobiliser: 1 } */
  readonly setOutputs?: Readonly<Record<string, number>>;
  /** Reporting interval to switch to when the rule fires; the host's interval(ms) is called. @example reportEvery: seconds(10) */
  readonly reportEvery?: Duration;
}

export class Rule {
  constructor(readonly spec: RuleSpec, readonly loc: SourceLoc | undefined) {}
}

export function rule(spec: RuleSpec): Rule {
  return new Rule(spec, callerLoc());
}

export type SigningMode = 'per-event' | 'checkpoint';

export interface Profile {
  readonly name: string;
  readonly description: string;
  readonly signals: readonly SignalName[];
  readonly outputs: readonly string[];
  /** How the device signs its events (see docs/EVENTS.md). */
  readonly signing: SigningMode;
}

export function profile(p: Profile): Profile {
  return p;
}
