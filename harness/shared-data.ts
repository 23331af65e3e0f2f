/**
 * The one way tests and benches reach data kept outside the project: `../shared` next to the project root
 * (real recorded traces in shared/traces, ed25519 vectors in shared/vectors), never by an absolute path.
 *
 * When a folder is missing: outside CI its tests are skipped, loudly (a banner on stderr and "SKIPPED: why" in
 * each skipped title); in CI (env CI=true) sharedData() throws, so the test file fails instead of skipping.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder (where package.json is), with a trailing slash. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** `../shared` relative to the project root. */
export const SHARED_ROOT = resolve(PROJECT_ROOT, '..', 'shared');

export interface SharedData {
  /** Absolute path of the folder, with a trailing slash. */
  dir: string;
  present: boolean;
  /** Why its tests are skipped ('' when present). */
  why: string;
  /** ' — SKIPPED: why' to append to the title of a skipped test or suite ('' when present). */
  skipped: string;
  /** Absolute path of a file or folder inside it. */
  path(...parts: string[]): string;
}

/** ../shared/<sub>, needed for `purpose` (said in the skip message). */
export function sharedData(sub: string, purpose: string): SharedData {
  const dir = join(SHARED_ROOT, sub) + '/';
  const present = existsSync(dir);
  const why = present ? '' : `${dir} is missing (the project expects ../shared/${sub} next to its root); ${purpose}`;
  if (!present && process.env.CI === 'true') throw new Error(`CI: ${why}`);
  if (!present) console.warn(`\n!!! SKIPPED: ${why}\n`);
  return { dir, present, why, skipped: present ? '' : ` — SKIPPED: ${why}`, path: (...parts) => join(SHARED_ROOT, sub, ...parts) };
}
