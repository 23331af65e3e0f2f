/**
 * An esbuild plugin for bundling the toolchain's TypeScript to run from elsewhere (the batch worker, the prebuilt
 * CLI): each module's `import.meta.url` becomes its source file's URL, so paths it resolves relative to itself
 * (dist/edgerule-runtime.js, package.json, the rules of the demo) still point where they do in the sources.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

export const sourceImportMetaUrl: Plugin = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};
