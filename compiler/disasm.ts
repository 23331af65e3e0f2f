/**
 * Disassembler: bundle bytes (+ optional source-map sidecar) → readable listing, driven by the ISA table.
 * Each instruction line shows its code offset, mnemonic, decoded operands and, with a sidecar, the rule
 * source line that produced it — the same listing serves to read a device's fault offset as a source line.
 */
import { opByCode } from './isa.ts';
import { SIGNAL_NAME_BY_ID } from './signals.generated.ts';
import * as F from '../runtime/engine/format.ts';
import { verify, type Program } from '../runtime/engine/verify.ts';
import { decodeInstruction, newInstruction } from '../runtime/engine/instruction.ts';
import { describeFault } from './faults.ts';
import { F_BAD_MAGIC } from '../runtime/engine/faults.ts';
import { COSE_SIGN1_HEAD } from '../runtime/signing/cose.ts';
import { severityName } from '../runtime/engine/severity.ts';
import { constants, decodeUnit, geometries, type DecodedInstruction } from './bundle-reader.ts';
import type { SidecarMap } from './compile.ts';

const SIGNAL_COUNT = SIGNAL_NAME_BY_ID.length;

function valueName(v: number, map?: SidecarMap): string {
  if (v < SIGNAL_COUNT) return SIGNAL_NAME_BY_ID[v];
  const unit = map?.units.find((u) => u.kind === 'derived' && u.id === v);
  return `derived#${v - SIGNAL_COUNT}${unit ? ` (${unit.name.replace(/^derived#\d+ /, '')})` : ''}`;
}

/** A bundle as `edgerule inspect` shows it (and prints with --json): header counts, pools, and every unit's code. */
export interface Disassembly {
  bytes: number;
  format: number;
  catalogue: string;
  /** 'profile NAME' when the sidecar names the profile whose hash the header carries, else 'profile hash 0x…'. */
  profile: string;
  counts: { units: number; derived: number; stateSlots: number; stateBytes: number; constants: number; geometries: number; points: number };
  /** K0… in order; the first `f32Constants` are stored as f32, the rest as f64. */
  constants: number[];
  f32Constants: number;
  geometries: Array<{ index: number; name?: string; source?: string; kind: string; points: number; lat0: number; lon0: number }>;
  units: DisassembledUnit[];
}

export interface DisassembledUnit {
  index: number;
  kind: 'rule' | 'derived';
  /** Rule id, or derived value id. */
  id: number;
  /** Rule name (from the sidecar), or the derived value's name. */
  name?: string;
  /** A rule's event severity, read from its EMIT instruction (the bundle's own fact, sidecar or not). */
  severity?: string;
  reads: string[];
  cost: number;
  stack: number;
  stateBytes: number;
  code: Array<{ at: number; op: string; operands: string[]; source?: { file: string; line: number; col: number } }>;
}

function operandText(ins: DecodedInstruction, consts: number[], map?: SidecarMap): string[] {
  return ins.op.operands.map((f, i) => {
    const v = ins.operands[i];
    switch (f) {
      case 'k': return `K${v} (${consts[v]})`;
      case 'v': return valueName(v, map);
      case 's': return `S${v}`;
      case 'g': return `G${v}`;
      case 'j': return `→${String(v).padStart(4, '0')}`;
      case 'o': return ins.op.name === 'EMIT' ? severityName(v) : `out${v}`;
      default: return String(v);
    }
  });
}

function unitOf(p: Program, u: number, consts: number[], map?: SidecarMap): DisassembledUnit {
  const kind = p.unitKind[u] === F.UNIT_RULE ? 'rule' : 'derived';
  const id = p.unitId[u];
  const deps = Array.from(p.bytes.subarray(p.depOff + p.unitDepStart[u], p.depOff + p.unitDepStart[u] + p.unitDepCount[u]));
  const code = decodeUnit(p.bytes, p.codeOff, p.unitStart[u], p.unitEnd[u]);
  const srcAt = new Map((map?.lines ?? []).map((l) => [l.at, l]));
  const emit = code.find((ins) => ins.op.name === 'EMIT');
  const name = kind === 'rule' ? map?.rules.find((r) => r.id === id)?.name : valueName(id, map);
  return {
    index: u, kind, id, ...(name !== undefined ? { name } : {}), ...(emit ? { severity: severityName(emit.operands[0]) } : {}),
    reads: deps.map((d) => valueName(d, map)), cost: p.unitCost[u], stack: p.unitStack[u], stateBytes: p.unitState[u] * 8,
    code: code.map((ins) => {
      const src = srcAt.get(ins.at);
      return { at: ins.at, op: ins.op.name, operands: operandText(ins, consts, map), ...(src ? { source: { file: src.file, line: src.line, col: src.col } } : {}) };
    }),
  };
}

function profileText(hash: number, map?: SidecarMap): string {
  return map?.profile !== undefined && F.profileHash(map.profile) === hash ? `profile ${map.profile}` : `profile hash 0x${hash.toString(16)}`;
}

/** The disassembly of a bundle that verifies (the caller checks p.fault first). */
export function disassembly(p: Program, map?: SidecarMap): Disassembly {
  const dv = p.dv;
  const consts = constants(p);
  return {
    bytes: p.bytes.length, format: dv.getUint16(F.HDR_VERSION, true), catalogue: `0x${dv.getUint32(F.HDR_CATALOGUE, true).toString(16)}`,
    profile: profileText(dv.getUint32(F.HDR_PROFILE, true), map),
    counts: { units: p.nUnits, derived: p.nDerived, stateSlots: p.nState, stateBytes: p.nState * 8, constants: p.nConsts, geometries: p.nGeoms, points: p.nPoints },
    constants: consts, f32Constants: p.n32,
    geometries: geometries(p).map((g) => {
      const named = map?.geometries?.[g.index];
      return { index: g.index, ...(named ? { name: named.name, source: named.source } : {}), kind: g.kind, points: g.pointCount, lat0: g.lat0, lon0: g.lon0 };
    }),
    units: Array.from({ length: p.nUnits }, (_, u) => unitOf(p, u, consts, map)),
  };
}

/** The listing `edgerule inspect` prints: header, pools, then each unit's instructions with their rule lines. */
export function disassemble(bytes: Uint8Array, map?: SidecarMap): string {
  const p = verify(bytes);
  if (p.fault) return describeFault(p.fault, p.faultAt) + '\n';
  const d = disassembly(p, map);
  const c = d.counts;
  const lines: string[] = [];
  lines.push(`bundle: ${d.bytes} bytes, format ${d.format}, catalogue ${d.catalogue}, ${d.profile}`);
  lines.push(`  ${c.units} units, ${c.derived} derived values, ${c.stateSlots} state slots (${c.stateBytes} bytes), ${c.constants} constants, ${c.geometries} geometries (${c.points} points)`);
  lines.push(`constants (K0…K${d.f32Constants - 1} stored as f32, the rest as f64):`);
  d.constants.forEach((k, i) => lines.push(`  K${i} = ${k}`));
  if (d.geometries.length) lines.push('geometries:');
  for (const g of d.geometries) {
    lines.push(`  G${g.index}${g.name !== undefined ? ` '${g.name}' (${g.source})` : ''} ${g.kind} ${g.points} points around ${g.lat0.toFixed(6)}, ${g.lon0.toFixed(6)}`);
  }
  for (const u of d.units) {
    const title = u.kind === 'rule' ? `rule ${u.id}${u.name !== undefined ? ` ${u.name}` : ''}${u.severity ? `, ${u.severity}` : ''}` : `derived ${u.name}`;
    lines.push('');
    lines.push(`unit ${u.index}: ${title}  [reads ${u.reads.join(', ') || 'nothing'}; cost ${u.cost}, stack ${u.stack}, state ${u.stateBytes} B]`);
    let lastSrc = '';
    for (const ins of u.code) {
      const srcText = ins.source ? `${ins.source.file}:${ins.source.line}` : '';
      const note = srcText && srcText !== lastSrc ? `  ; ${srcText}` : '';
      if (srcText) lastSrc = srcText;
      lines.push(`  ${String(ins.at).padStart(4, '0')}  ${ins.op.padEnd(8)} ${ins.operands.join(', ')}${note}`.trimEnd());
    }
  }
  return lines.join('\n') + '\n';
}

/** What a file that is not a bundle looks like, when that is easy to tell (said after a BAD_MAGIC fault). */
function lookalike(bytes: Uint8Array): string | undefined {
  if (bytes[0] === COSE_SIGN1_HEAD) return 'it is a signed bundle (COSE_Sign1): give the unsigned bundle it was made from, or check it with edgerule verify <file> --key <build key>.pub';
  const head = new TextDecoder().decode(bytes.subarray(0, 64));
  if (/^\s*[{[]/.test(head)) return 'it is JSON (a sidecar map, a scenario, a trace?): a bundle is the file edgerule compile -o writes';
  if (/^[\x09\x0a\x0d\x20-\x7e]*$/.test(head)) return 'it is text (a rule source, a trace?): a bundle is the file edgerule compile -o writes';
  return undefined;
}

/**
 * Why the device would refuse a bundle, as `edgerule inspect` and `edgerule simulate` both say it: the file, the byte,
 * the fault's name and the rule it breaks, then what that byte is (header field, or instruction, unit, rule and
 * source line with a sidecar), and for a file that is no bundle at all, what it looks like.
 */
export function refusal(bytes: Uint8Array, fault: number, at: number, file: string, map?: SidecarMap): string {
  const lines = [describeFault(fault, at, file)];
  const like = fault === F_BAD_MAGIC ? lookalike(bytes) : undefined;
  if (like) lines.push(`  ${like}`);
  else if (at > 0 || fault !== F_BAD_MAGIC) lines.push(`  ${explainOffset(bytes, at, map)}`);
  return lines.join('\n');
}

/**
 * Explains a byte offset in a bundle — e.g. a device's fault report `fault 12 at byte 66` — as the header field,
 * section, or instruction it falls in, with the rule and source line from the sidecar map. Works on any bundle
 * whose header and unit table are readable, including one the verifier refuses.
 */
export function explainOffset(bytes: Uint8Array, at: number, map?: SidecarMap): string {
  if (at < 0 || at > bytes.length) return `byte ${at} is outside the bundle (${bytes.length} bytes)`;
  if (at < F.HEADER_SIZE) {
    const fields: Array<[number, string]> = [[F.HDR_MAGIC, 'magic'], [F.HDR_VERSION, 'format version'], [F.HDR_CONSTS32, 'f32 constant count'],
      [F.HDR_CATALOGUE, 'catalogue hash'], [F.HDR_SIGNALS, 'signal count'], [F.HDR_DERIVED, 'derived value count'], [F.HDR_UNITS, 'unit count'],
      [F.HDR_STATE, 'state slots'], [F.HDR_CONSTS, 'constant count'], [F.HDR_GEOMS, 'geometry count'], [F.HDR_POINTS, 'point count'],
      [F.HDR_DEPBYTES, 'dependency bytes'], [F.HDR_CODEBYTES, 'code bytes'], [F.HDR_TOTAL, 'total length'], [F.HDR_PROFILE, 'profile hash']];
    const field = [...fields].reverse().find(([o]) => o <= at)!;
    return `byte ${at}: header field '${field[1]}' (offset ${field[0]})`;
  }
  if (bytes.length < F.HEADER_SIZE) return `byte ${at}: the bundle is shorter than its header`;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s = F.newSections();
  F.sectionOffsets(dv, s);
  const n32 = dv.getUint16(F.HDR_CONSTS32, true);
  if (at < s.geomOff) {
    const f32End = s.constOff + n32 * F.ConstBytes.F32;
    const k = at < f32End ? Math.floor((at - s.constOff) / F.ConstBytes.F32) : n32 + Math.floor((at - f32End) / F.ConstBytes.F64);
    return `byte ${at}: constant K${k}`;
  }
  if (at < s.pointOff) return `byte ${at}: geometry G${Math.floor((at - s.geomOff) / F.GEOM_SIZE)} record`;
  if (at < s.unitOff) return `byte ${at}: geometry point ${Math.floor((at - s.pointOff) / F.POINT_SIZE)}`;
  if (at < s.depOff) return `byte ${at}: unit ${Math.floor((at - s.unitOff) / F.UNIT_SIZE)} record`;
  if (at < s.codeOff) return `byte ${at}: dependency list`;
  return explainCodeOffset(bytes, dv, s, at, map);
}

/** The instruction, unit and rule line a byte of the code section belongs to (units tile the section in order). */
function explainCodeOffset(bytes: Uint8Array, dv: DataView, s: F.Sections, at: number, map?: SidecarMap): string {
  const pc = at - s.codeOff;
  const nUnits = dv.getUint16(F.HDR_UNITS, true);
  const ins = newInstruction();
  let start = 0;
  for (let u = 0; u < nUnits && s.unitOff + (u + 1) * F.UNIT_SIZE <= bytes.length; u++) {
    const rec = s.unitOff + u * F.UNIT_SIZE;
    const end = start + dv.getUint16(rec + F.UnitField.LENGTH, true);
    if (pc < start || pc >= end) { start = end; continue; }
    const kind = bytes[rec + F.UnitField.KIND] === F.UNIT_RULE ? 'rule' : 'derived';
    const rule = kind === 'rule' ? map?.rules.find((r) => r.id === bytes[rec + F.UnitField.ID]) : undefined;
    // Walk instructions from the unit start to find the one containing pc (stop at anything undecodable).
    let insAt = start;
    for (let p = start; p < end && p <= pc; p += ins.size) {
      decodeInstruction(bytes, s.codeOff + p, s.codeOff + end, ins);
      if (ins.op < 0) break;
      insAt = p;
    }
    decodeInstruction(bytes, s.codeOff + insAt, s.codeOff + end, ins);
    const name = opByCode(ins.op)?.name ?? 'an undecodable instruction';
    const line = [...(map?.lines ?? [])].reverse().find((l) => l.at <= insAt && l.at >= start);
    return `byte ${at}: code offset ${pc}, in ${name} at ${insAt} of unit ${u} (${kind}${rule ? ` ${rule.name}` : ''})` +
      (line ? `, ${line.file}:${line.line}:${line.col}` : '');
  }
  return `byte ${at}: code offset ${pc}, in no unit`;
}
