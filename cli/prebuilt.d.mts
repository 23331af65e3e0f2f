// Types of cli/prebuilt.mjs (plain JS: it runs before the TypeScript loader hook).
/** The URL of the prebuilt cli/main.ts for these arguments, or undefined (not served, not built, or stale). */
export function prebuiltMain(argv: readonly string[], root?: string): string | undefined;
