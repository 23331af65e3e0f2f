/**
 * Generates every file derived from the instruction-set table and the signal catalogue:
 *   runtime/engine/isa.generated.ts        opcode constants and the packed per-opcode table the runtime reads
 *   runtime/engine/catalogue.generated.ts  catalogue hash and signal count the runtime checks bundles against
 *   compiler/signals.generated.ts          signal names and units by id, for host code that must start fast
 *   docs/BYTECODE.md                       the opcode and limits tables between their GENERATED markers
 *   docs/DSL.md                            signals, unit constructors, operators, rule fields and unknown values
 *                                          (harness/dsl-doc.ts) between their GENERATED markers
 *   docs/FORMATS.md                        the signal table (units of every signal) between its GENERATED markers
 * `npm run gen` (tools/gen.ts) writes them; test/generated.test.ts proves they are current.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ISA, OP, LIMITS, OPERAND_BYTES, instructionLength, type OperandFormat, type OpSpec } from '../compiler/isa.ts';
import { catalogueHash } from '../compiler/catalogue-hash.ts';
import { SIGNAL_BY_ID, SIGNAL_COUNT, signalMeta } from '../compiler/dsl/catalogue.ts';
import { operatorTable, ruleTable, signalTable, unitTable, unknownTable } from './dsl-doc.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Column order of the packed table; the runtime reads OPTAB[ins.row + Col.X] (row from decodeInstruction). */
export const OPTAB_COLUMNS = ['LEN', 'F1', 'F2', 'POPS', 'POPSN', 'PUSH', 'STATE', 'STATEN', 'COST', 'COSTPT', 'SCOPE',
  'NMIN', 'NMAX', 'OMAX', 'FLAGS', 'PURE', 'USES'] as const;
const FORMAT_CODE: Record<OperandFormat, number> = { v: 1, s: 2, g: 3, n: 4, k: 5, j: 6, o: 7 };
const SCOPE_CODE = { any: 0, rule: 1, derived: 2 } as const;
/** Bits of the FLAGS column; VALUE_* restrict a `v` operand (compiler/isa.ts limits.v). */
const FLAG = { WAKES: 1, SPATIAL: 2, BOOL: 4, VALUE_SIGNALS: 8, VALUE_OWN: 16 } as const;
/** How each pure operand is popped (2 bits per operand, operand i at bit 2i): see compiler/isa.ts OperandUse. */
const USE = { RAW: 0, TEMP: 1, BOOL: 2, NUM: 3 } as const;

const PURE_OPS = ISA.filter((o) => o.pure);

/**
 * Every pure op's JS text in one string, each ended by ';' (no text contains one): one string costs Espruino a few
 * variables where an array of strings costs several per entry. A pure op's PURE column is 1 + its text's offset.
 */
const PURE_TEXT = PURE_OPS.map((o) => o.pure!.js + ';').join('');
if (PURE_OPS.some((o) => o.pure!.js.includes(';')) || PURE_TEXT.length > 255) throw new Error('compiler/isa.ts: pure JS texts must not contain \';\' and must fit 255 characters together');

function pureTextStart(op: OpSpec): number {
  return PURE_OPS.slice(0, PURE_OPS.indexOf(op)).reduce((n, o) => n + o.pure!.js.length + 1, 0);
}

function usesCode(op: OpSpec): number {
  const pure = op.pure!;
  if (pure.uses.length !== op.pops) throw new Error(`compiler/isa.ts: ${op.name} pops ${op.pops} but pure.uses names ${pure.uses.length}`);
  let code = 0;
  [...pure.uses].forEach((use, i) => {
    const repeats = pure.js.split('$' + i).length - 1;
    if (repeats === 0) throw new Error(`compiler/isa.ts: ${op.name}'s JS never uses operand $${i}`);
    if (repeats > 1 && use !== 'x') throw new Error(`compiler/isa.ts: ${op.name} repeats a '${use}' operand; only 'x' operands can be stored in a temp`);
    const c = use === 'b' ? USE.BOOL : use === 'n' ? USE.NUM : repeats > 1 ? USE.TEMP : USE.RAW;
    code |= c << (2 * i);
  });
  return code;
}

