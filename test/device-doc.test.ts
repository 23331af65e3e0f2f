/**
 * docs/DEVICE.md's examples, run as a user would run them: the Node ESM loader from a folder holding dist/ and out/,
 * the ES5 host program on every engine (its output must be the one the doc shows), and a host without output(),
 * refused with fault 23 at the byte `edgerule inspect --at` explains as the doc says.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../harness/cli.ts';
import { PROJECT_ROOT } from '../harness/shared-data.ts';
import { enginesToCompare, runScript } from '../harness/engines/engines.ts';
import { loadRuntimeArtifact, runtimeArtifactSource } from '../simulator/artifact.ts';

const DOC = readFileSync(join(PROJECT_ROOT, 'docs/DEVICE.md'), 'utf8');

/** The fenced block after `<!-- tested: <name> … -->`. */
function block(name: string): string {
  const at = DOC.indexOf(`<!-- tested: ${name}`);
  if (at < 0) throw new Error(`docs/DEVICE.md has no block marked tested: ${name}`);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(DOC.slice(at));
  if (!m) throw new Error(`docs/DEVICE.md: no code block after tested: ${name}`);
  return m[1];
}

const work = mkdtempSync(join(tmpdir(), 'edgerule-device-doc-'));
let bundle: Uint8Array;

beforeAll(async () => {
  mkdirSync(join(work, 'out'));
  const r = await runCli(['compile', 'rules', '-o', join(work, 'out/library.erb'), '--ids', join(work, 'out/ids.js'), '--no-typecheck', '-q']);
  expect([r.code, r.err]).toEqual([0, '']);
  symlinkSync(join(PROJECT_ROOT, 'dist'), join(work, 'dist'));
  bundle = new Uint8Array(readFileSync(join(work, 'out/library.erb')));
});

describe('docs/DEVICE.md', () => {
  test('the Node ESM example loads the runtime as a script and the bundle', () => {
    writeFileSync(join(work, 'run-rules.mjs'), block('node-esm'));
    const r = spawnSync(process.execPath, ['run-rules.mjs'], { cwd: work, encoding: 'utf8' });
    expect([r.status, r.stderr, r.stdout]).toEqual([0, '', 'loaded 17 rules\n']);
  });

  test(`the ES5 host program prints what the doc shows, on ${enginesToCompare().join(', ')}`, async () => {
    const program = [
      runtimeArtifactSource(), readFileSync(join(work, 'out/ids.js'), 'utf8'),
      `var bundle = new Uint8Array([${Array.from(bundle).join(',')}]);`, block('es5-host'),
    ].join('\n');
    const expected = block('es5-host-output');
    for (const engine of enginesToCompare()) {
      const r = await runScript(engine, program);
      expect(r.stdout, engine).toBe(expected);
    }
  }, 300_000);

  test('a host without output() is refused with fault 23 HOST at the OUT that needs it, and inspect --at names it', async () => {
    const rt = loadRuntimeArtifact().load(bundle, { emit() {}, interval() {} } as never);
    expect([rt.fault, rt.faultAt]).toEqual([23, 1010]);
    const [command, shown] = block('host-without-output').trim().split('\n');
    expect(command).toBe('$ edgerule inspect out/library.erb --at 1010');
    const r = await runCli(['inspect', join(work, 'out/library.erb'), '--at', '1010']);
    expect([r.code, r.out]).toEqual([0, shown + '\n']);
    const noEmit = loadRuntimeArtifact().load(bundle, { output() {}, interval() {} } as never);
    expect(noEmit.fault).toBe(23);
    const complete = loadRuntimeArtifact().load(bundle, { emit() {}, output() {}, interval() {} });
    expect(complete.fault).toBe(0);
  });

  test(`the refusal is the same on ${enginesToCompare().join(', ')}: runtime code, proven where it runs`, async () => {
    const program = [
      runtimeArtifactSource(), `var bundle = new Uint8Array([${Array.from(bundle).join(',')}]);`,
      'function nop() {}',
      'var hosts = [{ emit: nop, interval: nop }, { emit: nop, output: nop }, { output: nop, interval: nop }, { emit: nop, output: nop, interval: nop }];',
      'for (var i = 0; i < hosts.length; i++) { var rt = EdgeRule.load(bundle, hosts[i]); print(rt.fault + " " + rt.faultAt); }',
    ].join('\n');
    for (const engine of enginesToCompare()) {
      expect((await runScript(engine, program)).stdout, engine).toBe('23 1010\n23 952\n23 948\n0 0\n');
    }
  }, 300_000);
});
