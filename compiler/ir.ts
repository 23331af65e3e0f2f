/**
 * The IR: a tree (DAG once hash-consed) whose node ops are the instruction names of compiler/isa.ts.
 * The DSL builds it, lower.ts folds and shares it, emit.ts writes it out in post-order.
 */
import type { SignalName } from './dsl/catalogue.ts';

export interface SourceLoc { file: string; line: number; col: number }

export interface GeometryDef {
  kind: 'polygon' | 'circle' | 'polyline' | 'point';
  /** [lon, lat] pairs in degrees (GeoJSON order). Circle/point: the centre. */
  coords: Array<[number, number]>;
  radiusM?: number;
  /** Where it came from, for diagnostics and the report: file and feature name. */
  source: string;
  name: string;
}

/** A named threshold (compiler/dsl/param.ts): a constant whose value `compile --set` may change within its range. */
export interface ParamDecl {
  readonly name: string;
  /** Catalogue unit of the quantity (values are in that base unit). */
  readonly unit: string;
  readonly defaultValue: number;
  readonly min?: number;
  readonly max?: number;
  readonly description?: string;
}

export interface Node {
  readonly op: string;               // an ISA op name (CONST, LOAD, HELD, …)
  readonly args: readonly Node[];    // operands in push order
  readonly value?: number;           // CONST
  readonly signal?: SignalName;      // LOAD, KNOWN, STALE
  readonly geometry?: GeometryDef;   // INSIDE, DIST2
  readonly n?: number;               // SEQ steps, COUNT ring size
  readonly param?: ParamDecl;        // CONST declared with param(): lowering gives it its value
  readonly loc?: SourceLoc;
}

export function node(op: string, args: readonly Node[], extra: Partial<Node> = {}, loc?: SourceLoc): Node {
  return { op, args, ...extra, loc };
}
