/**
 * Lowering: rules → canonical IR ready to emit.
 *   1. check rules against the device profile (names, signals, outputs, attachment count)
 *   2. hash-cons every node (same op, operands and immediates → one node) and fold constant arithmetic
 *   3. find shared sub-expressions: a non-leaf node reached from two places (in one rule or across rules)
 *      becomes a *derived value*, computed once by its own unit and read by the rules with LOAD. A stateful
 *      node inside an attachment is also derived, because attachments are only evaluated when a rule fires.
 */
import { relative } from 'node:path';
import { ISA, OP, LIMITS, type OpName } from './isa.ts';
import type { Node, ParamDecl, SourceLoc } from './ir.ts';
import { collectParams } from './dsl/param.ts';
import type { Rule, Profile } from './dsl/rule.ts';
import { SEVERITY_CODE } from './dsl/rule.ts';
import { SEVERITY_NAMES } from '../runtime/engine/severity.ts';
import { Bool } from './dsl/expr.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { SignalName } from './dsl/catalogue.ts';

export interface LoweredRule {
  id: number;
  name: string;
  description: string;
  severity: number;
  loc?: SourceLoc;
  when: Node;
  cooldown: Node;
  attach: Array<{ name: string; node: Node }>;
  outputs: Array<{ id: number; name: string; value: Node }>;
  reportEvery?: Node;
}

/** A declared parameter (compiler/dsl/param.ts), the value it was compiled with, and the rules using it. */
export interface LoweredParam extends ParamDecl { value: number; rules: string[] }

export interface Lowered {
  rules: LoweredRule[];
  /** Parameters by name (absent when no rule declares one). */
  params?: LoweredParam[];
  /** Shared nodes in dependency order: each one's operands are leaves, earlier derived nodes, or unshared nodes. */
  derived: Node[];
  diagnostics: Diagnostic[];
}

/**
 * Constant folding evaluates a pure op's JS text from the instruction table (compiler/isa.ts `pure`), the very text
 * the device's translator writes, with each operand converted as the translator converts it: folding cannot drift
 * from what the device computes (test/fold.test.ts compares the bits over NaN, ±0, ±Infinity and extremes).
 */
const FOLD = new Map(ISA.filter((op) => op.pure).map((op) => {
  const { js, uses, bool } = op.pure!;
  const evaluate = new Function('$0', '$1', '$2', `return ${js};`) as (a?: unknown, b?: unknown, c?: unknown) => unknown;
  const convert = [...uses].map((use) => (use === 'b' ? (v: number) => !!v : (v: number) => v));
  return [op.name, (values: readonly number[]) => {
    const r = evaluate(...values.map((v, i) => convert[i](v)));
    return bool ? +(r as boolean) : r as number;
  }];
}));

/** The value a pure op gives for constant operands, or undefined if the op does not fold. */
export function foldConstant(op: OpName, values: readonly number[]): number | undefined {
  const fold = FOLD.get(op);
  return fold && values.length === OP[op].pops ? fold(values) : undefined;
}

export function isStateful(n: Node): boolean {
  return (OP[n.op].state ?? 0) > 0;
}

function isLeaf(n: Node): boolean {
  return n.op === 'CONST' || n.op === 'LOAD' || n.op === 'KNOWN';
}

function geometryKey(n: Node): string {
  const g = n.geometry;
  return g ? `${g.kind}:${g.radiusM ?? ''}:${g.coords.map((c) => c.join(',')).join(';')}` : '';
}

/** Interns nodes by structure and folds constant pure arithmetic. */
class Canonicalizer {
  private readonly table = new Map<string, Node>();
  private readonly keys = new Map<Node, string>();
  private readonly memo = new Map<Node, Node>();

  /** `values`: parameter name → value to compile with (default: the declared default). */
  constructor(private readonly values: ReadonlyMap<string, number> = new Map()) {}

  key(n: Node): string {
    return this.keys.get(n)!;
  }

  canon(n: Node): Node {
    const hit = this.memo.get(n);
    if (hit) return hit;
    let args = n.args.map((a) => this.canon(a));
    // A parameter becomes a plain constant of its value: the same bytes as the literal would give.
    let out: Node = n.param ? { op: 'CONST', args: [], value: this.values.get(n.param.name) ?? n.param.defaultValue, loc: n.loc } : { ...n, args };
    if (args.length && args.every((a) => a.op === 'CONST')) {
      const value = foldConstant(n.op, args.map((a) => a.value!));
      if (value !== undefined) out = { op: 'CONST', args: [], value, loc: n.loc };
      args = out.args as Node[];
    }
    const valueKey = out.op === 'CONST' ? Object.is(out.value, -0) ? '-0' : String(out.value) : '';
    const key = `${out.op}(${valueKey}|${out.signal ?? ''}|${geometryKey(out)}|${out.n ?? ''}|${args.map((a) => this.key(a)).join(',')})`;
    let interned = this.table.get(key);
    if (!interned) {
      interned = out;
      this.table.set(key, interned);
      this.keys.set(interned, key);
    }
    this.memo.set(n, interned);
    return interned;
  }
}

