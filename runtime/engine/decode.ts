/**
 * Short-form opcodes (compiler/isa.ts `short`): one byte that stands for a long-form instruction with its
 * operand embedded. The verifier and the translator both expand them here, so they agree by construction.
 */
import { SHORT_FORMS } from './isa.generated.ts';

/** For a short-form opcode: long-form opcode × 256 + embedded operand. For any other byte: −1. */
export function shortForm(op: number): number {
  for (var i = 0; i < SHORT_FORMS.length; i += 3) {
    var base = SHORT_FORMS[i];
    if (op >= base && op < base + SHORT_FORMS[i + 1]) return SHORT_FORMS[i + 2] * 256 + (op - base);
  }
  return -1;
}
