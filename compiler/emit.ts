/**
 * Emission: lowered IR → bundle bytes (layout in runtime/engine/format.ts) plus the source-map sidecar.
 * Units: derived values first (dependency order), then one unit per rule in id order.
 * Output is a pure function of the input: same rules, same bytes.
 */
import { OP, type OpSpec } from './isa.ts';
import { encodeInstruction } from './encode.ts';
import { GEOMETRY_KIND_CODE, type GeometryDef, type Node, type SourceLoc } from './ir.ts';
import type { Lowered, LoweredRule } from './lower.ts';
import { signalMeta, SIGNAL_COUNT } from './dsl/catalogue.ts';
import { sizeDiagnostics } from './size-limits.ts';
import { CompileError } from './diagnostics.ts';
import { newBundle, writeConstant, writeGeometry, writePoint, writeUnit, writeUnitBodies } from './bundle-writer.ts';
import { M_PER_DEG } from '../runtime/engine/geodesy.ts';

function bitsOf(v: number): string {
  return Buffer.from(new Float64Array([v]).buffer).toString('hex');
}

export interface SourceMapEntry { at: number; unit: number; loc?: SourceLoc }
export interface UnitInfo { index: number; kind: 'derived' | 'rule'; id: number; name: string; codeStart: number; codeEnd: number; deps: number[] }

export interface Emitted {
  bytes: Uint8Array;
  units: UnitInfo[];
  /** Bytecode offset (within the code section) → source location of the node that produced the instruction. */
  sourceMap: SourceMapEntry[];
  geometries: GeometryDef[];
  constants: number[];
}

/** True when v survives a round trip through float32: it can be stored in 4 bytes instead of 8. */
function f32Exact(v: number): boolean {
  return Object.is(Math.fround(v), v);
}

class Pools {
  /** Constants in their final order: f32-exact ones first (stored in 4 bytes), each group most-used first. */
  readonly consts: number[] = [];
  n32 = 0;
  private readonly constIndex = new Map<string, number>();
  readonly geoms: GeometryDef[] = [];
  private readonly geomIndex = new Map<GeometryDef, number>();
  private readonly geomKeys = new Map<string, number>();
  nState = 0;

  /** Each use of a constant, in emission order, while this pool serves a dry run (`uses` was null). */
  readonly recorded: number[] = [];
  private readonly dryRun: boolean;

  /**
   * With `uses` (every constant load of a dry run, in emission order), fixes each constant's index before any
   * code is written, so instruction lengths (short forms for indices < 32) are final and jumps never move.
   * With null, the pool serves the dry run: it records constants and hands out index 0.
   */
  constructor(uses: number[] | null) {
    this.dryRun = uses === null;
    const count = new Map<string, { v: number; n: number; first: number }>();
    (uses ?? []).forEach((v, i) => {
      const key = bitsOf(v);
      const c = count.get(key);
      if (c) c.n++; else count.set(key, { v, n: 1, first: i });
    });
    const all = [...count.values()].sort((a, b) => b.n - a.n || a.first - b.first);
    const ordered = [...all.filter((c) => f32Exact(c.v)), ...all.filter((c) => !f32Exact(c.v))];
    this.n32 = all.filter((c) => f32Exact(c.v)).length;
    ordered.forEach((c, i) => { this.consts.push(c.v); this.constIndex.set(bitsOf(c.v), i); });
  }

  constant(v: number): number {
    if (this.dryRun) { this.recorded.push(v); return 0; }
    const i = this.constIndex.get(bitsOf(v));
    if (i === undefined) throw new Error(`internal: constant ${v} was not seen by the dry run`);
    return i;
  }

  geometry(g: GeometryDef): number {
    const known = this.geomIndex.get(g);
    if (known !== undefined) return known;
    const key = JSON.stringify([g.kind, g.radiusM, g.coords]);
    let i = this.geomKeys.get(key);
    if (i === undefined) {
      i = this.geoms.length;
      this.geoms.push(g);
      this.geomKeys.set(key, i);
    }
    this.geomIndex.set(g, i);
    return i;
  }

  slots(width: number): number {
    const s = this.nState;
    this.nState += width;
    return s;
  }
}

class UnitWriter {
  readonly code: number[] = [];
  readonly deps = new Set<number>();
  readonly map: Array<{ at: number; loc?: SourceLoc }> = [];
  /** Off while emitting attachments and actions: values read only when a rule fires do not trigger it. */
  triggers = true;

