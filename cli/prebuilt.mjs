// Chooses between the prebuilt CLI (dist/cli/, tools/build-cli.ts) and the TypeScript sources for one command line.
// Plain JS, because it runs before the TypeScript loader hook is (or is not) registered.
//
// The prebuilt CLI serves only commands that never load user TypeScript: a rule file imports the DSL from the sources,
// and a second, bundled copy of the compiler would not recognise the rules it made (two `Rule` classes). It is used
// only when every source file that went into it still has the modification time it had at the build.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** First arguments whose command loads no user TypeScript (help, the version, inspect). */
const SERVED = new Set(['--help', '-h', 'help', '--version', '-V', 'version', 'inspect']);

/**
 * The URL of the prebuilt cli/main.ts for these arguments, or undefined: a command it does not serve, no build, or a
 * source changed since the build (`root` is the project root, for tests).
 */
export function prebuiltMain(argv, root = ROOT) {
  if (!SERVED.has(argv[0]) || (argv[0] === 'help' && argv[1] !== undefined && argv[1] !== 'inspect')) return undefined;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(root + 'dist/cli/manifest.json', 'utf8'));
    for (const [file, mtimeMs] of Object.entries(manifest.inputs)) if (statSync(root + file).mtimeMs !== mtimeMs) return undefined;
  } catch {
    return undefined;
  }
  return pathToFileURL(root + 'dist/cli/' + manifest.entry).href;
}
