/** Sentences for the runtime's fault codes (runtime/engine/faults.ts), for CLI output and host-side reports. */
import * as F from '../runtime/engine/faults.ts';
import { ISA } from './isa.ts';

/** The static operand ranges of compiler/isa.ts, e.g. "SEQ n 1…8, COUNT n 1…64, EMIT o 0…2, EMIT n 0…8". */
const OPERAND_RANGES = ISA.flatMap((op) => Object.entries(op.limits ?? {})
  .filter((e): e is [string, readonly [number, number]] => typeof e[1] !== 'string')
  .map(([f, [min, max]]) => `${op.name} ${f} ${min}…${max}`)).join(', ');
/** The value restrictions of compiler/isa.ts, e.g. "STALE on a derived value, STORE to another unit's value". */
const VALUE_LIMITS = ISA.filter((op) => op.limits?.v)
  .map((op) => `${op.name} ${op.limits!.v === 'signals' ? 'on a derived value' : 'to another unit\'s value'}`).join(', or ');

export const FAULT_TEXT: Record<number, { name: string; rule: string }> = {
  [F.F_TRUNCATED]: { name: 'TRUNCATED', rule: 'the bundle is shorter than its header or declared sections' },
  [F.F_BAD_MAGIC]: { name: 'BAD_MAGIC', rule: 'the bundle must start with the magic "ERB1"' },
  [F.F_BAD_VERSION]: { name: 'BAD_VERSION', rule: 'the bundle format version is not one this runtime reads' },
  [F.F_CATALOGUE]: { name: 'CATALOGUE', rule: 'the bundle was built against a different signal catalogue' },
  [F.F_OVERSIZED]: { name: 'OVERSIZED', rule: 'a count in the header exceeds the runtime limits' },
  [F.F_LENGTH]: { name: 'LENGTH', rule: 'the declared total length disagrees with the sections' },
  [F.F_BAD_UNIT]: { name: 'BAD_UNIT', rule: 'a unit record has a bad kind, id or code range' },
  [F.F_BAD_DEP]: { name: 'BAD_DEP', rule: 'a dependency list names a value that does not exist' },
  [F.F_BAD_OPCODE]: { name: 'BAD_OPCODE', rule: 'unknown opcode' },
  [F.F_BAD_OPERAND]: { name: 'BAD_OPERAND', rule: 'an instruction runs past the end of its unit' },
  [F.F_BAD_VALUE]: { name: 'BAD_VALUE', rule: `value id out of range (or ${VALUE_LIMITS})` },
  [F.F_BAD_SLOT]: { name: 'BAD_SLOT', rule: 'state slot range exceeds the declared state size, or overlaps another instruction\'s' },
  [F.F_BAD_CONST]: { name: 'BAD_CONST', rule: 'constant index out of range' },
  [F.F_BAD_GEOMETRY]: { name: 'BAD_GEOMETRY', rule: 'geometry index out of range or geometry record malformed' },
  [F.F_BAD_JUMP]: { name: 'BAD_JUMP', rule: 'jump target must be a later instruction of the same unit, nested inside any enclosing jump' },
  [F.F_STACK_UNDERFLOW]: { name: 'STACK_UNDERFLOW', rule: 'an instruction pops more values than the stack holds' },
  [F.F_STACK_OVERFLOW]: { name: 'STACK_OVERFLOW', rule: 'the stack would exceed its fixed depth' },
  [F.F_STACK_DIRTY]: { name: 'STACK_DIRTY', rule: 'END, JZ and jump targets need an empty stack' },
  [F.F_NO_END]: { name: 'NO_END', rule: 'a unit must finish with END, and END must be its last instruction' },
  [F.F_BAD_SCOPE]: { name: 'BAD_SCOPE', rule: 'rule-only instruction in a derived unit, or the reverse' },
  [F.F_BAD_COUNT]: { name: 'BAD_COUNT', rule: `count or severity operand out of range (${OPERAND_RANGES})` },
  [F.F_TRANSLATE]: { name: 'TRANSLATE', rule: 'the engine could not instantiate the translated code' },
  [F.F_HOST]: { name: 'HOST', rule: 'the host lacks the callback this instruction calls (EMIT needs emit, OUT needs output, RATE needs interval)' },
  [F.F_ARGUMENT]: { name: 'ARGUMENT', rule: 'the bundle must be a Uint8Array and the host an object' },
};

export function describeFault(code: number, at: number, file = 'bundle'): string {
  const f = FAULT_TEXT[code];
  return f ? `${file}: byte ${at}: fault ${code} ${f.name}: ${f.rule}` : `${file}: byte ${at}: fault ${code} (unknown)`;
}
