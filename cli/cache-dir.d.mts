// Types of cli/cache-dir.mjs (plain JS, because the TypeScript loader hook uses it before TypeScript can be loaded).
/** The cache folder, or undefined when caching is off (EDGERULE_CACHE_DIR=off). */
export function cacheRoot(): string | undefined;
/** Path of entry `name` in sub-folder `kind` (undefined when caching is off). */
export function cachePath(kind: string, name: string): string | undefined;
/** The entry's text, or undefined when it is missing, unreadable, or caching is off. */
export function readCached(file: string | undefined): string | undefined;
/** Writes the entry atomically; failures are ignored (a cache that cannot be written only costs speed). */
export function writeCached(file: string | undefined, text: string): void;