  constructor(private readonly pools: Pools, private readonly derivedIds: Map<Node, number>, readonly base: number) {}

  /** The rule being emitted: a shared node first built in another file is mapped to the rule's own line. */
  ruleLoc?: SourceLoc;

  op(spec: OpSpec, operands: number[], loc?: SourceLoc): number {
    const at = this.code.length;
    const own = this.ruleLoc && (!loc || loc.file !== this.ruleLoc.file) ? this.ruleLoc : loc;
    this.map.push({ at: this.base + at, loc: own });
    encodeInstruction(this.code, at, spec, operands, { shortest: true });
    return at;
  }

  /** Emits a tree in post-order; derived nodes (other than `self`) are read, not recomputed. */
  expr(root: Node, self?: Node): void {
    const stack: Array<[Node, boolean]> = [[root, false]];
    while (stack.length) {
      const [n, expanded] = stack.pop()!;
      const derived = n !== self ? this.derivedIds.get(n) : undefined;
      if (derived !== undefined) {
        if (this.triggers) this.deps.add(derived);
        this.op(OP.LOAD, [derived], n.loc);
        continue;
      }
      if (!expanded) {
        stack.push([n, true]);
        for (let i = n.args.length - 1; i >= 0; i--) stack.push([n.args[i], false]);
        continue;
      }
      this.node(n);
    }
  }

  private node(n: Node): void {
    const spec = OP[n.op];
    if (!spec) throw new Error(`internal: unknown IR op ${n.op}`);
    const operands: number[] = [];
    for (const fmt of spec.operands) {
      if (fmt === 'k') operands.push(this.pools.constant(n.value!));
      else if (fmt === 'v') {
        const id = signalMeta(n.signal!).id;
        if (this.triggers) this.deps.add(id);
        operands.push(id);
      } else if (fmt === 'g') operands.push(this.pools.geometry(n.geometry!));
      else if (fmt === 'n') operands.push(n.n!);
      else if (fmt === 's') operands.push(this.pools.slots((spec.state ?? 0) + (spec.statePerN ?? 0) * (n.n ?? 0)));
    }
    // Values read without an operand still make the unit run when they change (even in attachments: an op
    // that keeps state must see every update of what it reads).
    for (const signal of Object.values(spec.implicitReads ?? {})) this.deps.add(signalMeta(signal).id);
    this.op(spec, operands, n.loc);
  }
}

function ruleCode(w: UnitWriter, r: LoweredRule, pools: Pools): void {
  w.ruleLoc = r.loc;
  w.expr(r.when);
  w.expr(r.cooldown);
  w.op(OP.FIRE, [pools.slots(OP.FIRE.state!)], r.loc);
  const jz = w.op(OP.JZ, [0], r.loc);
  w.triggers = false;
  for (const a of r.attach) w.expr(a.node);
  w.op(OP.EMIT, [r.severity, r.attach.length], r.loc);
  for (const o of r.outputs) {
    w.expr(o.value);
    w.op(OP.OUT, [o.id], r.loc);
  }
  if (r.reportEvery) {
    w.expr(r.reportEvery);
    w.op(OP.RATE, [], r.loc);
  }
  const end = w.op(OP.END, [], r.loc);
  // Patch the forward jump to the END (absolute offset in the code section).
  encodeInstruction(w.code, jz, OP.JZ, [w.base + end]);
}

/** Geometry around its centroid in metres; points are stored as i16 multiples of `scale` (< 1 mm … a few cm). */
function projectGeometry(g: GeometryDef): { lat0: number; lon0: number; kx: number; ky: number; scale: number; points: Array<[number, number]> } {
  const lon0 = g.coords.reduce((s, c) => s + c[0], 0) / g.coords.length;
  const lat0 = g.coords.reduce((s, c) => s + c[1], 0) / g.coords.length;
  // kx, ky travel as float32: rounded here so the host's projection below uses the device's values.
  const ky = Math.fround(M_PER_DEG);
  const kx = Math.fround(Math.cos(lat0 * Math.PI / 180) * M_PER_DEG);
  const metres: Array<[number, number]> = g.kind === 'circle' ? [[g.radiusM!, 0]] : g.kind === 'point' ? [[0, 0]]
    : g.coords.map(([lon, lat]) => [(lon - lon0) * kx, (lat - lat0) * ky]);
  let extent = 0; // a loop, not Math.max(...): a spread of 125,000 points overflows the call stack
  for (const [x, y] of metres) extent = Math.max(extent, Math.abs(x), Math.abs(y));
  const scale = Math.fround(Math.max(extent / 32767, 1e-3));
  const points = metres.map(([x, y]): [number, number] => [Math.round(x / scale), Math.round(y / scale)]);
  if (points.some(([x, y]) => Math.abs(x) > 32767 || Math.abs(y) > 32767)) throw new Error(`internal: geometry '${g.name}' does not fit i16 points`);
  return { lat0, lon0, kx, ky, scale, points };
}

