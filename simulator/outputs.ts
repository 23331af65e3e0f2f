/**
 * Files a replay writes into its output folder:
 *   events.jsonl     one JSON object per event (time ISO + ms, offset, rule, severity, attached values by name)
 *   events.cbor      the signed event stream (CBOR sequence of COSE_Sign1 records), when a device key was given
 *   report.html      the self-contained report
 *   summary.json     the machine summary without wall-clock figures (so the folder is byte-identical run to run)
 *   junit.xml        when expectations were checked and no other path was given
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimResult } from './run.ts';
import { eventsJsonl } from './run.ts';
import { renderReport } from './report/html.ts';
import { machineSummary } from './summary.ts';
import type { ExpectationReport } from './expect.ts';

export interface Written { dir: string; files: string[] }

/** summary.json: the machine summary minus `timing` (wall clock), plus the expectation outcome. */
export function stableSummary(r: SimResult, expectation?: ExpectationReport): string {
  const { timing: _t, ...rest } = machineSummary(r);
  const out = expectation ? { ...rest, expectations: { name: expectation.name, passed: expectation.passed, failed: expectation.failed, ok: expectation.ok, cases: expectation.cases } } : rest;
  return JSON.stringify(out, null, 1) + '\n';
}

export async function writeOutputs(dir: string, r: SimResult, opts: { expectation?: ExpectationReport; report?: boolean } = {}): Promise<Written> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, data: string | Uint8Array) => { writeFileSync(join(dir, name), data); files.push(join(dir, name)); };
  put('events.jsonl', eventsJsonl(r.events));
  if (r.signed) put('events.cbor', r.signed.bytes);
  if (opts.report !== false) put('report.html', renderReport(r));
  put('summary.json', stableSummary(r, opts.expectation));
  return { dir, files };
}
