/**
 * `edgerule qa` without the command line: corpus + bundle (+ baseline) → plan → executor → figures.
 * The report is a pure function of the corpus, the bundles and the results: the same bytes on one machine or
 * on a farm, whatever order results arrived in.
 */
import { relative } from 'node:path';
import type { LoadedBundle } from '../simulator/inputs.ts';
import { unknownRules, type Corpus } from './corpus.ts';
import { probedOffsets, ruleConditions } from './conditions.ts';
import { baselineDiff, groupFigures, libraryFigures, type DiffEntry, type GroupRow, type LibraryFigures } from './figures.ts';
import { Collector, makePlan, type Plan, type Progress } from './plan.ts';
import type { JobResult } from './job.ts';

export interface QaReport {
  corpus: { name: string; source: string; drives: number; maxGapMs: number; detectWithinMs: number };
  library: LibraryFigures;
  /** With --by <tag>: the overall figures per value of that tag. */
  groups?: { tag: string; rows: GroupRow[] };
  baseline?: { library: LibraryFigures; diff: DiffEntry[]; appeared: number; disappeared: number };
}

/** Runs a plan's jobs somewhere, adding each result to the collector as it arrives. */
export type Executor = (plan: Plan, collector: Collector) => Promise<void>;

export interface QaOptions {
  corpus: Corpus;
  bundle: LoadedBundle;
  baseline?: LoadedBundle;
  coverage: boolean;
  /** Tag to break the overall figures down by (e.g. vehicle). */
  groupBy?: string;
  execute: Executor;
  onProgress?(p: Progress, r: JobResult): void;
}

export function checkCorpusRules(corpus: Corpus, bundle: LoadedBundle): void {
  const bad = unknownRules(corpus, bundle.rules.map((r) => r.name));
  if (bad.length && bundle.rules.length) throw new Error(bad.join('\n'));
}

export function figuresOf(plan: Plan, collector: Collector, l: number, coverage: boolean): LibraryFigures {
  const bundle = plan.libraries[l].bundle;
  return libraryFigures({
    corpus: plan.corpus, bundle: { source: bundle.source, sha256: bundle.sha256 }, rules: bundle.rules,
    results: collector.of(plan, l), conditions: coverage ? ruleConditions(bundle, probedOffsets(bundle.bytes)) : undefined,
  });
}

export async function runQa(o: QaOptions): Promise<{ report: QaReport; plan: Plan; collector: Collector }> {
  checkCorpusRules(o.corpus, o.bundle);
  const libraries = [{ bundle: o.bundle, point: '' }, ...(o.baseline ? [{ bundle: o.baseline, point: '' }] : [])];
  const plan = makePlan(o.corpus, libraries, o.coverage);
  const collector = new Collector(plan, o.onProgress);
  await o.execute(plan, collector);
  const library = figuresOf(plan, collector, 0, o.coverage);
  const report: QaReport = {
    corpus: { name: o.corpus.name, source: relative(process.cwd(), o.corpus.source) || '.', drives: o.corpus.drives.length, maxGapMs: o.corpus.maxGapMs, detectWithinMs: o.corpus.detectWithinMs },
    library,
  };
  if (o.groupBy) report.groups = groupFigures(library, o.groupBy);
  if (o.baseline) {
    const base = figuresOf(plan, collector, 1, o.coverage);
    const diff = baselineDiff(o.corpus, library, base);
    report.baseline = { library: base, diff, appeared: diff.reduce((s, d) => s + d.appeared.length, 0), disappeared: diff.reduce((s, d) => s + d.disappeared.length, 0) };
  }
  return { report, plan, collector };
}

/** The report as written to qa.json and printed by --json: stable key order, one line per array element of events. */
export function reportJson(x: unknown): string {
  return JSON.stringify(x, null, 1) + '\n';
}
