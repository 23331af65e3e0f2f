/**
 * The one instruction decoder. The verifier, the translator and the host's disassembler all read code through
 * decodeInstruction, so they agree on every byte by construction; short forms (compiler/isa.ts `short`) are expanded
 * here and nowhere else. Its encoder twin is compiler/encode.ts.
 *
 * Runtime subset: it fills a record the caller allocated once (newInstruction) and allocates nothing itself.
 */
import { SHORT_FORMS, OPROW, OPTAB, OpTable, Col, FormatBytes } from './isa.generated.ts';

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
  if (!(op < OpTable.LIMIT) || OPROW[op] === 0) { // also catches a read past the array (undefined), for host callers
    ins.op = -1;
    ins.row = 0;
    ins.size = 1;
    ins.complete = false;
    return;
  }
  var row = (OPROW[op] - 1) * OpTable.COLS;
  ins.op = op;
  ins.row = row;
  ins.size = embedded >= 0 ? 1 : OPTAB[row + Col.LEN];
  ins.complete = at + ins.size <= end;
  if (!ins.complete) return;
  if (embedded >= 0) {
    ins.a = embedded;
    return;
  }
  // Up to two operands, little-endian, one or two bytes each by format (FormatBytes.TWO has a bit per two-byte format).
  var format = OPTAB[row + Col.F1];
  if (format === 0) return;
  ins.aAt = at + 1;
  var wide = (FormatBytes.TWO >> format) & 1;
  ins.a = wide ? bytes[ins.aAt] | (bytes[ins.aAt + 1] << 8) : bytes[ins.aAt];
  format = OPTAB[row + Col.F2];
  if (format === 0) return;
  ins.bAt = ins.aAt + 1 + wide;
  wide = (FormatBytes.TWO >> format) & 1;
  ins.b = wide ? bytes[ins.bAt] | (bytes[ins.bAt + 1] << 8) : bytes[ins.bAt];
}
