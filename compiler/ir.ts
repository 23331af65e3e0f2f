/**
 * The IR: a tree (DAG once hash-consed) whose node ops are the instruction names of compiler/isa.ts.
 * The DSL builds it, lower.ts folds and shares it, emit.ts writes it out in post-order.
 */
import type { SignalName } from './dsl/catalogue.ts';
import type { OpName } from './isa.ts';
import { GEOM_POLYGON, GEOM_CIRCLE, GEOM_POLYLINE, GEOM_POINT } from '../runtime/engine/format.ts';

/** Geometry kinds by name and their codes in a bundle's geometry records: the one place the names live. */
export const GEOMETRY_KIND_CODE = { polygon: GEOM_POLYGON, circle: GEOM_CIRCLE, polyline: GEOM_POLYLINE, point: GEOM_POINT } as const;
export type GeometryKind = keyof typeof GEOMETRY_KIND_CODE;

/** The kind a geometry record's code stands for (undefined for a code the verifier refuses). */
export function geometryKindName(code: number): GeometryKind | undefined {
  return (Object.keys(GEOMETRY_KIND_CODE) as GeometryKind[]).find((k) => GEOMETRY_KIND_CODE[k] === code);
}

export interface SourceLoc { file: string; line: number; col: number }

export interface GeometryDef {
  kind: GeometryKind;
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
  readonly op: OpName;               // an ISA op name (CONST, LOAD, HELD, …)
  readonly args: readonly Node[];    // operands in push order
  readonly value?: number;           // CONST
  readonly signal?: SignalName;      // LOAD, KNOWN, STALE
  readonly geometry?: GeometryDef;   // INSIDE, DIST2
  readonly n?: number;               // SEQ steps, COUNT ring size
  readonly param?: ParamDecl;        // CONST declared with param(): lowering gives it its value
  readonly loc?: SourceLoc;
}

export function node(op: OpName, args: readonly Node[], extra: Partial<Node> = {}, loc?: SourceLoc): Node {
  return { op, args, ...extra, loc };
}
