/**
 * Diagnostics of `edgerule compile`: exact text (file:line:col, stable code, what to change) and exit codes, so
 * editors and CI annotate the right line. Runs the command in process (harness/cli.ts); test/cli-smoke.test.ts
 * runs the executable itself.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

test('an unknown profile names the known ones and where they were looked for', async () => {
  const r = await compile('test/fixtures/bad-rules', '--profile', 'nope');
  expect(r.code).toBe(1);
  expect(r.stderr).toBe("error ER107: unknown profile 'nope'; known: full, tiny, container-tracker, truck-telematics, reefer-container " +
    '(from the rule files and rules/profiles.ts); to use another, add the file that exports it to the rule files, or name it profiles.ts beside or above them\n' +
    '1 error; no bundle written\n');
});

test('--profile finds the project\'s profiles without naming rules/profiles.ts', async () => {
  const r = await runCli(['compile', 'rules/door-open-at-rest.ts', '--profile', 'container-tracker', '-o', out]);
  expect([r.code, r.err]).toEqual([0, '']);
  expect(r.out).toMatch(/wrote .*x\.erb \(\d+ bytes, 1 rules, profile container-tracker\)/);
});

test('a unit mistake is a type error: no bundle, exit 1, the TypeScript diagnostic at the line', async () => {
  rmSync(out, { force: true });
  const r = await compile('test/fixtures/type-errors/wrong-units');
  expect(r.code).toBe(1);
  expect(r.stderr).toBe([
    "test/fixtures/type-errors/wrong-units/stopped-too-long.ts:7:33: error TS2345: Argument of type 'Num<\"ms\">' is not assignable to parameter of type 'Num<\"m/s\">'.",
    "  Type '\"ms\"' is not assignable to type '\"m/s\"'.",
    '1 error; no bundle written',
    '',
  ].join('\n'));
  expect(existsSync(out)).toBe(false);
});

test('--no-typecheck skips the type check: the unit mistake compiles', async () => {
  const r = await compile('test/fixtures/type-errors/wrong-units', '--no-typecheck', '-q');
  expect([r.code, r.stderr, r.stdout]).toEqual([0, '', '']);
  expect(existsSync(out)).toBe(true);
  rmSync(out);
});

test('a rule without a severity is an error, from the type checker and (without it) from the compiler', async () => {
  const typed = await compile('test/fixtures/type-errors/no-severity');
  expect(typed.code).toBe(1);
  expect(typed.stderr.split('\n').slice(0, 2)).toEqual([
    "test/fixtures/type-errors/no-severity/door.ts:4:21: error TS2345: Argument of type '{ name: string; description: string; when: Bool; }' is not assignable to parameter of type 'RuleSpec'.",
    "  Property 'severity' is missing in type '{ name: string; description: string; when: Bool; }' but required in type 'RuleSpec'.",
  ]);
  const untyped = await compile('test/fixtures/type-errors/no-severity', '--no-typecheck');
  expect([untyped.code, untyped.stderr]).toEqual([1,
    "test/fixtures/type-errors/no-severity/door.ts:4:16: error ER109: rule 'door-opened' has no severity; every rule states one: severity: 'info' | 'warning' | 'critical'\n1 error; no bundle written\n"]);
});

test('--json prints the diagnostics as JSON on stdout, with the same exit code', async () => {
  const r = await compile('test/fixtures/type-errors/wrong-units', '--json');
  expect(r.code).toBe(1);
  const doc = JSON.parse(r.stdout);
  expect(doc.ok).toBe(false);
  expect(doc.diagnostics).toEqual([{
    severity: 'error', code: 'TS2345', file: 'test/fixtures/type-errors/wrong-units/stopped-too-long.ts', line: 7, col: 33,
    message: "Argument of type 'Num<\"ms\">' is not assignable to parameter of type 'Num<\"m/s\">'.\n  Type '\"ms\"' is not assignable to type '\"m/s\"'.",
  }]);
});

test('usage errors name the missing option and exit 2; a missing input exits 3', async () => {
  const usage = 'usage: edgerule compile <rule files or folders…> -o <bundle> [--profile <name>] [--set <param>=<value>…] [--ids <file.js>] [--no-typecheck] [--quiet] [--json]\n(edgerule compile --help for all options)\n';
  const noOut = await runCli(['compile', 'rules']);
  expect([noOut.code, noOut.err]).toEqual([2, `edgerule compile: missing -o <bundle>: the file to write the bundle to, e.g. -o out/library.erb\n${usage}`]);
  const noValue = await runCli(['compile', 'rules', '-o']);
  expect([noValue.code, noValue.err]).toEqual([2, `edgerule compile: Option '-o, --out <value>' argument missing\n${usage}`]);
  const unknown = await runCli(['compile', 'rules', '--optimise', '-o', out]);
  expect([unknown.code, unknown.err]).toEqual([2, `edgerule compile: Unknown option '--optimise'\n${usage}`]);
  const missing = await compile('no/such/dir');
  expect([missing.code, missing.stderr]).toEqual([3, 'edgerule compile: no such file or folder: no/such/dir\n']);
});