function tableRow(op: OpSpec): number[] {
  const [nMin, nMax] = op.limits?.n ?? [0, 255];
  const [oMin, oMax] = op.limits?.o ?? [0, 255];
  if (oMin !== 0) throw new Error(`compiler/isa.ts: ${op.name}: an 'o' operand's range starts at 0 (the table stores only its maximum)`);
  const flags = (op.wakes ? FLAG.WAKES : 0) | (op.spatial ? FLAG.SPATIAL : 0) | (op.pure?.bool ? FLAG.BOOL : 0) |
    (op.limits?.v === 'signals' ? FLAG.VALUE_SIGNALS : 0) | (op.limits?.v === 'own' ? FLAG.VALUE_OWN : 0);
  return [instructionLength(op), op.operands[0] ? FORMAT_CODE[op.operands[0]] : 0,
    op.operands[1] ? FORMAT_CODE[op.operands[1]] : 0, op.pops, op.popsPerN ?? 0, op.pushes, op.state ?? 0,
    op.statePerN ?? 0, op.cost, op.costPerPoint ?? 0, SCOPE_CODE[op.scope ?? 'any'], nMin, nMax, oMax, flags,
    op.pure ? pureTextStart(op) + 1 : 0, op.pure ? usesCode(op) : 0];
}

/** maxOpenJumps → MAX_OPEN_JUMPS */
function limitName(key: string): string {
  return key.replace(/[A-Z]/g, (m) => '_' + m).toUpperCase();
}

function isaModule(): string {
  const long = ISA.filter((o) => !o.short);
  const shorts = ISA.filter((o) => o.short);
  const size = Math.max(...long.map((o) => o.code)) + 1;
  const rowOf = new Array<number>(size).fill(0);
  long.forEach((op, i) => { rowOf[op.code] = i + 1; });
  const twoByteFormats = Object.entries(FORMAT_CODE).reduce((mask, [f, c]) => {
    if (OPERAND_BYTES[f as OperandFormat] !== 1 && OPERAND_BYTES[f as OperandFormat] !== 2) throw new Error(`compiler/isa.ts: format ${f} must take 1 or 2 bytes`);
    return OPERAND_BYTES[f as OperandFormat] === 2 ? mask | (1 << c) : mask;
  }, 0);
  const implicit = ISA.flatMap((o) => Object.entries(o.implicitReads ?? {}).map(([role, signal]): [string, number] =>
    [`${o.name}_${role.toUpperCase()}`, signalMeta(signal).id]));
  const enumOf = (name: string, doc: string, members: Array<[string, number]>) =>
    [`/** ${doc} */`, `export enum ${name} { ${members.map(([k, v]) => `${k} = ${v}`).join(', ')} }`];
  const lines = [
    '// GENERATED by tools/gen.ts from compiler/isa.ts — do not edit; run `npm run gen`.',
    '// Enums, not vars: esbuild inlines their values into the built runtime, so they cost Espruino no variables.',
    ...enumOf('Op', 'Opcodes (short forms: the first opcode of their range).', ISA.map((o) => [o.name, o.code])),
    ...enumOf('OpTable', 'OPTAB geometry: opcodes below LIMIT may be assigned; each row has COLS columns.', [['LIMIT', size], ['COLS', OPTAB_COLUMNS.length]]),
    ...enumOf('Col', 'OPTAB columns: read as OPTAB[ins.row + Col.X].', OPTAB_COLUMNS.map((c, i) => [c, i])),
    ...enumOf('Fmt', 'Operand formats (compiler/isa.ts OperandFormat).', Object.entries(FORMAT_CODE).map(([f, c]) => [f.toUpperCase(), c])),
    ...enumOf('FormatBytes', 'Bit f of TWO is set when format f (Fmt) takes two bytes; the others take one.', [['TWO', twoByteFormats]]),
    ...enumOf('Scope', 'Where an op may appear (Col.SCOPE).', Object.entries(SCOPE_CODE).map(([k, c]) => [k.toUpperCase(), c])),
    ...enumOf('Flag', 'Bits of Col.FLAGS.', Object.entries(FLAG)),
    ...enumOf('Use', 'How a pure op pops each operand (Col.USES, 2 bits per operand, operand i at bit 2i).', Object.entries(USE)),
    ...enumOf('ImplicitRead', 'Values ops read without an operand naming them (compiler/isa.ts implicitReads), by op and role.', implicit),
    ...enumOf('Limit', 'Limits shared with the compiler (compiler/isa.ts LIMITS).', Object.entries(LIMITS).map(([k, v]) => [limitName(k), v])),
    `/** Limit.MAX_ATTACH as a var too, for the signing add-on and host code that import it by this name. */`,
    `export var LIMIT_MAX_ATTACH = ${LIMITS.maxAttach};`,
    `/** OPROW[opcode]: 1 + the opcode's row number in OPTAB, 0 for an unassigned opcode (short forms included: decodeInstruction expands them first). */`,
    `export var OPROW = new Uint8Array([${rowOf.join(',')}]);`,
    `/** Rows of ${OPTAB_COLUMNS.length} columns (see Col), one per long-form opcode (${long.map((o) => o.name).join(' ')}). */`,
    `export var OPTAB = new Uint8Array([${long.flatMap(tableRow).join(',')}]);`,
    `/** The JS text of every pure op, each ended by ';': an op's text starts at its Col.PURE − 1. $0, $1, $2 are its operands in push order. */`,
    `export var PURE_JS = '${PURE_TEXT}';`,
    `/** Short forms, 3 bytes each: first opcode, count, long-form opcode (${shorts.map((o) => o.name).join(', ')}). */`,
    `export var SHORT_FORMS = new Uint8Array([${shorts.flatMap((o) => [o.code, o.short!.count, OP[o.short!.of as keyof typeof OP].code]).join(',')}]);`,
    '',
  ];
  return lines.join('\n');
}