/** The expression trees of a rule as written: condition, attachments, cooldown, reporting interval. */
function specRoots(r: Rule): Node[] {
  return [r.spec.when.node, ...Object.values(r.spec.attach ?? {}).map((a) => a.node), ...(r.spec.cooldown ? [r.spec.cooldown.node] : []), ...(r.spec.reportEvery ? [r.spec.reportEvery.node] : [])];
}

function checkRules(rules: Rule[], profile: Profile): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const seen = new Map<string, Rule>();
  for (const r of rules) {
    const { name } = r.spec;
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name ?? '')) {
      diags.push({ code: 'ER102', severity: 'error', loc: r.loc, message: `rule name '${name}' must be kebab-case (lower-case words joined by '-'), e.g. 'door-open-at-rest'` });
    }
    if (seen.has(name)) {
      const first = seen.get(name)!.loc;
      diags.push({ code: 'ER101', severity: 'error', loc: r.loc, message: `rule name '${name}' is already used at ${first ? `${relative(process.cwd(), first.file)}:${first.line}` : 'another rule'}; rename one of them` });
    }
    seen.set(name, r);
    if (!(r.spec.when instanceof Bool)) {
      diags.push({ code: 'ER108', severity: 'error', loc: r.loc, message: `rule '${name}': 'when' must be a condition (Bool), e.g. sig('door').isTrue()` });
      continue;
    }
    if (!(SEVERITY_NAMES as readonly unknown[]).includes(r.spec.severity)) {
      diags.push({ code: 'ER109', severity: 'error', loc: r.loc, message: `rule '${name}' ${r.spec.severity === undefined ? 'has no severity' : `has severity ${JSON.stringify(r.spec.severity)}`}; every rule states one: severity: ${SEVERITY_NAMES.map((n) => `'${n}'`).join(' | ')}` });
    }
    const attach = Object.keys(r.spec.attach ?? {});
    if (attach.length > LIMITS.maxAttach) {
      diags.push({ code: 'ER105', severity: 'error', loc: r.loc, message: `rule '${name}' attaches ${attach.length} values; at most ${LIMITS.maxAttach} fit in an event — drop some` });
    }
    for (const out of Object.keys(r.spec.setOutputs ?? {})) {
      if (!profile.outputs.includes(out)) {
        diags.push({ code: 'ER104', severity: 'error', loc: r.loc, message: `rule '${name}' sets output '${out}', which profile '${profile.name}' does not have (it has: ${profile.outputs.join(', ') || 'none'})` });
      }
    }
    const stack = specRoots(r);
    const reported = new Set<string>();
    while (stack.length) {
      const n = stack.pop()!;
      const signals: SignalName[] = [...(n.signal ? [n.signal] : []), ...Object.values(OP[n.op].implicitReads ?? {})];
      for (const s of signals) {
        if (!profile.signals.includes(s as never) && !reported.has(s)) {
          reported.add(s);
          diags.push({ code: 'ER103', severity: 'error', loc: n.loc ?? r.loc, message: `rule '${name}' reads signal '${s}', which profile '${profile.name}' does not have; use another signal or compile for a profile that has it` });
        }
      }
      stack.push(...n.args);
    }
  }
  return diags;
}

/** Every parameter the rules declare, by name (throws on disagreeing declarations of one name). */
export function declaredParams(rules: Rule[]): Map<string, ParamDecl> {
  return collectParams(rules.flatMap(specRoots));
}

