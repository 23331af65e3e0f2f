/**
 * `npm run bench`: the rule-engine benchmark (bench/rules.bench.ts), then every other benchmark present in
 * bench/ (ed25519, trace readers, simulator), each section printed as a table with its wall time, then one
 * PASS/MISS line per target. Benchmarks report; tests assert: a MISS does not fail the run (exit 0), a
 * benchmark that throws does (exit 1), and a missing one is reported loudly.
 *
 *   npm run bench                      (ESPRUINO=/path/to/espruino adds Espruino to the engine sections;
 *                                       ESPRUINO_12K=/path/to/espruino-12k names the 12,000-variable build for memory,
 *                                       ESPRUINO_2600=/path/to/espruino-2600 the 2,600-variable one for the footprint)
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchRules, formatRows as formatRuleRows, targetSummary } from './rules.bench.ts';
import { describeEngines } from '../harness/engines/engines.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const BAR = '='.repeat(100);

interface Other {
  title: string;
  file: string;
  fn: string;
  args: unknown[];
}

const OTHERS: Other[] = [
  { title: 'ed25519 (sign / verify per engine)', file: 'ed25519.bench.ts', fn: 'benchEd25519', args: [] },
  { title: 'trace readers (NMEA / CSV throughput)', file: 'trace.bench.ts', fn: 'benchTrace', args: [{}] },
  { title: 'simulator (end to end)', file: 'simulator.bench.ts', fn: 'benchSimulator', args: [{}] },
  { title: 'streaming replay (peak RSS by length, throughput, batch scaling)', file: 'stream.bench.ts', fn: 'benchStream', args: [{}] },
  { title: 'QA corpus throughput (local threads, NATS JetStream farm)', file: 'qa.bench.ts', fn: 'benchQa', args: [{}] },
  { title: 'device link (flash throughput at 115200 baud through the relay)', file: 'link.bench.ts', fn: 'benchLink', args: [{}] },
  { title: 'device footprint (build-runtime files, Espruino variables, rule state, flash)', file: 'footprint.bench.ts', fn: 'benchFootprint', args: [] },
  { title: 'Espruino virtual device: flash, and restart to HELLO (needs ESPRUINO)', file: 'espruino-boot.bench.ts', fn: 'benchEspruinoBoot', args: [{}] },
  { title: 'hardware in the loop (injection-to-event latency at 115200 baud through the relay, highest sustained injection rate, per engine)', file: 'hil.bench.ts', fn: 'benchHil', args: [{}] },
  { title: 'CLI start-up and the compile\'s type check (real processes, CPU of the whole process)', file: 'cli.bench.ts', fn: 'benchCli', args: [{}] },
];

function heading(title: string): void {
  console.log(`\n${BAR}\n${title}\n${BAR}`);
}

/** Rows from another benchmark as a plain table, when it has no formatter of its own. */
function genericTable(rows: Array<Record<string, unknown>>): string {
  if (!rows.length) return '(no rows)';
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v === undefined ? '' : String(v));
  const body = rows.map((r) => keys.map((k) => cell(r[k])));
  const w = keys.map((k, i) => Math.max(k.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
  return [line(keys), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

const t0 = Date.now();
const summary: string[] = [];
const timings: string[] = [];
let failed = false;

console.log(describeEngines());

heading('Rule engine vs hand-written rules (bench/rules.bench.ts)');
{
  const s0 = Date.now();
  try {
    const rows = await benchRules();
    console.log('\n' + formatRuleRows(rows));
    summary.push(...targetSummary(rows));
    if (rows.some((r) => r.metric === 'FAILED')) failed = true;
  } catch (e) {
    failed = true;
    console.log(`!!! FAILED: bench/rules.bench.ts threw: ${(e as Error).stack ?? e}`);
    summary.push('FAIL  rules bench threw (see above)');
  }
  timings.push(`rules: ${((Date.now() - s0) / 1000).toFixed(1)} s`);
}

for (const o of OTHERS) {
  heading(o.title + ` (bench/${o.file})`);
  const path = join(HERE, o.file);
  if (!existsSync(path)) {
    console.log(`!!! NOT PRESENT: bench/${o.file} does not exist; section skipped`);
    summary.push(`SKIP  ${o.file}: not present`);
    continue;
  }
  const s0 = Date.now();
  try {
    const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    const fn = mod[o.fn];
    if (typeof fn !== 'function') {
      console.log(`!!! NOT PRESENT: bench/${o.file} exports no function ${o.fn}() (exports: ${Object.keys(mod).join(', ')}); section skipped`);
      summary.push(`SKIP  ${o.file}: no ${o.fn}()`);
      continue;
    }
    const rows = (await (fn as (...a: unknown[]) => Promise<unknown[]>)(...o.args)) as Array<Record<string, unknown>>;
    const format = mod.formatRows;
    console.log(typeof format === 'function' ? (format as (r: unknown[]) => string)(rows) : genericTable(rows));
    // A benchmark may mark figures with a target and pass/fail of its own.
    for (const r of rows) {
      if (typeof r.pass === 'boolean' && r.target !== undefined) summary.push(`${r.pass ? 'PASS' : 'MISS'}  ${o.file}: ${JSON.stringify(r)}`);
    }
  } catch (e) {
    failed = true;
    console.log(`!!! FAILED: bench/${o.file} ${o.fn}() threw: ${(e as Error).stack ?? e}`);
    summary.push(`FAIL  ${o.file}: threw (see above)`);
  }
  timings.push(`${o.file.replace('.bench.ts', '')}: ${((Date.now() - s0) / 1000).toFixed(1)} s`);
}

heading('Summary of targets');
for (const l of summary) console.log(l);
console.log(`\nwall time: ${timings.join(', ')}; total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log('(benchmarks report, tests assert: a MISS does not fail npm run bench)');
process.exitCode = failed ? 1 : 0;