/** Writes every unit with the given pools: derived values first (dependency order), then one unit per rule. */
function writeUnits(lowered: Lowered, pools: Pools): { units: Array<{ info: UnitInfo; writer: UnitWriter }>; codeSize: number } {
  const derivedIds = new Map<Node, number>();
  lowered.derived.forEach((n, i) => derivedIds.set(n, SIGNAL_COUNT + i));
  const units: Array<{ info: UnitInfo; writer: UnitWriter }> = [];
  let codeSize = 0;
  const addUnit = (kind: 'derived' | 'rule', id: number, name: string, write: (w: UnitWriter) => void) => {
    const w = new UnitWriter(pools, derivedIds, codeSize);
    write(w);
    const info: UnitInfo = { index: units.length, kind, id, name, codeStart: codeSize, codeEnd: codeSize + w.code.length, deps: [...w.deps].sort((a, b) => a - b) };
    codeSize += w.code.length;
    units.push({ info, writer: w });
  };
  lowered.derived.forEach((n, i) => addUnit('derived', SIGNAL_COUNT + i, `derived#${i} ${n.op}`, (w) => {
    w.expr(n, n);
    w.op(OP.STORE, [SIGNAL_COUNT + i], n.loc);
    w.op(OP.END, [], n.loc);
  }));
  for (const r of lowered.rules) addUnit('rule', r.id, r.name, (w) => ruleCode(w, r, pools));
  return { units, codeSize };
}

/** The bundle of lowered rules, compiled for the named device profile (its header carries the profile). */
export function emit(lowered: Lowered, profile: string): Emitted {
  // A dry run with the same writer records every constant load; its code is thrown away.
  const dry = new Pools(null);
  writeUnits(lowered, dry);
  const pools = new Pools(dry.recorded);
  const { units, codeSize } = writeUnits(lowered, pools);

  const tooMany = sizeDiagnostics(pools.geoms);
  if (tooMany.length) throw new CompileError(tooMany);
  const projected = pools.geoms.map(projectGeometry);
  const b = newBundle({
    profile, consts32: pools.n32, consts: pools.consts.length, derived: lowered.derived.length, units: units.length, state: pools.nState,
    geoms: pools.geoms.length, points: projected.reduce((s, g) => s + g.points.length, 0),
    depBytes: units.reduce((s, u) => s + u.info.deps.length, 0), codeBytes: codeSize,
  });
  const tooBig = sizeDiagnostics(pools.geoms, b.length);
  if (tooBig.length) throw new CompileError(tooBig);
  pools.consts.forEach((k, i) => writeConstant(b, pools.n32, i, k));
  let first = 0;
  projected.forEach((g, i) => {
    writeGeometry(b, i, { kind: GEOMETRY_KIND_CODE[pools.geoms[i].kind], count: g.points.length, first, lat0: g.lat0, lon0: g.lon0, kx: g.kx, ky: g.ky, scale: g.scale });
    g.points.forEach(([x, y], k) => writePoint(b, first + k, x, y));
    first += g.points.length;
  });
  units.forEach(({ info }, i) => {
    if (info.id > 255) throw new Error(`${units.length} units: rule and derived ids must fit one byte (at most 255)`);
    writeUnit(b, i, { kind: info.kind, deps: info.deps.length, id: info.id, codeLength: info.codeEnd - info.codeStart });
  });
  writeUnitBodies(b, units.map((u) => u.info.deps), units.map((u) => u.writer.code));
  const bytes = b.bytes;
  return {
    bytes,
    units: units.map((u) => u.info),
    sourceMap: units.flatMap((u) => u.writer.map.map((m) => ({ at: m.at, unit: u.info.index, loc: m.loc }))),
    geometries: pools.geoms,
    constants: pools.consts,
  };
}
