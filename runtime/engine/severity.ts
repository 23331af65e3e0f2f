/**
 * Event severities, a device fact: EMIT's severity operand, the `severity` of an event record and the event
 * queue's eviction class (critical records are never evicted) all use these codes. The rule DSL, the
 * disassembler, the simulator and the signing tools take the names from here.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
export var SEV_INFO = 0;
export var SEV_WARNING = 1;
export var SEV_CRITICAL = 2;

/** Severity names by code (SEVERITY_NAMES[SEV_CRITICAL] is 'critical'). */
export var SEVERITY_NAMES = ['info', 'warning', 'critical'] as const;

/** A severity code's name, or the code itself as text when it is out of range. */
export function severityName(code: number): string {
  var name = SEVERITY_NAMES[code];
  return name !== undefined ? name : String(code);
}
