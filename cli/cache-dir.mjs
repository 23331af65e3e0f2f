// Where edgerule keeps what it can recompute: transformed TypeScript modules (cli/ts-loader.mjs) and the
// type-checker's record of files that checked clean (compiler/typecheck.ts). Plain JS, because the loader hook
// that makes TypeScript importable uses it.
//
//   EDGERULE_CACHE_DIR        the folder itself (tests and benchmarks point it at a fresh one for cold runs)
//   EDGERULE_CACHE_DIR=off    no cache: everything is recomputed
//   otherwise                 $XDG_CACHE_HOME/edgerule, or ~/.cache/edgerule
//
// Entries are named by a hash of everything they depend on, written atomically, and only ever read back by
// that name, so a stale entry is never used and deleting the folder at any time is safe. The folder is created
// private to the user (0700): a cached module is code that will run.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The cache folder, or undefined when caching is off. */
export function cacheRoot() {
  const env = process.env.EDGERULE_CACHE_DIR;
  if (env === 'off') return undefined;
  if (env) return env;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'edgerule');
}

/** Path of entry `name` in sub-folder `kind` (undefined when caching is off). */
export function cachePath(kind, name) {
  const root = cacheRoot();
  return root === undefined ? undefined : join(root, kind, name);
}

/** The entry's text, or undefined when it is missing, unreadable, or caching is off. */
export function readCached(file) {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes the entry atomically; a cache that cannot be written only costs speed, so failures are ignored. */
export function writeCached(file, text) {
  if (file === undefined) return;
  try {
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${randomUUID()}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // read-only home, full disk: run without the cache
  }
}
