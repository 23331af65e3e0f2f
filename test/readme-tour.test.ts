/**
 * The README's five-minute tour still works verbatim: every `$ node bin/edgerule.mjs …` command it shows, the replay
 * command of step 4 and the commands of its CI job run (in process, through main(argv)), with the exit code their
 * output implies (an error shown: 1, else 0), and every output line the README shows (but "…" and timings) appears
 * in the command's output, in order.
 *
 * The tour's commands run in the project root, writing out/ as `npm start` does. The CI job's commands run in a mirror
 * of the project (a folder of symlinks) that also holds what a CI repository would: qa/recordings with one drive
 * (the example trip's GPS and accelerometer files) and qa/no-false-alarms.json as docs/SIMULATOR.md suggests.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../harness/cli.ts';
import { PROJECT_ROOT } from '../harness/shared-data.ts';

const README = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const TOUR = README.slice(README.indexOf('## A five-minute tour'), README.indexOf('## Exit codes'));

interface Shown { command: string; output: string[] }

/** The tour's fenced blocks: their info string (ts, sh, yaml or '') and text. */
function blocks(): Array<{ lang: string; text: string }> {
  const out: Array<{ lang: string; text: string }> = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of TOUR.split('\n')) {
    const fence = /^```(\w*)$/.exec(line.trim());
    if (fence && !open) open = { lang: fence[1], lines: [] };
    else if (fence && open) { out.push({ lang: open.lang, text: open.lines.join('\n') }); open = undefined; }
    else open?.lines.push(line);
  }
  return out;
}

/** `$ node bin/edgerule.mjs …` lines of the tour's output blocks, with the lines shown after each. */
function shownCommands(): Shown[] {
  return blocks().filter((b) => b.lang === '' && b.text.startsWith('$ node bin/edgerule.mjs ')).map((b) => {
    const lines = b.text.split('\n').filter((l) => l !== '');
    return { command: lines[0].slice(2), output: lines.slice(1) };
  });
}

/** The commands of sh blocks (backslash continuations joined). */
function shellCommands(): string[] {
  return blocks().filter((b) => b.lang === 'sh').flatMap((b) => b.text.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.startsWith('node bin/edgerule.mjs ')));
}

/** The CI job's `run: >` commands (folded lines joined), for the first shard. */
function ciCommands(): string[] {
  const yaml = blocks().find((b) => b.lang === 'yaml')!.text + '\n';
  return [...yaml.matchAll(/run: >\n((?:\s{10}.*\n)+)/g)].map((m) => m[1].split('\n').map((l) => l.trim()).filter(Boolean).join(' ').replaceAll('${{ matrix.shard }}', '1'));
}

/** Splits a command line the way a shell would for these commands (no quotes in them). */
function argv(command: string): string[] {
  const words = command.trim().split(/\s+/);
  expect(words.slice(0, 2)).toEqual(['node', 'bin/edgerule.mjs']);
  return words.slice(2);
}

/** The lines the README shows, compared without timings: each must appear in order in the output. */
function expectShown(shown: string[], actual: string): void {
  const timing = (l: string) => l.replace(/\bin \d+ ms\b/g, 'in # ms');
  const lines = actual.split('\n').map(timing);
  let at = 0;
  for (const line of shown.filter((l) => !l.includes('…'))) {
    const found = lines.indexOf(timing(line), at);
    expect(found, `README line not in the output (in order): ${line}\n--- output ---\n${actual}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

/** A folder that looks like the project (symlinks to its entries) plus what a CI repository adds. */
function ciMirror(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-readme-ci-'));
  for (const name of readdirSync(PROJECT_ROOT)) if (!['out', 'qa', 'reports', '.git'].includes(name)) symlinkSync(join(PROJECT_ROOT, name), join(dir, name));
  mkdirSync(join(dir, 'qa/recordings/quat-orient-2020-10-15-21'), { recursive: true });
  for (const f of ['gps.2020-10-15-21.csv', 'accel.2020-10-15-21.csv']) symlinkSync(join(PROJECT_ROOT, 'examples/quat-orient', f), join(dir, 'qa/recordings/quat-orient-2020-10-15-21', f));
  // A plain drive out of the depot without a BLE seal raises depot-exit-without-seal, rightly: the gate forbids the rest.
  writeFileSync(join(dir, 'qa/no-false-alarms.json'), JSON.stringify({ name: 'plain drives', forbid: [{ rule: 'towing' }, { rule: 'door-opened-away-from-stops' }, { rule: 'shock-or-tamper' }] }));
  return dir;
}

describe('README tour, verbatim', () => {
  test('it shows the commands this test runs', () => {
    expect(shownCommands().map((c) => c.command.split(' ')[2])).toEqual(['compile', 'compile', 'compile', 'inspect']);
    expect(shellCommands()).toHaveLength(1);
    expect(ciCommands()).toHaveLength(2);
  });

  test('the compile and inspect commands print what the README shows, with the exit codes it implies', async () => {
    for (const { command, output } of shownCommands()) {
      const r = await runCli(argv(command));
      const failed = output.some((l) => /: error (TS|ER)\d+:/.test(l));
      expect(r.code, `${command}\n${r.err}`).toBe(failed ? 1 : 0);
      expectShown(output, r.out + r.err);
    }
  }, 600_000);

  test('the replay of step 4 runs', async () => {
    for (const command of shellCommands()) {
      const r = await runCli(argv(command));
      expect(r.code, `${command}\n${r.err}`).toBe(0);
      expect(r.out).toContain('replayed gps.2020-10-15-21.csv + accel.2020-10-15-21.csv with scenario');
    }
  }, 600_000);

  test('the CI job\'s commands pass in a repository with qa/recordings', async () => {
    const dir = ciMirror();
    for (const command of ciCommands()) {
      const r = await runCli(argv(command), dir);
      expect(r.code, `${command}\n${r.out}\n${r.err}`).toBe(0);
    }
    expect(readFileSync(join(dir, 'reports/door-theft.xml'), 'utf8')).toContain('failures="0"');
    expect(readFileSync(join(dir, 'reports/shard-1.xml'), 'utf8')).toContain('failures="0"');
  }, 600_000);
});
