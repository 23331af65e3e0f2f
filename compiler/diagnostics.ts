/**
 * Compiler diagnostics: a stable code, a message that says what to change, and the rule source location.
 * Printed as `file:line:col: error ER103: …` so editors and CI annotate the right line.
 */
import { relative } from 'node:path';
import type { SourceLoc } from './ir.ts';

export interface Diagnostic {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  loc?: SourceLoc;
}

export class CompileError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const sorted = [...diagnostics].sort(byLocation);
    super(sorted.map((d) => formatDiagnostic(d)).join('\n'));
    this.diagnostics = sorted;
  }
}

/** Orders diagnostics as an editor lists them: by file, line, column. */
export function byLocation(a: Diagnostic, b: Diagnostic): number {
  const fa = a.loc?.file ?? '';
  const fb = b.loc?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0);
}

export function formatDiagnostic(d: Diagnostic, cwd = process.cwd()): string {
  const where = d.loc ? `${relative(cwd, d.loc.file) || d.loc.file}:${d.loc.line}:${d.loc.col}: ` : '';
  return `${where}${d.severity} ${d.code}: ${d.message}`;
}
