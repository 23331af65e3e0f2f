/**
 * The instruction set: the single source of truth for every opcode fact.
 *
 * One row per opcode (like QuickJS's quickjs-opcode.h). Everything else is derived from this table:
 *   - runtime/engine/isa.generated.ts  the packed per-opcode table the runtime reads (formats, stack effects, state
 *     widths, costs, operand limits, flags, the JS text of pure ops, implicit reads) — `npm run gen`
 *   - runtime/engine/instruction.ts    decodeInstruction: the one decoder (verifier, translator, disassembler)
 *   - compiler/encode.ts               encodeInstruction: the one encoder (emitter, hostile-bundle assembler)
 *   - compiler/lower.ts                folds constants by evaluating a pure op's `pure.js`, the text the translator writes
 *   - the opcode and operand tables in docs/BYTECODE.md                           — `npm run gen`
 * A test (test/generated.test.ts) fails when a generated file is out of date.
 *
 * Operand formats, each little-endian, in order:
 *   v  u8  value id: a catalogue signal (< signal count) or a derived value (signal count + n)
 *   s  u16 first state slot
 *   g  u8  geometry index
 *   n  u8  count (operands popped, ring size, attached values)
 *   k  u8  constant index
 *   j  u16 absolute jump target inside the unit's code (forward only)
 *   o  u8  output id / severity
 *
 * Stack effect: pops = pops + popsPerN × n, pushes.  State slots used: state + statePerN × n (from operand `s`).
 * Cost: abstract operations per evaluation (budget); + costPerPoint × points of the geometry for spatial ops.
 */
import type { SignalName } from './dsl/catalogue.ts';

export type OperandFormat = 'v' | 's' | 'g' | 'n' | 'k' | 'j' | 'o';

/**
 * How a pure op's operand enters its JS text: 'x' as it is (the JS operator coerces a boolean itself), 'b' as a
 * boolean, 'n' as a number (a boolean becomes 1 or 0).
 */
export type OperandUse = 'x' | 'b' | 'n';

/**
 * A pure op: its result is a function of its operands alone. The translator writes it inline as `js`, with
 * $0, $1, $2 standing for the operands in push order; lower.ts folds constant operands by evaluating the very same
 * text, so folding cannot drift from what the device computes (test/fold.test.ts checks the bits).
 */
export interface PureSpec {
  readonly js: string;
  /** One OperandUse per operand, in push order. An 'x' operand the text repeats is first stored in a temp. */
  readonly uses: string;
  /** The JS value is a boolean (the op's result is a condition, 1 or 0 as a number). */
  readonly bool?: true;
}

export interface OpSpec {
  readonly name: string;
  readonly code: number;
  readonly operands: readonly OperandFormat[];
  readonly pops: number;
  readonly popsPerN?: number;
  readonly pushes: number;
  readonly state?: number;
  readonly statePerN?: number;
  readonly cost: number;
  readonly costPerPoint?: number;
  /** Where the op may appear: 'any', 'rule' (rule units only), 'derived' (derived-value units only). */
  readonly scope?: 'any' | 'rule' | 'derived';
  /**
   * A short form: opcodes code … code + count − 1 are `of` with its one operand embedded as (opcode − code),
   * one byte instead of two or three (like the JVM's iload_0). The emitter uses it whenever the operand fits.
   */
  readonly short?: { readonly of: string; readonly count: number };
  /**
   * Static operand limits: inclusive [min, max] of an `n` or `o` operand, and which values a `v` operand may name
   * besides "any existing value": 'signals' (catalogue signals only) or 'own' (the derived value its unit computes).
   * Everything else is checked against the bundle's own counts.
   */
  readonly limits?: { readonly n?: readonly [number, number]; readonly o?: readonly [number, number]; readonly v?: 'signals' | 'own' };
  /** The op asks for a wake-up: its unit keeps a wake-up time and runs again when it is due. */
  readonly wakes?: true;
  /** The op reads positions and loops over geometry or fixes: worth computing once when shared. */
  readonly spatial?: true;
  /** Values the op reads without an operand naming them, by role (the compiler adds them to the unit's dependencies). */
  readonly implicitReads?: Readonly<Record<string, SignalName>>;
  readonly pure?: PureSpec;
  readonly doc: string;
}

