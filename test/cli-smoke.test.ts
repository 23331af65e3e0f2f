/**
 * The `edgerule` executable itself, as a user starts it (node bin/edgerule.mjs, a process of its own, the
 * TypeScript loader hook, real exit codes and streams). Everything else about the commands is tested in process
 * (harness/cli.ts), where it is faster; these few runs prove the executable wiring.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, spawnCli } from '../harness/cli.ts';

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

  test('a command given a file it cannot read exits 3 (cannot check) with its message on stderr', () => {
    const r = spawnCli(['pubkey', 'no-such.key']);
    expect([r.code, r.out]).toEqual([3, '']);
    expect(r.err).toMatch(/^edgerule pubkey: .*no-such\.key/);
  });
});
