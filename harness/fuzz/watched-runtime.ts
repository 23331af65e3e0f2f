/**
 * A test-only watched run of a verified bundle: the runtime's own memory(), start() and out-of-line ops, with the
 * state array S and the dirty flags Q behind proxies that check, on every write,
 * - that a state write lands inside the region of an instruction that is running: inside an out-of-line op
 *   (COUNT, IMPLIED_SPEED2) exactly that instruction's region, otherwise a region of the unit that is running
 *   (regions from the instruction table, by stateRegions() below, not from the verifier's own bookkeeping);
 * - that one call does no more work than docs/BYTECODE.md promises: step(t) runs each unit at most once,
 *   advanceTo(t) at most `wakeBudget` passes of at most every unit (a unit run starts with its `Q[u]=0`).
 * A broken promise throws (WorkExceeded, OutOfRegion), which also ends what would otherwise be an endless call.
 * The device never runs this: it is how the fuzzers prove "verified means safe" for every bundle they make.
 */
import { verify, type Program } from '../../runtime/engine/verify.ts';
import { memory, start, loadGeometry, type Host, type Runtime } from '../../runtime/engine/runtime.ts';
import { makeOutOfLineOps, type OutOfLineOps } from '../../runtime/engine/out-of-line-ops.ts';
import { decodeInstruction, newInstruction } from '../../runtime/engine/instruction.ts';
import { OPTAB, Col, Fmt, Op } from '../../runtime/engine/isa.generated.ts';

/** The state slots one instruction owns: first … first + width − 1. */
export interface Region { unit: number; op: number; first: number; width: number }

export class WorkExceeded extends Error {}
export class OutOfRegion extends Error {}

/** Every stateful instruction's region in a verified program, in code order. */
export function stateRegions(p: Program): Region[] {
  const regions: Region[] = [];
  const ins = newInstruction();
  for (let u = 0; u < p.nUnits; u++) {
    for (let pc = p.unitStart[u]; pc < p.unitEnd[u]; pc += ins.size) {
      decodeInstruction(p.bytes, p.codeOff + pc, p.codeOff + p.unitEnd[u], ins);
      if (OPTAB[ins.row + Col.F1] !== Fmt.S) continue;
      const n = OPTAB[ins.row + Col.F2] === Fmt.N ? ins.b : 0;
      regions.push({ unit: u, op: ins.op, first: ins.a, width: OPTAB[ins.row + Col.STATE] + OPTAB[ins.row + Col.STATEN] * n });
    }
  }
  return regions;
}

export interface Watched {
  rt: Runtime;
  p: Program;
  /** Unit runs in the current call, and the most the call may make. */
  runs: number;
  limit: number;
}

/** Loads bytes as load() does, watched; null when the verifier refuses them. */
export function watchedLoad(bytes: Uint8Array, host: Host): Watched | null {
  const p = verify(bytes);
  if (p.fault) return null;
  const regions = stateRegions(p);
  const owner = new Int32Array(p.nState).fill(-1);
  regions.forEach((r, i) => { for (let k = r.first; k < r.first + r.width; k++) owner[k] = i; });
  let unit = -1;
  let writer: Region | undefined; // the out-of-line op running, if any
  const w: Watched = { rt: undefined as unknown as Runtime, p, runs: 0, limit: Infinity };
  const m = memory(p);
  const where = () => writer ? `${Object.keys(Op).find((k) => Op[k as keyof typeof Op] === writer!.op)} at S${writer.first}…S${writer.first + writer.width - 1}` : `unit ${unit}`;
  const S = new Proxy(m.S, {
    set(target, key, value) {
      const i = Number(key);
      const r = owner[i] >= 0 ? regions[owner[i]] : undefined;
      const inside = writer ? i >= writer.first && i < writer.first + writer.width : r !== undefined && r.unit === unit;
      if (!(Number.isInteger(i) && i >= 0 && i < p.nState && inside)) throw new OutOfRegion(`state write S[${String(key)}] = ${value} by ${where()}, outside its region`);
      target[i] = value;
      return true;
    },
  });
  const Q = new Proxy(m.Q, {
    set(target, key, value) {
      if (value === 0) {
        unit = Number(key);
        if (++w.runs > w.limit) throw new WorkExceeded(`more than ${w.limit} unit runs in one call`);
      }
      target[Number(key)] = value;
      return true;
    },
  });
  const F = makeOutOfLineOps(loadGeometry(p), m.V, m.U, S, m.R);
  const own = (s: number) => regions.find((r) => r.first === s && r.unit === unit);
  const watchedF: OutOfLineOps = {
    inside: F.inside,
    dist2: F.dist2,
    jump2(s: number) { writer = own(s); try { return F.jump2(s); } finally { writer = undefined; } },
    count(s, n, c, win, t) { writer = own(s); try { return F.count(s, n, c, win, t); } finally { writer = undefined; } },
  };
  const rt = start(p, { ...m, S: S as Float64Array, Q: Q as Uint8Array, F: watchedF }, host);
  const budget = Math.max(1, p.wakeBudget) * p.nUnits;
  w.rt = {
    ...rt,
    step(t: number) { w.runs = 0; w.limit = p.nUnits; rt.step(t); },
    advanceTo(t: number) { w.runs = 0; w.limit = budget; return rt.advanceTo(t); },
  };
  return w;
}
