/** The rule-authoring API: import everything a rule file needs from here. */
export { sig, NumSignal, BoolSignal } from './signals.ts';
export { Num, Bool, Squared, all, any, not, absence, sequence, type Duration } from './expr.ts';
export * from './units.ts';
export { param, type ParamRange } from './param.ts';
export { places, place, inside, insideAny, distanceTo, offRoute, impliedSpeed, Place } from './geo.ts';
export { rule, profile, Rule, type RuleSpec, type Profile, type Severity } from './rule.ts';
export { Catalogue, type SignalName } from './catalogue.ts';
