#!/usr/bin/env node
// The `edgerule` command. The toolchain is TypeScript run directly through an esbuild loader hook
// (cli/register-ts.mjs), so rule files are loaded with source maps and diagnostics name their lines.
import '../cli/register-ts.mjs';

const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