/** Parameters the rules declare, checked against the values asked for (ER109 unknown, ER110 out of range, ER111 conflict). */
function resolveParams(rules: Rule[], values: Record<string, number>, diagnostics: Diagnostic[]): LoweredParam[] {
  const byRule = new Map<string, Map<string, ParamDecl>>();
  let all = new Map<string, ParamDecl>();
  try {
    for (const r of rules) {
      byRule.set(r.spec.name, collectParams(specRoots(r)));
    }
    all = declaredParams(rules);
  } catch (e) {
    diagnostics.push({ code: 'ER111', severity: 'error', message: (e as Error).message });
    return [];
  }
  for (const [name, v] of Object.entries(values)) {
    const p = all.get(name);
    if (!p) diagnostics.push({ code: 'ER109', severity: 'error', message: `no rule declares a parameter '${name}'${all.size ? ` (parameters: ${[...all.keys()].sort().join(', ')})` : ''}` });
    else if (!Number.isFinite(v) || (p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max)) {
      diagnostics.push({ code: 'ER110', severity: 'error', message: `parameter '${name}' = ${v} ${p.unit} is outside its range [${p.min ?? '-∞'}, ${p.max ?? '∞'}] ${p.unit}` });
    }
  }
  return [...all.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((p) => ({
    ...p, value: values[p.name] ?? p.defaultValue,
    rules: [...byRule].filter(([, ps]) => ps.has(p.name)).map(([r]) => r).sort(),
  }));
}

export function lower(rules: Rule[], profile: Profile, paramValues: Record<string, number> = {}): Lowered {
  const diagnostics = checkRules(rules, profile);
  if (diagnostics.some((d) => d.severity === 'error')) return { rules: [], derived: [], diagnostics };
  const params = resolveParams(rules, paramValues, diagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) return { rules: [], derived: [], diagnostics };
  const c = new Canonicalizer(new Map(params.map((p) => [p.name, p.value])));
  const sorted = [...rules].sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
  const constant = (value: number): Node => c.canon({ op: 'CONST', args: [], value });
  const lowered: LoweredRule[] = sorted.map((r, id) => ({
    id,
    name: r.spec.name,
    description: r.spec.description,
    severity: SEVERITY_CODE[r.spec.severity],
    loc: r.loc,
    when: c.canon(r.spec.when.node),
    cooldown: c.canon(r.spec.cooldown?.node ?? constant(0)),
    attach: Object.entries(r.spec.attach ?? {}).map(([name, v]) => ({ name, node: c.canon(v.node) })),
    outputs: Object.entries(r.spec.setOutputs ?? {}).map(([name, v]) => ({ id: profile.outputs.indexOf(name), name, value: constant(v) })),
    reportEvery: r.spec.reportEvery ? c.canon(r.spec.reportEvery.node) : undefined,
  }));
  for (const r of lowered) {
    if (r.when.op === 'CONST') {
      diagnostics.push({ code: 'ER106', severity: 'warning', loc: r.loc, message: `rule '${r.name}' condition is always ${r.when.value ? 'true' : 'false'}; it ${r.when.value ? 'fires once at start' : 'never fires'}` });
    }
  }
  return { rules: lowered, derived: selectDerived(lowered), diagnostics, ...(params.length ? { params } : {}) };
}

/** A pure sub-expression at least this costly (ISA cost units) is shared rather than repeated. */
const SHARE_COST = 12;

/** Children before parents (post-order over the DAG), each node once. */
function postOrder(roots: Node[]): Node[] {
  const order: Node[] = [];
  const placed = new Set<Node>();
  for (const root of roots) {
    const stack: Array<[Node, boolean]> = [[root, false]];
    while (stack.length) {
      const [n, expanded] = stack.pop()!;
      if (placed.has(n)) continue;
      if (expanded) { placed.add(n); order.push(n); continue; }
      stack.push([n, true]);
      for (let i = n.args.length - 1; i >= 0; i--) stack.push([n.args[i], false]);
    }
  }
  return order;
}

/**
 * Nodes to compute once and share, in dependency order. A node is emitted once per use of each parent that is
 * not itself shared, so uses are counted top-down. Shared: a stateful node used twice (it must not update its
 * state twice), a spatial or costly pure node used twice (cheaper once), and any stateful node under an
 * attachment (attachments run only when a rule fires, state must advance on every evaluation).
 */
function selectDerived(rules: LoweredRule[]): Node[] {
  const roots: Node[] = [];
  for (const r of rules) roots.push(r.when, r.cooldown, ...r.attach.map((a) => a.node), ...r.outputs.map((o) => o.value), ...(r.reportEvery ? [r.reportEvery] : []));
  const order = postOrder(roots);
  const cost = new Map<Node, number>();
  for (const n of order) cost.set(n, OP[n.op].cost + n.args.reduce((s, a) => s + cost.get(a)!, 0));
  const shared = new Set<Node>();
  for (const r of rules) {
    const stack = r.attach.map((a) => a.node);
    while (stack.length) {
      const n = stack.pop()!;
      if (isStateful(n)) shared.add(n);
      stack.push(...n.args);
    }
  }
  const uses = new Map<Node, number>();
  for (const root of roots) uses.set(root, (uses.get(root) ?? 0) + 1);
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    const u = uses.get(n) ?? 0;
    // Spatial ops loop over geometry points or fixes: worth computing once even when cheap to write.
    if (u >= 2 && !isLeaf(n) && (isStateful(n) || OP[n.op].spatial || cost.get(n)! >= SHARE_COST)) shared.add(n);
    const emitted = shared.has(n) ? 1 : u;
    for (const a of n.args) uses.set(a, (uses.get(a) ?? 0) + emitted);
  }
  return order.filter((n) => shared.has(n));
}
