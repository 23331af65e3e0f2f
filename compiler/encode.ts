/**
 * The one instruction encoder, twin of runtime/engine/instruction.ts decodeInstruction: the emitter and the
 * hostile-bundle assembler both write code through it, so operand layout and short forms live here only.
 */
import { ISA, OPERAND_BYTES, instructionLength, type OpSpec } from './isa.ts';

/** Long-form op name → its short-form row (LOAD → LOADS, CONST → CONSTS). */
const SHORT_FORM = new Map(ISA.filter((o) => o.short).map((o) => [o.short!.of, o]));

export interface EncodeOptions {
  /** Write a long-form op as its one-byte short form when its operand fits (the emitter does; the assembler writes what it is told). */
  shortest?: boolean;
}

/**
 * Writes one instruction into `code` at `at` (overwriting what is there, so a jump can be patched in place) and
 * returns its length. A short-form row (LOADS, CONSTS) takes its embedded operand as its one operand.
 */
export function encodeInstruction(code: number[], at: number, op: OpSpec, operands: readonly number[], options: EncodeOptions = {}): number {
  const shortRow = op.short ? op : options.shortest ? SHORT_FORM.get(op.name) : undefined;
  if (shortRow && (op.short || operands[0] < shortRow.short!.count)) {
    const v = operands[0] ?? 0;
    if (!(v >= 0 && v < shortRow.short!.count)) throw new Error(`${shortRow.name} embeds 0…${shortRow.short!.count - 1}, not ${v}`);
    code[at] = shortRow.code + v;
    return 1;
  }
  let o = at;
  code[o++] = op.code;
  op.operands.forEach((format, i) => {
    const v = operands[i] ?? 0;
    code[o++] = v & 0xff;
    if (OPERAND_BYTES[format] === 2) code[o++] = (v >> 8) & 0xff;
  });
  if (o - at !== instructionLength(op)) throw new Error(`internal: ${op.name} encoded in ${o - at} bytes`);
  return o - at;
}
