#!/usr/bin/env node
// The `edgerule` command. The toolchain is TypeScript run directly through an esbuild loader hook
// (cli/register-ts.mjs), so rule files are loaded with source maps and diagnostics name their lines. Commands that
// load no user TypeScript (--help, --version, inspect) start from the prebuilt CLI in dist/cli/ when it is as new as
// the sources (cli/prebuilt.mjs), without the hook.
import { prebuiltMain } from '../cli/prebuilt.mjs';

// `edgerule inspect bundle | head`: a reader that stops reading ends the command quietly, as it does for cat.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
}

const argv = process.argv.slice(2);
const prebuilt = prebuiltMain(argv);
if (!prebuilt) await import('../cli/register-ts.mjs');
const { main } = prebuilt ? await import(prebuilt) : await import('../cli/main.ts');
process.exitCode = await main(argv);