function catalogueModule(): string {
  return [
    '// GENERATED by tools/gen.ts from compiler/dsl/catalogue.ts — do not edit; run `npm run gen`.',
    `export var CATALOGUE_HASH = ${catalogueHash()}; // 0x${catalogueHash().toString(16)}`,
    `export var SIGNAL_COUNT = ${SIGNAL_COUNT};`,
    '',
  ].join('\n');
}

/**
 * Names and units by id as plain data: the disassembler, `edgerule inspect` and the simulator's output read these
 * instead of the TypeBox catalogue, whose ~700 modules cost `edgerule inspect` most of a second to load.
 */
function signalsModule(): string {
  const rows = SIGNAL_BY_ID.map((name) => `  { name: '${name}', unit: '${signalMeta(name).unit}' },`);
  return [
    '// GENERATED by tools/gen.ts from compiler/dsl/catalogue.ts — do not edit; run `npm run gen`.',
    '/** Every catalogue signal by id (ids are wire format): its name and unit. */',
    'export const SIGNALS = [',
    ...rows,
    '] as const;',
    '',
    '/** Signal id → name. */',
    'export const SIGNAL_NAME_BY_ID: readonly string[] = SIGNALS.map((s) => s.name);',
    '',
  ].join('\n');
}

const VALUE_LIMIT_TEXT = { signals: 'a signal', own: "the unit's own derived value" } as const;

function traits(o: OpSpec): string {
  const t: string[] = [];
  if (o.pure) t.push(`pure: \`${o.pure.js.replace(/\|/g, '\\|')}\``);
  if (o.wakes) t.push('wakes');
  if (o.spatial) t.push('spatial');
  if (o.implicitReads) t.push(`reads ${Object.values(o.implicitReads).join(', ')}`);
  for (const [f, limit] of Object.entries(o.limits ?? {})) t.push(`${f} ${typeof limit === 'string' ? VALUE_LIMIT_TEXT[limit] : `${limit[0]}…${limit[1]}`}`);
  return t.join('; ') || '—';
}

