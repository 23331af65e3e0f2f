/** `edgerule qa`, `edgerule tune` and `edgerule worker`. */
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tint, type Command, type Io } from '../cli/command.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { loadBundle, type LoadedBundle } from '../simulator/inputs.ts';
import { ScenarioError } from '../simulator/scenario.ts';
import { CompileError, formatDiagnostic } from '../compiler/diagnostics.ts';
import { junitXml, expectationText, type ExpectationReport } from '../simulator/expect.ts';
import { loadCorpus } from './corpus.ts';
import { runQa, reportJson, type Executor } from './run.ts';
import { runLocal } from './local.ts';
import { checkGates, loadGates } from './gates.ts';
import { qaText } from './report/text.ts';
import { qaHtml } from './report/html.ts';
import type { Progress } from './plan.ts';

export class UsageError extends Error {}

/**
 * A command body with the CLI's conventions (cli/exit-codes.ts): a usage error exits USAGE with the usage text, a bad
 * input file (errors by file and JSON path) or a compile error exits CANNOT_CHECK with its message; anything else is
 * a bug and propagates.
 */
export async function withErrors(io: Io, name: string, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.error(`edgerule ${name}: ${(e as Error).message}\n\n${usage}`);
      return EXIT.USAGE;
    }
    if (e instanceof ScenarioError) {
      io.error(tint(io, 'stderr', 'red', e.message));
      return EXIT.CANNOT_CHECK;
    }
    if (e instanceof CompileError) {
      for (const d of e.diagnostics) io.error(tint(io, 'stderr', d.severity === 'error' ? 'red' : 'yellow', formatDiagnostic(d)));
      return EXIT.CANNOT_CHECK;
    }
    throw e;
  }
}


/** Progress on stderr: a redrawn line on a terminal, else a line every 10 % (so CI logs show it too). */
export function progressPrinter(io: Io, label: string, quiet: boolean): { update(p: Progress): void; done(): void } {
  const tty = io.stderrIsTTY;
  let lastTenth = -1;
  const started = performance.now();
  return {
    update(p) {
      if (quiet) return;
      const s = (performance.now() - started) / 1000;
      const line = `${label}: ${p.done}/${p.total} jobs${p.errors ? `, ${p.errors} errors` : ''}${p.duplicates ? `, ${p.duplicates} duplicate results ignored` : ''}, ${(p.done / Math.max(s, 1e-3)).toFixed(1)} jobs/s`;
      if (tty) io.writeErr(`\r${line}`.padEnd(100));
      else if (Math.floor(p.done / p.total * 10) !== lastTenth) { lastTenth = Math.floor(p.done / p.total * 10); io.error(line); }
    },
    done() { if (tty && !quiet) io.writeErr('\n'); },
  };
}

