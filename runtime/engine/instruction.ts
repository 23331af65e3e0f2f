/**
 * The one instruction decoder. The verifier, the translator and the host's disassembler all read code through
 * decodeInstruction, so they agree on every byte by construction; short forms (compiler/isa.ts `short`) are expanded
 * here and nowhere else. Its encoder twin is compiler/encode.ts.
 *
 * Runtime subset: it fills a record the caller allocated once (newInstruction) and allocates nothing itself.
 */
import { SHORT_FORMS, OPROW, OP_LIMIT, OPTAB, OPTAB_COLS, COL_LEN, COL_F1, COL_F2, FORMAT_BYTES } from './isa.generated.ts';

export interface Instruction {
  /** Long-form opcode (a short form reports the op it stands for); −1 for an unassigned opcode byte. */
  op: number;
  /** Offset of the op's row in OPTAB: read its columns as OPTAB[ins.row + COL_*]. */
  row: number;
  /** Bytes the instruction takes. */
  size: number;
  /** Written as a one-byte short form, its operand embedded in the opcode byte. */
  short: boolean;
  /** The whole instruction lies before the `end` given to decodeInstruction (operands are read only then). */
  complete: boolean;
  /** First and second operand by the op's formats (0 when it has none). */
  a: number;
  b: number;
  /** Byte offsets of the operands (a short form's operand is its opcode byte). */
  aAt: number;
  bAt: number;
}

export function newInstruction(): Instruction {
  return { op: -1, row: 0, size: 1, short: false, complete: false, a: 0, b: 0, aAt: 0, bAt: 0 };
}

function readOperand(bytes: Uint8Array, at: number, format: number): number {
  return FORMAT_BYTES[format] === 1 ? bytes[at] : bytes[at] | (bytes[at + 1] << 8);
}

/** Decodes the instruction at bytes[at] into `ins`; `end` is the offset just past the unit holding it. */
export function decodeInstruction(bytes: Uint8Array, at: number, end: number, ins: Instruction): void {
  var op = bytes[at];
  var embedded = -1;
  for (var i = 0; i < SHORT_FORMS.length; i += 3) {
    if (op >= SHORT_FORMS[i] && op < SHORT_FORMS[i] + SHORT_FORMS[i + 1]) {
      embedded = op - SHORT_FORMS[i];
      op = SHORT_FORMS[i + 2];
      break;
    }
  }
  ins.short = embedded >= 0;
  ins.a = 0;
  ins.b = 0;
  ins.aAt = at;
  ins.bAt = at;
  if (!(op < OP_LIMIT) || OPROW[op] === 0) { // also catches a read past the array (undefined), for host callers
    ins.op = -1;
    ins.row = 0;
    ins.size = 1;
    ins.complete = false;
    return;
  }
  var row = (OPROW[op] - 1) * OPTAB_COLS;
  ins.op = op;
  ins.row = row;
  ins.size = embedded >= 0 ? 1 : OPTAB[row + COL_LEN];
  ins.complete = at + ins.size <= end;
  if (!ins.complete) return;
  if (embedded >= 0) {
    ins.a = embedded;
    return;
  }
  var format = OPTAB[row + COL_F1];
  if (format === 0) return;
  ins.aAt = at + 1;
  ins.a = readOperand(bytes, ins.aAt, format);
  var second = OPTAB[row + COL_F2];
  if (second === 0) return;
  ins.bAt = ins.aAt + FORMAT_BYTES[format];
  ins.b = readOperand(bytes, ins.bAt, second);
}
