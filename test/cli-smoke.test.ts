/**
 * The `edgerule` executable itself, as a user starts it (node bin/edgerule.mjs, a process of its own, the
 * TypeScript loader hook, real exit codes and streams). Everything else about the commands is tested in process
 * (harness/cli.ts), where it is faster; these few runs prove the executable wiring.
 */
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, spawnCli } from '../harness/cli.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { prebuiltMain } from '../cli/prebuilt.mjs';

describe('edgerule executable', () => {
  test('--help lists every command and exits 0; no command is a usage error (exit 2)', async () => {
    const help = spawnCli(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['compile', 'inspect', 'keygen', 'pubkey', 'sign', 'verify', 'simulate', 'demo']) expect(help.out).toContain(`  ${c} `);
    const none = await runCli([]);
    expect([none.code, none.out, none.err]).toEqual([2, '', `edgerule: no command given\n\n${help.out}`]);
    const unknown = await runCli(['nope']);
    expect([unknown.code, unknown.err.split('\n')[0]]).toEqual([2, "edgerule: unknown command 'nope'"]);
  });

  test('same sources give byte-identical bundles, across separate processes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-det-'));
    const run = (name: string) => {
      const r = spawnCli(['compile', 'rules', '-q', '-o', join(dir, name)]);
      expect(r.code, r.err).toBe(0);
      return readFileSync(join(dir, name));
    };
    expect(run('a.erb').equals(run('b.erb'))).toBe(true);
  });

  test('a failing command exits with the code of its kind and its message on stderr', () => {
    const r = spawnCli(['pubkey', 'no-such.key']);
    expect([r.code, r.out]).toEqual([EXIT.CANNOT_CHECK, '']);
    expect(r.err).toMatch(/^edgerule pubkey: .*no-such\.key/);
  });

  test('--help and inspect start from the prebuilt CLI (dist/cli/) and print what the sources print', async () => {
    expect(prebuiltMain(['inspect', 'x.erb']), 'dist/cli/ is missing or older than the sources: run npm run build').toMatch(/\/dist\/cli\/main\.js$/);
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-prebuilt-'));
    expect(spawnCli(['compile', 'rules', '-q', '--no-typecheck', '-o', join(dir, 'lib.erb')]).code).toBe(0);
    for (const args of [['--help'], ['--version'], ['inspect', join(dir, 'lib.erb')], ['inspect', 'README.md']]) {
      const spawned = spawnCli(args);
      const inProcess = await runCli(args);
      expect(spawned, args.join(' ')).toEqual(inProcess);
    }
  });

  test('the prebuilt CLI serves only commands that load no user TypeScript, and only while no source is newer', () => {
    const root = mkdtempSync(join(tmpdir(), 'edgerule-prebuilt-root-')) + '/';
    mkdirSync(root + 'dist/cli', { recursive: true });
    writeFileSync(root + 'a.ts', 'export {};\n');
    const built = new Date('2024-01-01T00:00:00Z');
    utimesSync(root + 'a.ts', built, built);
    writeFileSync(root + 'dist/cli/manifest.json', JSON.stringify({ entry: 'main.js', inputs: { 'a.ts': built.getTime() } }));
    expect(prebuiltMain(['inspect', 'b.erb'], root)).toBe(`file://${root}dist/cli/main.js`);
    expect(prebuiltMain(['--help'], root)).toBe(`file://${root}dist/cli/main.js`);
    for (const argv of [['compile', 'rules'], ['simulate'], ['help', 'compile'], []]) expect(prebuiltMain(argv, root), argv.join(' ')).toBeUndefined();
    const edited = new Date('2024-01-02T00:00:00Z');
    utimesSync(root + 'a.ts', edited, edited);
    expect(prebuiltMain(['inspect', 'b.erb'], root)).toBeUndefined();
  });
});
