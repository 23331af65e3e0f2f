/** Worker thread of a batch replay (see batch.ts): replays the units the main thread sends, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import type { SidecarMap } from '../compiler/compile.ts';
import { bundleFrom } from './inputs.ts';
import { simulate } from './run.ts';
import { loadScenario, type Scenario } from './scenario.ts';
import { checkExpectations, loadExpectations, type ExpectationReport } from './expect.ts';
import { writeOutputs } from './outputs.ts';
import { machineSummary } from './summary.ts';
import { unitDir, type BatchJob, type BatchUnit, type UnitResult } from './batch.ts';

const job = workerData as BatchJob;
const bundle = bundleFrom(job.bundle.source, job.bundle.bytes, job.bundle.map as SidecarMap | undefined, job.bundle.geometryNames);
const ruleNames = bundle.rules.map((r) => r.name);
let scenario: Scenario | undefined;

async function replay(index: number, unit: BatchUnit): Promise<UnitResult> {
  try {
    if (job.scenario && !scenario) scenario = await loadScenario(job.scenario);
    const r = simulate({
      bundle, traces: unit.traces, startMs: job.startMs, untilRel: job.untilRel, signer: job.signer,
      scenario: scenario && job.scenario ? { file: job.scenario, scenario } : undefined,
    });
    const expectations: ExpectationReport[] = [];
    for (const file of [job.expect, unit.expect]) {
      if (file) expectations.push(checkExpectations(loadExpectations(file, ruleNames), r.events, `${unit.id}: ${file}`));
    }
    let outDir: string | undefined;
    if (job.outDir) {
      outDir = unitDir(job.outDir, unit.id);
      await writeOutputs(outDir, r, { expectation: expectations[0], report: job.report });
    }
    return { index, id: unit.id, traces: unit.traces, ok: expectations.every((e) => e.ok), summary: machineSummary(r), expectations, outDir };
  } catch (e) {
    return { index, id: unit.id, traces: unit.traces, ok: false, error: (e as Error).message, expectations: [] };
  }
}

parentPort!.on('message', (m: { index: number; unit: BatchUnit }) => {
  void replay(m.index, m.unit).then((r) => parentPort!.postMessage(r));
});