/** --set name=value… → parameter values (text with units, parsed against each parameter's unit by the compiler). */
export function parseSets(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${kv}: expected <param>=<value>, e.g. dwell=30min`);
    out[kv.slice(0, eq).trim()] = kv.slice(eq + 1);
  }
  return out;
}

/** A bundle file, or rule sources compiled here (with parameter values). */
export async function bundleWith(path: string, profile: string | undefined, params: Record<string, string>): Promise<LoadedBundle> {
  if (!Object.keys(params).length) return loadBundle(path, { profile });
  const { compileFiles } = await import('../compiler/compile.ts');
  const { bundleFrom } = await import('../simulator/inputs.ts');
  const c = await compileFiles([path], { profile, params });
  return bundleFrom(path, c.bytes, c.map, c.emitted.geometries.map((g) => g.name));
}

/** Local worker threads, or a NATS JetStream farm. */
export async function executorFor(nats: string | undefined, jobs: number | undefined, o: { ackWaitMs?: number; maxDeliver?: number; upload?: boolean; quiet?: boolean }): Promise<Executor> {
  if (!nats) return (plan, collector) => runLocal(plan, collector, jobs);
  const { submitToNats } = await import('./nats/submit.ts');
  return (plan, collector) => submitToNats(nats, plan, collector, o);
}

export function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export const qaCommand: Command = {
  summary: 'corpus figures: false alarms per 1,000 h and 10,000 km, detection latency, rule coverage, baseline diff',
  usage: `usage: edgerule qa --bundle <bundle|rules> --corpus <manifest|folder> [options]

Replays every drive of the corpus through the device runtime and reports, per rule and overall, false alarms
on normal drives, detection rate and latency on incident drives, and which sub-conditions of each rule the
corpus saw true and false (docs/QA.md). Exit code 1 when a drive cannot be replayed or a gate fails.
  --bundle <file>     compiled bundle (with <bundle>.map.json), or a rules folder / .ts file to compile
  --profile <name>    profile to compile rule sources for (default: full)
  --set <p>=<value>   rule parameter value when compiling rule sources (repeat), e.g. dwell=30min
  --corpus <path>     corpus manifest (.json), a folder with corpus.json, or a folder of recordings
  --baseline <file>   another library (bundle or rules): events that appeared/disappeared, drive by drive
  --by <tag>          also break the overall figures down by a drive tag (e.g. vehicle, lane)
  --out <dir>         write qa.json, qa.html (offline page with plots) and, with --gates, junit.xml
  --gates <file>      limits on the figures (e.g. maxFalseAlarmsPer1000h); exit code 1 when one fails
  --junit <file>      JUnit XML of the gates (default with --out: <dir>/junit.xml)
  --json              print qa.json on stdout instead of the tables
  --no-coverage       skip sub-condition coverage (replays run faster)
  --jobs <n>          worker threads on this machine (default: CPU count)
  --nats <url>        run the jobs on a NATS JetStream work queue served by \`edgerule worker\` processes
  --ack-wait <time>   with --nats: redeliver a job whose worker went silent for this long (default 30s)
  --max-deliver <n>   with --nats: deliveries of a job before it is dead-lettered (default 3)
  --upload            with --nats: put traces in the JetStream object store (workers need no shared files)
  --quiet             no progress on stderr`,
  async run(argv, io) {
    return withErrors(io, 'qa', this.usage, async () => {
      const { values } = parseArgs({
        args: argv, allowPositionals: false,
        options: {
          bundle: { type: 'string' }, profile: { type: 'string' }, set: { type: 'string', multiple: true }, corpus: { type: 'string' }, baseline: { type: 'string' }, by: { type: 'string' },
          out: { type: 'string' }, gates: { type: 'string' }, junit: { type: 'string' }, json: { type: 'boolean' }, 'no-coverage': { type: 'boolean' },
          jobs: { type: 'string' }, nats: { type: 'string' }, 'ack-wait': { type: 'string' }, 'max-deliver': { type: 'string' }, upload: { type: 'boolean' }, quiet: { type: 'boolean' },
        },
      });
      if (!values.bundle || !values.corpus) throw new UsageError('give --bundle and --corpus');
      const natsOpts = natsOptions(values);
      const bundle = await bundleWith(values.bundle, values.profile, parseSets(values.set));
      const baseline = values.baseline ? await loadBundle(values.baseline, { profile: values.profile }) : undefined;
      const corpus = await loadCorpus(values.corpus);
      const gates = values.gates ? loadGates(values.gates, bundle.rules.map((r) => r.name)) : undefined;
      const progress = progressPrinter(io, 'qa', !!values.quiet);
      const started = performance.now();
      const { report, collector } = await runQa({
        corpus, bundle, baseline, coverage: !values['no-coverage'], groupBy: values.by,
        execute: await executorFor(values.nats, jobsOption(values.jobs), { ...natsOpts, quiet: !!values.quiet }),
        onProgress: (p) => progress.update(p),
      });
      progress.done();
      const wall = performance.now() - started;
      const gateReport: ExpectationReport | undefined = gates ? checkGates(gates, report.library, values.gates) : undefined;
      const json = reportJson(gateReport ? { ...report, gates: gateReport } : report);
      if (values.out) {
        writeFile(join(values.out, 'qa.json'), json);
        writeFile(join(values.out, 'qa.html'), qaHtml(report, gateReport));
      }
      const junit = values.junit ?? (values.out && gateReport ? join(values.out, 'junit.xml') : undefined);
      if (junit && gateReport) writeFile(junit, junitXml([gateReport], 'edgerule qa', 'edgerule.qa'));
      if (values.json) io.write(json);
      else {
        io.log(qaText(report, io.stdoutIsTTY));
        if (gateReport) io.log('\n' + expectationText(gateReport, (c, s) => tint(io, 'stdout', c, s)));
        if (values.out) io.log(`\nwrote ${join(values.out, 'qa.json')}, ${join(values.out, 'qa.html')}${junit && gateReport ? `, ${junit}` : ''}`);
      }
      if (!values.quiet) {
        const p = collector.progress;
        io.error(`${p.total} jobs in ${(wall / 1000).toFixed(1)} s: ${(p.total / (wall / 1000)).toFixed(2)} drives/s, ${(p.samples / (wall / 1000) / 1e6).toFixed(2)} M samples/s${p.duplicates ? `; ${p.duplicates} duplicate results ignored` : ''}`);
      }
      // A drive that could not be replayed leaves the figures incomplete: that outranks a failed gate.
      return report.library.errors.length ? EXIT.CANNOT_CHECK : gateReport && !gateReport.ok ? EXIT.CHECK_FAILED : EXIT.OK;
    });
  },
};

export function jobsOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs ${text}: expected a whole number ≥ 1`);
  return n;
}

export function natsOptions(v: { nats?: string; 'ack-wait'?: string; 'max-deliver'?: string; upload?: boolean }): { ackWaitMs?: number; maxDeliver?: number; upload?: boolean } {
  if (!v.nats && (v['ack-wait'] || v['max-deliver'] || v.upload)) throw new UsageError('--ack-wait, --max-deliver and --upload need --nats');
  let ackWaitMs: number | undefined;
  if (v['ack-wait'] !== undefined) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v['ack-wait']);
    ackWaitMs = m ? Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's'] ?? 1000) : NaN;
    if (!(ackWaitMs! >= 1000)) throw new UsageError(`--ack-wait ${v['ack-wait']}: expected a duration of at least 1s, e.g. 30s`);
  }
  let maxDeliver: number | undefined;
  if (v['max-deliver'] !== undefined) {
    maxDeliver = Number(v['max-deliver']);
    if (!Number.isInteger(maxDeliver) || maxDeliver < 1) throw new UsageError(`--max-deliver ${v['max-deliver']}: expected a whole number ≥ 1`);
  }
  return { ackWaitMs, maxDeliver, upload: v.upload };
}
