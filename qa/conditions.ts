/**
 * The sub-conditions of each rule, for coverage: which condition values the runtime reports through Host.probe
 * (asked of the runtime artifact itself: the code offsets in its probe-enabled translation), what each one is
 * (a readable expression rebuilt from the bytecode, and the rule-file line from the sidecar map), and which rules
 * depend on it (a rule's own unit before its JZ, plus the derived units it reads, transitively).
 *
 * The expression text is for people only; nothing here evaluates anything.
 */
import { verify } from '../runtime/engine/verify.ts';
import { constants, units, type BundleUnit } from '../compiler/bundle-reader.ts';
import { SIGNAL_BY_ID, SIGNAL_COUNT } from '../compiler/dsl/catalogue.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import type { LoadedBundle } from '../simulator/inputs.ts';

export interface Condition {
  /** Code offset of the instruction that produced the value (the Host.probe key). */
  at: number;
  text: string;
  /** Rule-file location from the sidecar map, when there is one. */
  loc?: string;
  /** 'condition': the rule's whole condition (what FIRE reads); 'sub': a part of it. */
  role: 'condition' | 'sub';
}

export interface RuleConditions { ruleId: number; rule: string; conditions: Condition[] }

/** Offsets the runtime probes for this bundle: read off the translation a probing host gets (Host.keepCode). */
export function probedOffsets(bytes: Uint8Array): number[] {
  let source = '';
  const rt = loadRuntimeArtifact().load(bytes, {
    emit() {}, output() {}, interval() {}, probe() {},
    keepCode(s: string) { source = s; return s; },
  });
  if (rt.fault) throw new Error(`the runtime refused the bundle: fault ${rt.fault} at byte ${rt.faultAt}`);
  const out = new Set<number>();
  for (const m of source.matchAll(/H\.probe\((\d+),/g)) out.add(Number(m[1]));
  return [...out].sort((a, b) => a - b);
}

const INFIX: Record<string, string> = { ADD: '+', SUB: '−', MUL: '×', DIV: '÷', LT: '<', LE: '≤', GT: '>', GE: '≥', EQ: '=', NE: '≠', AND: 'and', OR: 'or' };
const MAX_TEXT = 90;

function short(t: string): string {
  return t.length > MAX_TEXT ? t.slice(0, MAX_TEXT - 1) + '…' : t;
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(+v.toPrecision(5));
}

/** Text of every pushed value by the offset that pushed it, walking each unit's stack like the verifier does. */
function expressionTexts(list: BundleUnit[], k: number[], geometryName: (g: number) => string): { text: Map<number, string>; fireInput: Map<number, number> } {
  const text = new Map<number, string>();
  const fireInput = new Map<number, number>(); // rule unit index → offset of its condition
  const derived = new Map<number, string>();
  const name = (v: number) => (v < SIGNAL_COUNT ? SIGNAL_BY_ID[v] : derived.get(v) ?? `derived#${v - SIGNAL_COUNT}`);
  for (const u of list) {
    const stack: Array<{ t: string; at: number }> = [];
    for (const ins of u.code) {
      const op = ins.op.name;
      const n = ins.op.operands.includes('n') ? ins.operands[ins.op.operands.indexOf('n')] : 0;
      const args = stack.splice(stack.length - (ins.op.pops + (ins.op.popsPerN ?? 0) * n));
      const a = args.map((x) => x.t);
      let t: string;
      if (op === 'CONST') t = num(k[ins.operands[0]]);
      else if (op === 'LOAD') t = name(ins.operands[0]);
      else if (op === 'KNOWN') t = `known(${name(ins.operands[0])})`;
      else if (INFIX[op]) t = `(${a[0]} ${INFIX[op]} ${a[1]})`;
      else if (op === 'NOT') t = `not ${a[0]}`;
      else if (op === 'NEG') t = `−${a[0]}`;
      else if (op === 'ABS') t = `|${a[0]}|`;
      else if (op === 'SEL') t = `(${a[0]} ? ${a[1]} : ${a[2]})`;
      else if (op === 'INSIDE' || op === 'DIST2') t = `${op === 'INSIDE' ? 'inside' : 'dist²'}(${geometryName(ins.operands[0])})`;
      else if (op === 'STALE') t = `stale(${name(ins.operands[0])}, ${a[0]})`;
      else if (op === 'JUMP2') t = 'impliedSpeed²';
      else t = `${op.toLowerCase()}(${a.join(', ')})`;
      if (op === 'STORE') derived.set(ins.operands[0], short(a[0]));
      if (op === 'FIRE') fireInput.set(u.index, args[0].at);
      for (let i = 0; i < ins.op.pushes; i++) stack.push({ t, at: ins.at });
      if (ins.op.pushes) text.set(ins.at, t.replace(/^\((.*)\)$/, '$1'));
    }
  }
  return { text, fireInput };
}

export function ruleConditions(bundle: LoadedBundle, probed: number[]): RuleConditions[] {
  const p = verify(bundle.bytes);
  if (p.fault) throw new Error(`the bundle does not verify: fault ${p.fault} at byte ${p.faultAt}`);
  const list = units(p);
  const geomNames = bundle.map?.geometries ?? [];
  const { text, fireInput } = expressionTexts(list, constants(p), (g) => geomNames[g]?.name ?? `G${g}`);
  const lines = new Map((bundle.map?.lines ?? []).map((l) => [l.at, `${l.file}:${l.line}:${l.col}`]));
  const unitOf = (at: number) => list.find((u) => at >= p.unitStart[u.index] && at < p.unitEnd[u.index])!;
  const derivedUnit = new Map(list.filter((u) => u.kind === 'derived').map((u) => [u.id, u]));
  const out: RuleConditions[] = [];
  for (const u of list.filter((x) => x.kind === 'rule')) {
    // The rule's own unit up to its JZ (attachments after it are not conditions), and the derived units it reads.
    const jz = u.code.find((i) => i.op.name === 'JZ')?.at ?? p.unitEnd[u.index];
    const mine = new Set<number>([u.index]);
    const todo = [...u.deps];
    while (todo.length) {
      const d = derivedUnit.get(todo.pop()!);
      if (d && !mine.has(d.index)) { mine.add(d.index); todo.push(...d.deps); }
    }
    const conditions = probed
      .filter((at) => { const owner = unitOf(at); return mine.has(owner.index) && (owner.index !== u.index || at < jz); })
      .map((at): Condition => ({ at, text: text.get(at) ?? '?', ...(lines.has(at) ? { loc: lines.get(at) } : {}), role: fireInput.get(u.index) === at ? 'condition' : 'sub' }));
    const info = bundle.ruleById.get(u.id);
    out.push({ ruleId: u.id, rule: info?.name ?? `rule#${u.id}`, conditions });
  }
  return out.sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}