export const OPERAND_BYTES: Record<OperandFormat, number> = { v: 1, s: 2, g: 1, n: 1, k: 1, j: 2, o: 1 };

/** Limits shared by emitter and verifier (generated into the runtime too). */
export const LIMITS = {
  maxStack: 16,
  maxValues: 255,
  maxUnits: 255,
  maxState: 8192,
  maxConsts: 255,
  maxGeometries: 255,
  maxPoints: 65535,
  maxCode: 65535,
  maxAttach: 8,
  /** Jumps open at once (each JZ opens one until its target): the verifier's stack of pending targets. */
  maxOpenJumps: 80,
} as const;

const ROWS = [
  // ── values ────────────────────────────────────────────────────────────────────────────────────────
  { name: 'END', code: 0x00, operands: [], pops: 0, pushes: 0, cost: 0, doc: 'End of the unit; the stack must be empty.' },
  { name: 'CONST', code: 0x01, operands: ['k'], pops: 0, pushes: 1, cost: 1, doc: 'Push constant K[k].' },
  { name: 'LOAD', code: 0x02, operands: ['v'], pops: 0, pushes: 1, cost: 1, doc: 'Push the current value of signal or derived value v (NaN until first set).' },
  { name: 'KNOWN', code: 0x03, operands: ['v'], pops: 0, pushes: 1, cost: 1, doc: 'Push 1 if value v has been set (is not NaN), else 0.' },
  { name: 'LOADS', code: 0x60, operands: [], short: { of: 'LOAD', count: 64 }, pops: 0, pushes: 1, cost: 1, doc: 'LOAD of value 0…63 in one byte: opcode 0x60 + v.' },
  { name: 'CONSTS', code: 0xa0, operands: [], short: { of: 'CONST', count: 32 }, pops: 0, pushes: 1, cost: 1, doc: 'CONST of constant 0…31 in one byte: opcode 0xa0 + k.' },
  // ── arithmetic (IEEE doubles; only + − × ÷ so every engine gives the same bits) ──────────────────
  { name: 'ADD', code: 0x10, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0+$1)', uses: 'xx' }, doc: 'a + b' },
  { name: 'SUB', code: 0x11, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0-$1)', uses: 'xx' }, doc: 'a − b' },
  { name: 'MUL', code: 0x12, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0*$1)', uses: 'xx' }, doc: 'a × b' },
  { name: 'DIV', code: 0x13, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0/$1)', uses: 'xx' }, doc: 'a ÷ b' },
  { name: 'NEG', code: 0x14, operands: [], pops: 1, pushes: 1, cost: 1, pure: { js: '(-$0)', uses: 'x' }, doc: '−a' },
  { name: 'ABS', code: 0x15, operands: [], pops: 1, pushes: 1, cost: 1, pure: { js: '($0<0?-$0:$0)', uses: 'x' }, doc: '|a|' },
  // NaN in either operand gives NaN, like Math.min/max, without calling them.
  { name: 'MIN', code: 0x16, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0!==$0||$1!==$1?NaN:$0<$1?$0:$1)', uses: 'xx' }, doc: 'smaller of a, b' },
  { name: 'MAX', code: 0x17, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0!==$0||$1!==$1?NaN:$0>$1?$0:$1)', uses: 'xx' }, doc: 'larger of a, b' },
  // ── comparison and logic (results are 0/1; any comparison with NaN is 0) ─────────────────────────
  { name: 'LT', code: 0x20, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0<$1)', uses: 'xx', bool: true }, doc: 'a < b' },
  { name: 'LE', code: 0x21, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0<=$1)', uses: 'xx', bool: true }, doc: 'a ≤ b' },
  { name: 'GT', code: 0x22, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0>$1)', uses: 'xx', bool: true }, doc: 'a > b' },
  { name: 'GE', code: 0x23, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0>=$1)', uses: 'xx', bool: true }, doc: 'a ≥ b' },
  { name: 'EQ', code: 0x24, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0===$1)', uses: 'xx', bool: true }, doc: 'a = b' },
  { name: 'NE', code: 0x25, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0!==$1)', uses: 'xx', bool: true }, doc: 'a ≠ b (NaN ≠ anything)' },
  { name: 'AND', code: 0x26, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0&&$1)', uses: 'bb', bool: true }, doc: 'a and b (both operands are always evaluated)' },
  { name: 'OR', code: 0x27, operands: [], pops: 2, pushes: 1, cost: 1, pure: { js: '($0||$1)', uses: 'bb', bool: true }, doc: 'a or b (both operands are always evaluated)' },
  { name: 'NOT', code: 0x28, operands: [], pops: 1, pushes: 1, cost: 1, pure: { js: '!$0', uses: 'b', bool: true }, doc: 'not a' },
  { name: 'SEL', code: 0x29, operands: [], pops: 3, pushes: 1, cost: 1, pure: { js: '($0?$1:$2)', uses: 'bnn' }, doc: 'c ? a : b (pops c, a, b in push order)' },
  // ── temporal (state lives in slots S[s…]; durations in ms come from the stack) ───────────────────
  { name: 'HELD', code: 0x30, operands: ['s'], pops: 2, pushes: 1, state: 1, cost: 4, wakes: true, doc: 'Pops c, d. 1 once c has been true continuously for ≥ d ms. Wakes the unit when d elapses.' },
  { name: 'RISE', code: 0x31, operands: ['s'], pops: 1, pushes: 1, state: 1, cost: 2, doc: 'Pops c. 1 on the evaluation where c goes from false to true (also on the first evaluation if c is already true, e.g. a door open at power-up).' },
  { name: 'FALL', code: 0x32, operands: ['s'], pops: 1, pushes: 1, state: 1, cost: 2, doc: 'Pops c. 1 on the evaluation where c goes from true to false.' },
  { name: 'SINCE', code: 0x33, operands: ['s'], pops: 2, pushes: 1, state: 1, cost: 3, wakes: true, doc: 'Pops c, d. 1 when ≥ d ms have passed since c stopped being true (from start if it never was). Wakes the unit at that moment.' },
  { name: 'DEBOUNCE', code: 0x34, operands: ['s'], pops: 2, pushes: 1, state: 3, cost: 5, wakes: true, doc: 'Pops c, d. Follows c, but only after c has kept its new value for ≥ d ms.' },
  { name: 'HYST', code: 0x35, operands: ['s'], pops: 3, pushes: 1, state: 1, cost: 3, doc: 'Pops x, lo, hi. Becomes 1 when x > hi, 0 when x < lo, else keeps its value.' },
  { name: 'LATCH', code: 0x36, operands: ['s'], pops: 2, pushes: 1, state: 1, cost: 2, doc: 'Pops set, reset. Becomes 1 on set and stays 1 until reset (reset wins).' },
  { name: 'SEQ', code: 0x37, operands: ['s', 'n'], pops: 1, popsPerN: 1, pushes: 1, state: 2, cost: 4, limits: { n: [1, 8] }, doc: 'Pops n steps then a deadline d. Steps are levels: step k counts at an evaluation where it is true after step k−1 was reached, one step per evaluation; 1 when step n is reached within d ms of step 1.' },
  { name: 'COUNT', code: 0x38, operands: ['s', 'n'], pops: 2, pushes: 1, state: 2, statePerN: 1, cost: 3, limits: { n: [1, 64] }, wakes: true, doc: 'Pops c, w. Number of rising edges of c in the last w ms (saturates at n). Wakes the unit when the oldest edge leaves the window.' },
  { name: 'ABSENT', code: 0x39, operands: ['s'], pops: 3, pushes: 1, state: 2, cost: 4, wakes: true, doc: 'Pops y, x, d. 1 once, when y rose and x did not become true within d ms after it.' },
  { name: 'STALE', code: 0x3a, operands: ['v'], pops: 1, pushes: 1, cost: 2, limits: { v: 'signals' }, wakes: true, doc: 'Pops d. 1 when signal v has had no update for ≥ d ms (counting from start). Wakes the unit at that moment.' },
  // ── spatial (positions in degrees; geometry stored as float32 metres around a reference point) ───
  { name: 'INSIDE', code: 0x40, operands: ['g'], pops: 2, pushes: 1, cost: 4, costPerPoint: 1, spatial: true, doc: 'Pops lat, lon. 1 if the position is inside polygon or circle g (0 for NaN).' },
  { name: 'DIST2', code: 0x41, operands: ['g'], pops: 2, pushes: 1, cost: 4, costPerPoint: 1, spatial: true, doc: 'Pops lat, lon. Squared distance in m² to point g, the centre of circle g, polyline g, or the edge of polygon g (0 inside).' },
  { name: 'IMPLIED_SPEED2', code: 0x42, operands: ['s'], pops: 0, pushes: 1, state: 7, cost: 8, spatial: true, implicitReads: { lat: 'gnss.lat', lon: 'gnss.lon' }, doc: 'Squared implied speed (m²/s²) between the two latest fixes (the lat/lon it reads and their update times); a fix < 200 ms after the previous one replaces it rather than forming a pair.' },
  { name: 'HOLD', code: 0x43, operands: ['s'], pops: 2, pushes: 1, state: 1, cost: 2, doc: 'Pops x, c. Sample and hold: the value of x when c was last true (NaN before).' },
  // ── unit results and actions ─────────────────────────────────────────────────────────────────────
  { name: 'STORE', code: 0x50, operands: ['v'], pops: 1, pushes: 0, cost: 2, scope: 'derived', limits: { v: 'own' }, doc: 'Pops x into derived value v; if it changed, the units that read v are marked for evaluation.' },
  { name: 'FIRE', code: 0x51, operands: ['s'], pops: 2, pushes: 1, state: 2, cost: 3, scope: 'rule', doc: 'Pops c, cooldown. 1 when c rises and the last firing is ≥ cooldown ms ago: one incident, one alert.' },
  { name: 'JZ', code: 0x52, operands: ['j'], pops: 1, pushes: 0, cost: 1, scope: 'rule', doc: 'Pops x; if 0, continue at j. The stack must be empty after the pop; j must be a later instruction of the unit.' },
  { name: 'EMIT', code: 0x53, operands: ['o', 'n'], pops: 0, popsPerN: 1, pushes: 0, cost: 4, scope: 'rule', limits: { o: [0, 2], n: [0, LIMITS.maxAttach] }, doc: 'Pops n attached values and raises an event of severity o (0 info, 1 warning, 2 critical).' },
  { name: 'OUT', code: 0x54, operands: ['o'], pops: 1, pushes: 0, cost: 2, scope: 'rule', doc: 'Pops x and sets host output o to it.' },
  { name: 'RATE', code: 0x55, operands: [], pops: 1, pushes: 0, cost: 2, scope: 'rule', doc: 'Pops ms and asks the host to report every ms milliseconds.' },
] as const satisfies readonly OpSpec[];

/** Every instruction name: the IR's node ops are these (compiler/ir.ts). */
export type OpName = (typeof ROWS)[number]['name'];

export const ISA: readonly OpSpec[] = ROWS;

export const OP = Object.fromEntries(ISA.map((op) => [op.name, op])) as Readonly<Record<OpName, OpSpec>>;

for (const op of ISA) if (op.short && !(op.short.of in OP)) throw new Error(`compiler/isa.ts: ${op.name} is a short form of unknown ${op.short.of}`);

/** The long-form row with this opcode (short forms have no row of their own here: decodeInstruction expands them). */
export function opByCode(code: number): OpSpec | undefined {
  return ISA.find((op) => op.code === code && !op.short);
}

/** The short-form row whose range holds this opcode byte, if any (for naming the form an instruction was written in). */
export function shortFormOf(code: number): OpSpec | undefined {
  return ISA.find((op) => op.short !== undefined && code >= op.code && code < op.code + op.short.count);
}

export function instructionLength(op: OpSpec): number {
  return op.short ? 1 : 1 + op.operands.reduce((n, f) => n + OPERAND_BYTES[f], 0);
}
