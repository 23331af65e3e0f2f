/**
 * Diagnostics of `edgerule compile`: exact text (file:line:col, stable code, what to change) and exit codes, so
 * editors and CI annotate the right line. Runs the command in process (harness/cli.ts); test/cli-smoke.test.ts
 * runs the executable itself.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from '../harness/cli.ts';
import { PROJECT_ROOT as root } from '../harness/shared-data.ts';

const out = join(mkdtempSync(join(tmpdir(), 'edgerule-diag-')), 'x.erb');

async function compile(...args: string[]) {
  const r = await runCli(['compile', ...args, '-o', out]);
  return { code: r.code, stderr: r.err, stdout: r.out };
}

test('a signal or output the profile lacks is an error at the line that uses it', async () => {
  const r = await compile('test/fixtures/bad-rules', '--profile', 'tiny');
  expect(r.code).toBe(1);
  expect(r.stderr).toBe([
    "test/fixtures/bad-rules/wrong-profile.ts:3:21: error ER104: rule 'warm-cargo' sets output 'horn', which profile 'tiny' does not have (it has: siren)",
    "test/fixtures/bad-rules/wrong-profile.ts:6:9: error ER103: rule 'warm-cargo' reads signal 'temperature', which profile 'tiny' does not have; use another signal or compile for a profile that has it",
    '2 errors; no bundle written',
    '',
  ].join('\n'));
  expect(existsSync(out)).toBe(false);
});

test('duplicate and badly formed rule names', async () => {
  const r = await compile('test/fixtures/dup-rules');
  expect(r.code).toBe(1);
  expect(r.stderr).toBe([
    "test/fixtures/dup-rules/a.ts:4:20: error ER101: rule name 'door-open' is already used at test/fixtures/dup-rules/a.ts:3; rename one of them",
    "test/fixtures/dup-rules/a.ts:5:20: error ER102: rule name 'Door_Open' must be kebab-case (lower-case words joined by '-'), e.g. 'door-open-at-rest'",
    '2 errors; no bundle written',
    '',
  ].join('\n'));
});

test('a rule module that throws while loading is reported at the throwing line', async () => {
  const r = await compile('test/fixtures/throwing-rule');
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(
    `test/fixtures/throwing-rule/throws.ts:3:24: error ER001: cannot load rule module: ${root}test/fixtures/throwing-rule/no-such-file.geojson: cannot read GeoJSON: ENOENT: no such file or directory, open '${root}test/fixtures/throwing-rule/no-such-file.geojson'\n1 error; no bundle written\n`);
});

test('an unknown profile names the known ones', async () => {
  const r = await compile('test/fixtures/bad-rules', '--profile', 'nope');
  expect(r.code).toBe(1);
  expect(r.stderr).toBe("error ER107: unknown profile 'nope'; known: full, tiny\n1 error; no bundle written\n");
});

test('missing inputs and missing -o are usage errors', async () => {
  expect((await compile('no/such/dir')).stderr).toBe('edgerule compile: no such file or folder: no/such/dir\n');
  const r = await runCli(['compile', 'rules']);
  expect(r.code).toBe(2);
  expect(r.err).toContain('usage: edgerule compile');
});
