/**
 * Worker thread of a batch replay (see batch.ts): for each unit the main thread sends, reads its files, splits them
 * into drives (drives.ts) and replays each drive, answering with one result per drive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { basename } from 'node:path';
import type { SidecarMap } from '../compiler/compile.ts';
import { bundleFrom, mergeInputs } from './inputs.ts';
import { simulate } from './run.ts';
import { loadScenario, type Scenario } from './scenario.ts';
import { checkExpectations, loadExpectations, type ExpectationReport } from './expect.ts';
import { writeOutputs } from './outputs.ts';
import { machineSummary } from './summary.ts';
import { maybeTrace, unitDir, type BatchJob, type BatchUnit, type UnitResult } from './batch.ts';
import { DEFAULT_MAX_GAP_MS, groupDrives } from './drives.ts';
import { readTrace, type TraceResult } from './trace/index.ts';

const job = workerData as BatchJob;
const bundle = bundleFrom(job.bundle.source, job.bundle.bytes, job.bundle.map as SidecarMap | undefined, job.bundle.geometryNames);
const ruleNames = bundle.rules.map((r) => r.name);
const maxGapMs = job.maxGapMs ?? DEFAULT_MAX_GAP_MS;
let scenario: Scenario | undefined;

/** Reads the unit's files: traces, files that turned out not to be (noted), and files that failed (errors). */
function readUnit(unit: BatchUnit, notes: string[]): { read: TraceResult[]; failed: Array<{ file: string; error: string }> } {
  const read: TraceResult[] = [];
  const failed: Array<{ file: string; error: string }> = [];
  for (const file of unit.traces) {
    try {
      read.push(readTrace(file, { ...(job.startMs !== undefined ? { startMs: job.startMs } : {}), ...(job.csvMap ? { csvFallback: job.csvMap } : {}) }));
    } catch (e) {
      const message = (e as Error).message;
      if (maybeTrace(file)) notes.push(`${basename(file)} skipped: not a trace (${message.replace(`${file}: cannot read trace: `, '')})`);
      else failed.push({ file, error: message });
    }
  }
  return { read, failed };
}

async function replayDrive(index: number, unit: BatchUnit, id: string, files: TraceResult[], notes: string[]): Promise<UnitResult> {
  const traces = files.map((f) => f.file);
  try {
    if (job.scenario && !scenario) scenario = await loadScenario(job.scenario);
    const inputs = mergeInputs(files, { startMs: job.startMs, maxGapMs });
    const r = simulate({
      bundle, traces, inputs, startMs: job.startMs, untilRel: job.untilRel, signer: job.signer,
      scenario: scenario && job.scenario ? { file: job.scenario, scenario } : undefined,
    });
    const expectations: ExpectationReport[] = [];
    for (const file of [job.expect, unit.expect]) {
      if (file) expectations.push(checkExpectations(loadExpectations(file, ruleNames), r.events, `${id}: ${file}`));
    }
    let outDir: string | undefined;
    if (job.outDir) {
      outDir = unitDir(job.outDir, id);
      await writeOutputs(outDir, r, { expectation: expectations[0], report: job.report });
    }
    const strictFail = job.strict && r.inputs.issues.length > 0;
    return { index, unit: unit.id, id, traces, ok: expectations.every((e) => e.ok) && !strictFail, summary: machineSummary(r), expectations, outDir, notes };
  } catch (e) {
    return { index, unit: unit.id, id, traces, ok: false, error: (e as Error).message, expectations: [], notes };
  }
}

async function replay(index: number, unit: BatchUnit): Promise<UnitResult[]> {
  const notes = [...(unit.skipped ?? [])];
  const { read, failed } = readUnit(unit, notes);
  const groups = groupDrives(read, maxGapMs, (f) => basename(f));
  notes.push(...groups.notes);
  const whole = groups.drives.length === 1 && !failed.length;
  const results: UnitResult[] = [];
  for (const drive of groups.drives) {
    const files = drive.map((i) => read[i]);
    const id = whole ? unit.id : `${unit.id}/${files.map((f) => basename(f.file)).join('+')}`;
    results.push(await replayDrive(index, unit, id, files, results.length ? [] : notes));
  }
  for (const f of failed) {
    results.push({ index, unit: unit.id, id: unit.traces.length === 1 ? unit.id : `${unit.id}/${basename(f.file)}`, traces: [f.file], ok: false, error: f.error, expectations: [], notes: results.length ? [] : notes });
  }
  if (!results.length) results.push({ index, unit: unit.id, id: unit.id, traces: [], ok: true, skipped: true, expectations: [], notes: notes.length ? notes : ['no files in it'] });
  return results;
}

parentPort!.on('message', (m: { index: number; unit: BatchUnit }) => {
  void replay(m.index, m.unit).then((results) => parentPort!.postMessage({ index: m.index, results }));
});
