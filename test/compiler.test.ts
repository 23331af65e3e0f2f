/**
 * Compiler properties: constant folding, sharing of common sub-expressions across rules, the budget, and the
 * source-map sidecar pointing at real rule lines. (Byte-identical bundles across separate processes: cli-smoke.)
 */
import { describe, expect, test } from 'vitest';
import { compileRules } from '../compiler/compile.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { rule, sig, kmh, minutes, seconds, gees, level } from '../compiler/dsl/index.ts';
import { verify } from '../runtime/engine/verify.ts';
import { decodeUnit } from '../compiler/bundle-reader.ts';

function ops(bytes: Uint8Array, unit: { codeStart: number; codeEnd: number }): string[] {
  return decodeUnit(bytes, verify(bytes).codeOff, unit.codeStart, unit.codeEnd).map((i) => [i.op.name, ...i.operands].join(' '));
}

describe('compiler', () => {
  test('constant arithmetic is folded: kmh(1) is one constant, 2 × 3 g is 6 g', () => {
    const c = compileRules([rule({ name: 'r', description: 'd', severity: 'info', when: sig('gnss.speed').below(kmh(1)).and(sig('accel.mag').above(gees(2).times(3))) })], FULL_PROFILE);
    // f32-exact constants first (stored in 4 bytes), then the rest (8 bytes): 6 and the cooldown 0, then 1/3.6.
    expect(c.emitted.constants).toEqual([6, 0, 1 / 3.6]);
    expect(verify(c.bytes).n32).toBe(2);
    expect(ops(c.bytes, c.map.units[0]).slice(0, 7)).toEqual(['LOAD 2', 'CONST 2', 'LT', 'LOAD 11', 'CONST 0', 'GT', 'AND']);
  });

  test('a sub-expression used by two rules becomes one derived value that both rules read', () => {
    const stopped = () => sig('gnss.speed').below(kmh(1)).heldFor(minutes(5));
    const c = compileRules([
      rule({ name: 'a', description: 'd', severity: 'info', when: stopped() }),
      rule({ name: 'b', description: 'd', severity: 'info', when: stopped().and(sig('door').isTrue()) }),
    ], FULL_PROFILE);
    const derived = c.map.units.filter((u) => u.kind === 'derived');
    expect(derived.length).toBe(1);
    expect(ops(c.bytes, derived[0])).toEqual(['LOAD 2', 'CONST 2', 'LT', 'CONST 1', 'HELD 0', 'STORE 24', 'END']);
    const rules = c.map.units.filter((u) => u.kind === 'rule');
    for (const r of rules) expect(ops(c.bytes, r)[0]).toBe('LOAD 24');
    expect(rules.map((r) => r.deps)).toEqual([[24], [13, 24]]);
  });

  test('attachments do not trigger evaluation; a stateful attachment is derived', () => {
    const c = compileRules([rule({ name: 'a', description: 'd', severity: 'info', when: sig('door').isTrue(),
      attach: { cell: sig('cell.id'), lastFix: sig('gnss.lat').heldWhen(sig('gnss.fix').atLeast(level(1))) } })], FULL_PROFILE);
    const rule0 = c.map.units.find((u) => u.kind === 'rule')!;
    expect(rule0.deps).toEqual([13]);
    expect(c.map.units.filter((u) => u.kind === 'derived').length).toBe(1);
  });

  test('the budget counts code, state and worst-case operations per rule', () => {
    const c = compileRules([rule({ name: 'held', description: 'd', severity: 'critical', when: sig('door').isTrue().heldFor(seconds(5)) })], FULL_PROFILE);
    // LOAD(1) CONST(1) HELD(4) CONST(1) FIRE(3) JZ(1) EMIT(4) END(0) = 15 operations; HELD 1 slot + FIRE 2 slots.
    // Bytes: LOAD and both CONSTs in their one-byte short forms (3), HELD, FIRE, JZ, EMIT 3 each (12), END 1 = 16.
    expect(c.budget).toEqual([{ rule: 'held', id: 0, codeBytes: 16, stateBytes: 24, worstOps: 15 }]);
  });

  test('the sidecar maps instructions to the rule source lines', () => {
    const line = Number(new Error().stack!.split('\n')[1].match(/:(\d+):\d+\)?$/)![1]) + 1;
    const c = compileRules([rule({ name: 'mapped', description: 'd', severity: 'info', when: sig('door').isTrue() })], FULL_PROFILE);
    expect(c.map.rules[0]).toMatchObject({ name: 'mapped', file: 'test/compiler.test.ts', line });
    expect(c.map.lines.some((l) => l.file === 'test/compiler.test.ts' && l.line === line)).toBe(true);
  });
});

describe('reading a device fault offset as a source location', () => {
  test('a code offset names the instruction, the rule and its line', async () => {
    const { explainOffset } = await import('../compiler/disasm.ts');
    const line = Number(new Error().stack!.split('\n')[1].match(/:(\d+):\d+\)?$/)![1]) + 1;
    const c = compileRules([rule({ name: 'door-shock', description: 'd', severity: 'info', when: sig('door').isTrue().and(sig('accel.mag').above(gees(3))) })], FULL_PROFILE);
    const p = verify(c.bytes);
    // One-byte LOAD door, LOAD accel.mag and CONST come first: GT is at code offset 3.
    expect(decodeUnit(c.bytes, p.codeOff, 0, 4).map((i) => i.op.name)).toEqual(['LOAD', 'LOAD', 'CONST', 'GT']);
    expect(explainOffset(c.bytes, p.codeOff + 3, c.map)).toBe(`byte ${p.codeOff + 3}: code offset 3, in GT at 3 of unit 0 (rule door-shock), test/compiler.test.ts:${line}:140`); // column of `.above(`, where GT is built
    expect(explainOffset(c.bytes, 8, c.map)).toBe("byte 8: header field 'catalogue hash' (offset 8)");
  });
});