function opcodeTable(): string {
  const rows = ISA.map((o) => {
    const code = `\`0x${o.code.toString(16).padStart(2, '0')}\``;
    if (o.short) {
      const last = o.code + o.short.count - 1;
      return `| ${code}…\`0x${last.toString(16)}\` | \`${o.name}\` | embedded | 1 | ${o.pops} | ${o.pushes} | 0 | ${o.cost} | any | ${traits(o)} | ${o.doc} |`;
    }
    const operands = o.operands.length ? o.operands.join(' ') : '—';
    const pops = o.popsPerN ? `${o.pops}+${o.popsPerN}n` : `${o.pops}`;
    const state = o.statePerN ? `${o.state ?? 0}+n` : `${o.state ?? 0}`;
    const cost = o.costPerPoint ? `${o.cost}+points` : `${o.cost}`;
    return `| ${code} | \`${o.name}\` | ${operands} | ${instructionLength(o)} | ${pops} | ${o.pushes} | ${state} | ${cost} | ${o.scope ?? 'any'} | ${traits(o)} | ${o.doc} |`;
  });
  return ['| code | name | operands | bytes | pops | pushes | state slots | cost | scope | traits | meaning |',
    '|---|---|---|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}

const LIMIT_TEXT: Record<keyof typeof LIMITS, string> = {
  maxStack: 'stack depth of a unit (`STACK_OVERFLOW`)',
  maxValues: 'signals + derived values (header, `OVERSIZED`)',
  maxUnits: 'units (header, `OVERSIZED`)',
  maxState: 'state slots (header, `OVERSIZED`)',
  maxConsts: 'constants (header, `OVERSIZED`)',
  maxGeometries: 'geometries (header, `OVERSIZED`)',
  maxPoints: 'geometry points (header, `OVERSIZED`)',
  maxCode: 'code bytes and dependency bytes (header, `OVERSIZED`)',
  maxAttach: 'values attached to one event (`EMIT` n, `BAD_COUNT`)',
  maxOpenJumps: 'jumps open at once in a unit (`BAD_JUMP`)',
};

function limitsTable(): string {
  const rows = Object.entries(LIMITS).map(([k, v]) => `| \`${k}\` | ${v} | ${LIMIT_TEXT[k as keyof typeof LIMITS]} |`);
  const operandRows = ISA.flatMap((o) => Object.entries(o.limits ?? {}).map(([f, limit]) => (typeof limit === 'string'
    ? `| \`${o.name}\` ${f} | ${VALUE_LIMIT_TEXT[limit]} | operand \`${f}\` of \`${o.name}\` (\`BAD_VALUE\`) |`
    : `| \`${o.name}\` ${f} | ${limit[0]}…${limit[1]} | operand \`${f}\` of \`${o.name}\` (\`BAD_COUNT\`) |`)));
  return ['| limit | value | what it bounds |', '|---|---|---|', ...rows, ...operandRows].join('\n');
}

/** Replaces the text between `<!-- BEGIN GENERATED <name> (npm run gen) -->` and `<!-- END GENERATED <name> -->`. */
function generatedBlock(current: string, name: string, content: string, doc = 'docs/BYTECODE.md'): string {
  const begin = `<!-- BEGIN GENERATED ${name} (npm run gen) -->`;
  const end = `<!-- END GENERATED ${name} -->`;
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  if (start < 0 || stop < 0) throw new Error(`${doc}: markers ${begin} … ${end} not found`);
  return current.slice(0, start + begin.length) + '\n' + content + '\n' + current.slice(stop);
}

function bytecodeDoc(current: string): string {
  return generatedBlock(generatedBlock(current, 'OPCODES', opcodeTable()), 'LIMITS', limitsTable());
}

function dslDoc(current: string): string {
  const blocks: Array<[string, () => string]> = [['SIGNALS', signalTable], ['UNITS', unitTable], ['OPERATORS', operatorTable], ['RULE', ruleTable], ['UNKNOWN', unknownTable]];
  return blocks.reduce((text, [name, make]) => generatedBlock(text, name, make(), 'docs/DSL.md'), current);
}

/** Path (relative to the repo root) → the content it must have. */
export function generatedFiles(): Record<string, string> {
  return {
    'runtime/engine/isa.generated.ts': isaModule(),
    'runtime/engine/catalogue.generated.ts': catalogueModule(),
    'compiler/signals.generated.ts': signalsModule(),
    'docs/BYTECODE.md': bytecodeDoc(readFileSync(root + 'docs/BYTECODE.md', 'utf8')),
    'docs/DSL.md': dslDoc(readFileSync(root + 'docs/DSL.md', 'utf8')),
    'docs/FORMATS.md': generatedBlock(readFileSync(root + 'docs/FORMATS.md', 'utf8'), 'SIGNALS', signalTable(), 'docs/FORMATS.md'),
  };
}
