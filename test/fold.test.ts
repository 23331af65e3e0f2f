/**
 * Constant folding (compiler/lower.ts) must give exactly what the device computes. Every pure op of the
 * instruction table is folded over a grid of awkward values (NaN, ±0, ±Infinity, the largest and smallest
 * doubles, ordinary numbers) and also run through the translated code of the real runtime artifact; the two
 * results must have identical bits.
 */
import { describe, expect, test } from 'vitest';
import { ISA, LIMITS, type OpName, type OpSpec } from '../compiler/isa.ts';
import { foldConstant } from '../compiler/lower.ts';
import { assemble, assembleCode, type Ins, type UnitSpec } from '../harness/hostile/assemble.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';

const GRID = [NaN, 0, -0, Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE,
  2.2250738585072014e-308, 1e-300, 1, -1, 0.1, 2.5, -3, 123456.789, 2 ** 53 + 2];
const ONE = GRID.indexOf(1);
const ZERO = GRID.indexOf(0);

interface Case { op: OpName; args: number[] }

/** Every combination of grid values for each pure op. */
function cases(): Case[] {
  const out: Case[] = [];
  const pure = ISA.filter((o) => o.pure);
  for (const op of pure) {
    const tuples: number[][] = [[]];
    for (let i = 0; i < op.pops; i++) tuples.splice(0, tuples.length, ...tuples.flatMap((t) => GRID.map((_, k) => [...t, k])));
    for (const t of tuples) out.push({ op: op.name as OpName, args: t });
  }
  return out;
}

/**
 * One rule unit per group of at most maxAttach cases: it fires once at the first step and attaches each case's
 * result (CONST a, CONST b, OP) to its event. The JZ jumps to the unit's END, an absolute code offset.
 */
function ruleUnit(group: Case[], start: number, slot: number): UnitSpec {
  const body: Ins[] = group.flatMap((c) => [...c.args.map((k): Ins => ['CONST', k]), [c.op] as Ins]);
  const code = (target: number): Ins[] => [['CONST', ONE], ['CONST', ZERO], ['FIRE', slot], ['JZ', target], ...body, ['EMIT', 0, group.length], ['END']];
  const length = assembleCode(code(0)).length;
  return { code: code(start + length - 1) };
}

/** Bundles of at most maxUnits rules, and the cases in the order their results are emitted. */
function bundles(all: Case[]): Array<{ bytes: Uint8Array; cases: Case[] }> {
  const out: Array<{ bytes: Uint8Array; cases: Case[] }> = [];
  const perBundle = LIMITS.maxUnits * LIMITS.maxAttach;
  for (let b = 0; b < all.length; b += perBundle) {
    const chunk = all.slice(b, b + perBundle);
    const units: UnitSpec[] = [];
    let start = 0;
    for (let g = 0; g < chunk.length; g += LIMITS.maxAttach) {
      const unit = ruleUnit(chunk.slice(g, g + LIMITS.maxAttach), start, units.length * 2);
      start += assembleCode(unit.code).length;
      units.push(unit);
    }
    out.push({ bytes: assemble({ units, consts: GRID, nState: units.length * 2 }), cases: chunk });
  }
  return out;
}

function bits(v: number): string {
  return Buffer.from(new Float64Array([v]).buffer).toString('hex');
}

function describeCase(c: Case): string {
  return `${c.op}(${c.args.map((k) => Object.is(GRID[k], -0) ? '-0' : String(GRID[k])).join(', ')})`;
}

describe('constant folding agrees bit for bit with the device', () => {
  const all = cases();

  test(`the grid covers every pure op of the table (${all.length} cases)`, () => {
    const ops = new Set(all.map((c) => c.op));
    expect([...ops].sort()).toEqual(ISA.filter((o: OpSpec) => o.pure).map((o) => o.name).sort());
    for (const c of all) expect(foldConstant(c.op, c.args.map((k) => GRID[k])), describeCase(c)).not.toBeUndefined();
  });

  test('every pure op folds to the bits the translated code computes', () => {
    const api = loadRuntimeArtifact();
    const mismatches: string[] = [];
    let compared = 0;
    for (const { bytes, cases: chunk } of bundles(all)) {
      const device: number[] = [];
      const rt = api.load(bytes, { emit: (_r, _s, _t, values, n) => { for (let i = 0; i < n; i++) device.push(values[i]); }, output() {}, interval() {} });
      expect(rt.fault, `fold bundle refused at byte ${rt.faultAt}`).toBe(0);
      rt.step(0);
      expect(device.length).toBe(chunk.length);
      chunk.forEach((c, i) => {
        const folded = foldConstant(c.op, c.args.map((k) => GRID[k]))!;
        compared++;
        if (bits(folded) !== bits(device[i])) mismatches.push(`${describeCase(c)}: folded ${folded} (${bits(folded)}), device ${device[i]} (${bits(device[i])})`);
      });
    }
    expect(compared).toBe(all.length);
    expect(mismatches).toEqual([]);
  });

  test('the comparison tells -0 from 0, so a sign slip in folding cannot pass unseen', () => {
    expect(bits(foldConstant('NEG', [0])!)).not.toBe(bits(0));
    expect(bits(foldConstant('MUL', [-1, 0])!)).toBe(bits(-0));
  });
});
