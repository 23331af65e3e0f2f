/** `edgerule tune`: sweep rule parameters over a corpus and report the false-alarm / latency trade-off. */
import { parseArgs } from 'node:util';
import { join, relative } from 'node:path';
import type { Command } from '../cli/command.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { loadRules } from '../compiler/load.ts';
import { compileRules, selectProfile } from '../compiler/compile.ts';
import { CompileError } from '../compiler/diagnostics.ts';
import { loadCorpus } from './corpus.ts';
import { Collector, makePlan } from './plan.ts';
import { checkCorpusRules, figuresOf, reportJson } from './run.ts';
import { executorFor, jobsOption, natsOptions, progressPrinter, UsageError, withErrors, writeFile } from './cli.ts';
import { grid, markPareto, parseAxis, pointBundles, pointKey, tunePoint, type TuneReport } from './tune.ts';
import { tuneHtml } from './report/tune-html.ts';
import { table, num, dur } from './report/text.ts';

export function tuneText(t: TuneReport): string {
  const head = [...t.axes.map((a) => `${a.name} (${a.unit})`), 'false alarms', '/1000 h', '/10^4 km', 'detected', 'p50', 'p95', 'max', 'Pareto'];
  const rows = t.points.map((p) => [
    ...t.axes.map((a) => String(p.params[a.name])), String(p.alerts), num(p.per1000h), num(p.per10000km),
    p.expected ? `${p.detected}/${p.expected}` : '–', dur(p.p50), dur(p.p95), dur(p.max), p.pareto ? '*' : '',
  ]);
  return [`tuning ${t.rule} on corpus ${t.corpus.name} (${t.corpus.drives} drives), ${t.points.length} points`, '',
    table(head, rows, new Set(Array.from({ length: head.length - 1 }, (_, i) => i))), '',
    '  *: on the Pareto front (no other point has fewer false alarms, a higher detection rate and a lower p95 latency at once)',
    ...(t.errors.length ? ['', `could not replay ${t.errors.length} (point, drive) pairs:`, ...t.errors.slice(0, 20).map((e) => `  [${e.point}] ${e.message}`)] : []),
  ].join('\n');
}

export const tuneCommand: Command = {
  summary: 'sweep rule parameters over a corpus: false alarms vs detection latency per point, and the Pareto front',
  usage: `usage: edgerule tune --bundle <rules> --rule <name> --param <p>=<from>..<to>/<step>… --corpus <path> [options]

Compiles the rules once per grid point (param() values, typed by unit), replays the corpus per point and
reports the rule's false alarms (per 1,000 h and 10,000 km of normal driving), detection rate and latency,
marking the Pareto front. Each point's bundle is exactly what \`edgerule compile --set\` gives.
  --bundle <path>     rules folder or .ts file (rule sources: parameters are compiled in)
  --profile <name>    device profile (default: full)
  --rule <name>       the rule whose figures are compared
  --param <spec>      <name>=<from>..<to>/<step> (e.g. dwell=15min..90min/15min) or <name>=<v1>,<v2>,…; repeat for a grid
  --corpus <path>     corpus manifest or folder (docs/QA.md)
  --out <dir>         write tune.json and tune.html (the trade-off plot)
  --json              print tune.json on stdout
  --jobs <n>          worker threads (default: CPU count)
  --nats <url>        run the (point, drive) jobs on a NATS JetStream farm of \`edgerule worker\` processes
  --ack-wait, --max-deliver, --upload   as for edgerule qa
  --quiet             no progress on stderr`,
  async run(argv, io) {
    return withErrors(io, 'tune', this.usage, async () => {
      const { values } = parseArgs({
        args: argv, allowPositionals: false,
        options: {
          bundle: { type: 'string' }, profile: { type: 'string' }, rule: { type: 'string' }, param: { type: 'string', multiple: true }, corpus: { type: 'string' },
          out: { type: 'string' }, json: { type: 'boolean' }, jobs: { type: 'string' }, nats: { type: 'string' }, 'ack-wait': { type: 'string' },
          'max-deliver': { type: 'string' }, upload: { type: 'boolean' }, quiet: { type: 'boolean' },
        },
      });
      if (!values.bundle || !values.rule || !values.param?.length || !values.corpus) throw new UsageError('give --bundle, --rule, --param and --corpus');
      const natsOpts = natsOptions(values);
      const loaded = await loadRules([values.bundle]);
      if (loaded.diagnostics.length) throw new CompileError(loaded.diagnostics);
      if (!loaded.rules.length) throw new UsageError(`--bundle ${values.bundle}: no rule sources found (tune compiles rules per point: give the rules folder, not a compiled bundle)`);
      const profile = selectProfile(loaded.profiles, values.profile);
      if ('code' in profile) throw new CompileError([profile]);
      const defaults = compileRules(loaded.rules, profile);
      if (!defaults.map.rules.some((r) => r.name === values.rule)) throw new UsageError(`--rule ${values.rule}: no such rule (rules: ${defaults.map.rules.map((r) => r.name).join(', ')})`);
      const axes = values.param.map((p) => {
        try { return parseAxis(p, loaded.rules); } catch (e) { throw new UsageError((e as Error).message); }
      });
      for (const a of axes) {
        const users = defaults.map.params?.find((p) => p.name === a.name)?.rules ?? [];
        if (!users.includes(values.rule)) throw new UsageError(`--param ${a.name}: rule '${values.rule}' does not use it (used by ${users.join(', ')})`);
      }
      const points = grid(axes);
      if (points.length > 10_000) throw new UsageError(`${points.length} grid points: at most 10,000`);
      const bundles = pointBundles(loaded.rules, profile, values.bundle, points);
      const corpus = await loadCorpus(values.corpus);
      checkCorpusRules(corpus, bundles[0]);
      const plan = makePlan(corpus, bundles.map((bundle, i) => ({ bundle, point: pointKey(points[i]) })), false);
      const progress = progressPrinter(io, 'tune', !!values.quiet);
      const collector = new Collector(plan, (p) => progress.update(p));
      const started = performance.now();
      await (await executorFor(values.nats, jobsOption(values.jobs), { ...natsOpts, quiet: !!values.quiet }))(plan, collector);
      progress.done();
      const wall = performance.now() - started;
      const report: TuneReport = { corpus: { name: corpus.name, source: relative(process.cwd(), corpus.source) || '.', drives: corpus.drives.length }, rule: values.rule, axes, points: [], errors: [] };
      points.forEach((p, i) => {
        const f = figuresOf(plan, collector, i, false);
        report.points.push(tunePoint(p, f, values.rule!));
        for (const e of f.errors) report.errors.push({ point: pointKey(p), drive: e.drive, message: e.message });
      });
      markPareto(report.points);
      const json = reportJson(report);
      if (values.out) {
        writeFile(join(values.out, 'tune.json'), json);
        writeFile(join(values.out, 'tune.html'), tuneHtml(report));
      }
      if (values.json) io.write(json);
      else {
        io.log(tuneText(report));
        if (values.out) io.log(`\nwrote ${join(values.out, 'tune.json')}, ${join(values.out, 'tune.html')}`);
      }
      if (!values.quiet) io.error(`${plan.jobs.length} jobs (${points.length} points × ${corpus.drives.length} drives) in ${(wall / 1000).toFixed(1)} s`);
      return report.errors.length ? EXIT.CANNOT_CHECK : EXIT.OK;
    });
  },
};
