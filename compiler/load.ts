/**
 * Loads rule modules: every .ts file named (folders recursively), imported through the project's esbuild
 * loader with inline source maps so DSL calls know their file:line:col. Collects every exported Rule.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Rule } from './dsl/rule.ts';
import type { Profile } from './dsl/rule.ts';
import type { Diagnostic } from './diagnostics.ts';

export interface LoadedRules { rules: Rule[]; profiles: Profile[]; files: string[]; diagnostics: Diagnostic[] }

/** The rule files named: .ts files, folders searched recursively in name order (absolute paths). */
export function ruleFiles(paths: string[]): string[] {
  const files: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) {
      for (const entry of readdirSync(p).sort()) walk(join(p, entry));
    } else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) {
      files.push(p);
    }
  };
  for (const p of paths) walk(resolve(p));
  return files;
}

/** The line of `file` where a module threw while loading (from the source-mapped stack), else its first line. */
function throwSite(e: unknown, file: string): { file: string; line: number; col: number } {
  const stack = (e as Error)?.stack ?? '';
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  return m ? { file, line: Number(m[1]), col: Number(m[2]) } : { file, line: 1, col: 1 };
}

function isProfile(v: unknown): v is Profile {
  return typeof v === 'object' && v !== null && Array.isArray((v as Profile).signals) && Array.isArray((v as Profile).outputs) && typeof (v as Profile).name === 'string';
}

export async function loadRules(paths: string[]): Promise<LoadedRules> {
  process.setSourceMapsEnabled(true);
  const out: LoadedRules = { rules: [], profiles: [], files: [], diagnostics: [] };
  for (const file of ruleFiles(paths)) {
    out.files.push(file);
    let mod: Record<string, unknown>;
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (e) {
      out.diagnostics.push({ code: 'ER001', severity: 'error', message: `cannot load rule module: ${(e as Error).message}`, loc: throwSite(e, file) });
      continue;
    }
    for (const value of Object.values(mod)) {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (item instanceof Rule && !out.rules.includes(item)) out.rules.push(item);
        else if (isProfile(item) && !out.profiles.includes(item)) out.profiles.push(item);
        else if (typeof item === 'object' && item && !Array.isArray(item)) {
          for (const inner of Object.values(item)) if (isProfile(inner) && !out.profiles.includes(inner)) out.profiles.push(inner);
        }
      }
    }
  }
  return out;
}
