#!/usr/bin/env node
// The `edgerule` command. The toolchain is TypeScript run directly through an esbuild loader hook
// (cli/register-ts.mjs), so rule files are loaded with source maps and diagnostics name their lines.
import '../cli/register-ts.mjs';

// `edgerule inspect bundle | head`: a reader that stops reading ends the command quietly, as it does for cat.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
}

const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
