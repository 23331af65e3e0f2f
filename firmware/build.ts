/**
 * `edgerule build-runtime`: packages the artifacts (dist/) for a target, with a board's configuration, into a
 * folder a device installs from, and reports the size of every file (docs/HOSTS.md).
 *   espruino  Storage files + boot file + install.json (firmware/espruino.ts)
 *   moddable  a module folder with manifest.json (firmware/moddable.ts)
 *   node      the files the Node host loads + host.json (firmware/node.ts)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRules } from '../compiler/load.ts';
import { selectProfile } from '../compiler/compile.ts';
import type { Profile } from '../compiler/dsl/rule.ts';
import { defaultBoardPath, deviceConfig, readBoard, type Target } from './board-config.ts';
import { espruinoFiles, installManifest } from './espruino.ts';
import { moddableFiles } from './moddable.ts';
import { nodeFiles } from './node.ts';

export interface BuildOptions {
  target: Target;
  /** Device profile name (default full), looked up in `rules` (default the rules/ folder). */
  profile?: string;
  rules?: string;
  /** Board file (default firmware/boards/<target>.json). */
  board?: string;
  out: string;
}

export interface BuiltFile { name: string; bytes: number; kind: string }

export interface BuildResult { target: Target; profile: string; out: string; files: BuiltFile[]; javascript: number; total: number }

export async function findProfile(name: string | undefined, rules = 'rules'): Promise<Profile> {
  const loaded = await loadRules([rules]);
  const p = selectProfile(loaded.profiles, name);
  if ('code' in p) throw new Error(`${p.code}: ${p.message}`);
  return p;
}

export async function buildTarget(o: BuildOptions): Promise<BuildResult> {
  const profile = await findProfile(o.profile, o.rules);
  const boardPath = o.board ?? defaultBoardPath(o.target);
  const board = readBoard(boardPath);
  if (board.target && board.target !== o.target) throw new Error(`${boardPath}: target: a board for ${board.target}, not ${o.target}`);
  const cfg = deviceConfig(board, profile, boardPath);
  rmSync(o.out, { recursive: true, force: true });
  mkdirSync(o.out, { recursive: true });
  const files: Array<{ name: string; kind: string; bytes: Uint8Array; path: string }> = [];
  if (o.target === 'espruino') {
    const sf = await espruinoFiles(cfg);
    mkdirSync(join(o.out, 'storage'));
    for (const f of sf) files.push({ ...f, path: join('storage', f.name) });
    writeFileSync(join(o.out, 'install.json'), JSON.stringify(installManifest(profile.name, sf), null, 2) + '\n');
  } else if (o.target === 'moddable') {
    for (const f of await moddableFiles(cfg)) files.push({ ...f, path: f.name });
  } else {
    for (const f of await nodeFiles(cfg)) files.push({ ...f, path: f.name });
  }
  for (const f of files) {
    mkdirSync(join(o.out, f.path, '..'), { recursive: true });
    writeFileSync(join(o.out, f.path), f.bytes);
  }
  const js = files.filter((f) => f.kind === 'code' || f.kind === 'boot').reduce((n, f) => n + f.bytes.length, 0);
  return {
    target: o.target, profile: profile.name, out: o.out, javascript: js,
    total: files.reduce((n, f) => n + f.bytes.length, 0),
    files: files.map((f) => ({ name: f.path, bytes: f.bytes.length, kind: f.kind })),
  };
}

/** The size table `build-runtime` prints. */
export function sizeTable(r: BuildResult): string {
  const w = Math.max(4, ...r.files.map((f) => f.name.length));
  const lines = [`${'file'.padEnd(w)}  ${'kind'.padEnd(6)}  bytes`, `${'-'.repeat(w)}  ------  ------`];
  for (const f of r.files) lines.push(`${f.name.padEnd(w)}  ${f.kind.padEnd(6)}  ${String(f.bytes).padStart(6)}`);
  lines.push(`${'JavaScript'.padEnd(w)}          ${String(r.javascript).padStart(6)}`, `${'total'.padEnd(w)}          ${String(r.total).padStart(6)}`);
  return lines.join('\n');
}
