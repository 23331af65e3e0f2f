/**
 * Disassembler: bundle bytes (+ optional source-map sidecar) → readable listing, driven by the ISA table.
 * Each instruction line shows its code offset, mnemonic, decoded operands and, with a sidecar, the rule
 * source line that produced it — the same listing serves to read a device's fault offset as a source line.
 */
import { opByCode } from './isa.ts';
import { SIGNAL_BY_ID, SIGNAL_COUNT } from './dsl/catalogue.ts';
import * as F from '../runtime/engine/format.ts';
import { verify } from '../runtime/engine/verify.ts';
import { decodeInstruction, newInstruction } from '../runtime/engine/instruction.ts';
import { describeFault } from './faults.ts';
import { severityName } from '../runtime/engine/severity.ts';
import { constants, decodeUnit, geometries } from './bundle-reader.ts';
import type { SidecarMap } from './compile.ts';

function valueName(v: number, map?: SidecarMap): string {
  if (v < SIGNAL_COUNT) return SIGNAL_BY_ID[v];
  const unit = map?.units.find((u) => u.kind === 'derived' && u.id === v);
  return `derived#${v - SIGNAL_COUNT}${unit ? ` (${unit.name.replace(/^derived#\d+ /, '')})` : ''}`;
}

export function disassemble(bytes: Uint8Array, map?: SidecarMap): string {
  const p = verify(bytes);
  if (p.fault) return describeFault(p.fault, p.faultAt) + '\n';
  const dv = p.dv;
  const consts = constants(p);
  const lines: string[] = [];
  lines.push(`bundle: ${bytes.length} bytes, format ${dv.getUint16(F.HDR_VERSION, true)}, catalogue 0x${dv.getUint32(F.HDR_CATALOGUE, true).toString(16)}`);
  lines.push(`  ${p.nUnits} units, ${p.nDerived} derived values, ${p.nState} state slots (${p.nState * 8} bytes), ${p.nConsts} constants, ${p.nGeoms} geometries (${p.nPoints} points)`);
  lines.push(`constants (K0…K${p.n32 - 1} stored as f32, the rest as f64):`);
  consts.forEach((k, i) => lines.push(`  K${i} = ${k}`));
  if (p.nGeoms) lines.push('geometries:');
  for (const g of geometries(p)) {
    const named = map?.geometries?.[g.index];
    lines.push(`  G${g.index}${named ? ` '${named.name}' (${named.source})` : ''} ${g.kind} ${g.pointCount} points around ${g.lat0.toFixed(6)}, ${g.lon0.toFixed(6)}`);
  }
  const srcAt = new Map((map?.lines ?? []).map((l) => [l.at, l]));
  for (let u = 0; u < p.nUnits; u++) {
    const kind = p.unitKind[u] === F.UNIT_RULE ? 'rule' : 'derived';
    const id = p.unitId[u];
    const start = p.unitStart[u];
    const end = p.unitEnd[u];
    const deps = Array.from(bytes.subarray(p.depOff + p.unitDepStart[u], p.depOff + p.unitDepStart[u] + p.unitDepCount[u]));
    const ruleInfo = kind === 'rule' ? map?.rules.find((r) => r.id === id) : undefined;
    const title = kind === 'rule' ? `rule ${id}${ruleInfo ? ` ${ruleInfo.name}` : ''}` : `derived ${valueName(id, map)}`;
    lines.push('');
    lines.push(`unit ${u}: ${title}  [reads ${deps.map((d) => valueName(d, map)).join(', ') || 'nothing'}; cost ${p.unitCost[u]}, stack ${p.unitStack[u]}, state ${p.unitState[u] * 8} B]`);
    let lastSrc = '';
    for (const ins of decodeUnit(bytes, p.codeOff, start, end)) {
      const args = ins.op.operands.map((f, i) => {
        const v = ins.operands[i];
        switch (f) {
          case 'k': return `K${v} (${consts[v]})`;
          case 'v': return valueName(v, map);
          case 's': return `S${v}`;
          case 'g': return `G${v}`;
          case 'j': return `→${String(v).padStart(4, '0')}`;
          case 'o': return ins.op.name === 'EMIT' ? severityName(v) : `out${v}${map ? '' : ''}`;
          default: return String(v);
        }
      });
      const src = srcAt.get(ins.at);
      const srcText = src ? `${src.file}:${src.line}` : '';
      const note = srcText && srcText !== lastSrc ? `  ; ${srcText}` : '';
      if (srcText) lastSrc = srcText;
      lines.push(`  ${String(ins.at).padStart(4, '0')}  ${ins.op.name.padEnd(8)} ${args.join(', ')}${note}`);
    }
  }
  return lines.join('\n') + '\n';
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
      [F.HDR_DEPBYTES, 'dependency bytes'], [F.HDR_CODEBYTES, 'code bytes'], [F.HDR_TOTAL, 'total length']];
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
