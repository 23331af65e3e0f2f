/**
 * What a HIL run tells its user: the terminal summary, the JSON result (`--json`, and hil.json in --out), the
 * JUnit XML (one test case per HIL check and per expectation), and the files of --out:
 *   events.cbor            the device's records as received, in seq order (`edgerule verify` reads it)
 *   simulator-events.cbor  the simulator's records for the same bundle, inputs and key
 *   events.jsonl           the device's events decoded (as `edgerule simulate` writes its own)
 *   report.html            the simulator's report with the device's events drawn over it
 *   hil.json               the result
 * Written whatever the verdict, so what a lost device delivered is kept.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { junitXml, type ExpectationReport } from '../../simulator/expect.ts';
import { eventsJsonl } from '../../simulator/run.ts';
import { renderReport } from '../../simulator/report/html.ts';
import { compareWithTolerance } from './compare.ts';
import type { HilResult } from './verdict.ts';
import type { HilRun } from './run.ts';

const n0 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US'));
const ms = (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : Math.round(v)} ms` : '–');

/** The result without the byte streams, for --json and hil.json. */
export function resultJson(r: HilResult, files: string[] = []): string {
  const { deviceStream: _d, simulatorStream: _s, deviceEvents, ...rest } = r;
  return JSON.stringify({ ...rest, deviceEvents: deviceEvents.map(({ index: _i, ...e }) => e), files }, null, 1);
}

export function summaryText(r: HilResult, paint: (c: 'green' | 'red', s: string) => string = (_c, s) => s): string {
  const m = r.metrics;
  const u = r.run;
  const lines: string[] = [];
  if (r.device) lines.push(`device ${r.device.id} (${r.device.engine}, profile ${r.device.profile}) on ${r.port}; event key ${r.device.eventKey.slice(0, 16)}…${r.device.keyFrom ? ` (records checked with ${r.device.keyFrom})` : ''}`);
  lines.push(`bundle ${r.bundle.file}: ${r.bundle.id} (version ${r.bundle.version}, ${r.bundle.signing} signing)${r.flash ? ` — flashed: ${r.flash.verdict}` : ''}`);
  lines.push(`traces ${u.traces.join(' + ')}${u.scenario ? ` with scenario ${u.scenario}` : ''}; ${u.clock}; samples sent ${u.speed}`);
  if (u.samples) {
    lines.push(`samples: ${n0(u.samples)} to send, the device holds ${n0(u.sent)}${u.received !== undefined ? `, received ${n0(u.received)}, evaluated ${n0(u.evaluated)} (${n0(u.steps)} evaluation instants; the simulator ${n0(u.simulatorSteps)})` : ''}`);
    lines.push(`records: the device made ${n0(u.recordsMade)}, the host holds ${n0(u.recordsReceived)} (${n0(u.duplicates)} resent copies dropped)${u.dropped ? `, the device dropped ${u.dropped}` : ''}; the simulator made ${n0(r.simulator?.records)}`);
    lines.push(`link: ${n0(m.injectMs)} ms of injection, ${n0(m.samplesPerSecond)} samples/s, ${n0(m.bytesToDevicePerSecond)} B/s to the device and ${n0(m.bytesFromDevicePerSecond)} B/s back; ${m.frames} INJECT frames (${m.resentFrames} resent, ${m.gaps} gaps, ${m.timeouts} timeouts), ${m.crcErrors + m.framingErrors} damaged frames received`);
    lines.push(`latency injection → event record: p50 ${ms(m.latencyMs.p50)}, p99 ${ms(m.latencyMs.p99)}, max ${ms(m.latencyMs.max)} over ${m.latencyMs.n} events`);
    lines.push(`device evaluation: ${Number.isFinite(m.evalUsPerSample) ? m.evalUsPerSample.toFixed(1) : '–'} µs per sample, longest sample time ${n0(m.evalMaxUs)} µs`);
  }
  for (const c of r.checks) lines.push(`  ${c.ok ? paint('green', 'PASS') : paint('red', 'FAIL')}  ${c.name}${c.message ? ` — ${c.message}` : ''}`);
  if (r.tolerance?.valueNotes.length) lines.push(`  note: attached values differ on ${r.tolerance.valueNotes.length} matched event(s) (a sample can arrive within the tolerance): ${r.tolerance.valueNotes[0]}`);
  if (r.verification && !r.verification.ok) lines.push(r.verification.text.trimEnd());
  if (r.expectations) {
    lines.push(`expectations ${r.expectations.name}: ${r.expectations.passed} passed, ${r.expectations.failed} failed`);
    for (const c of r.expectations.cases) lines.push(`  ${c.ok ? paint('green', 'PASS') : paint('red', 'FAIL')}  ${c.name}${c.message ? ` — ${c.message}` : ''}`);
  }
  lines.push(r.ok ? paint('green', r.verdict) : paint('red', r.verdict));
  return lines.join('\n');
}

/** JUnit: the run's checks as one suite (an error as one failed case), the expectations as another. */
export function hilJunit(r: HilResult): string {
  const suite = `hil: device ${r.device?.id ?? '?'} on ${r.run.traces.map((t) => t.split('/').pop()).join(' + ')}`;
  const checks: ExpectationReport = r.error
    ? { name: 'hil', suite, cases: [{ name: `run completed (${r.error.phase})`, ok: false, message: r.verdict, detail: r.verdict }], passed: 0, failed: 1, ok: false }
    : { name: 'hil', suite, cases: r.checks, passed: r.checks.filter((c) => c.ok).length, failed: r.checks.filter((c) => !c.ok).length, ok: r.checks.every((c) => c.ok) };
  return junitXml(r.expectations ? [checks, r.expectations] : [checks], 'edgerule hil', 'edgerule.hil');
}

export function writeJunit(path: string, r: HilResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, hilJunit(r));
}

export function writeOutDir(dir: string, r: HilResult, run: HilRun, toleranceMs: number): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(dir, name), data);
    files.push(join(dir, name));
  };
  put('events.cbor', r.deviceStream);
  if (r.simulatorStream) put('simulator-events.cbor', r.simulatorStream);
  put('events.jsonl', eventsJsonl(r.deviceEvents));
  if (run.ref) {
    const pairs = compareWithTolerance(r.deviceEvents, run.ref.sim.events, toleranceMs).pairs;
    const label = r.device ? `device ${r.device.id} (${r.device.engine})` : 'the device';
    put('report.html', renderReport(run.ref.sim, {
      title: `edgerule hil — ${label} on ${r.run.traces.map((t) => t.split('/').pop()).join(' + ')}${r.run.scenario ? ` with ${r.run.scenario.split('/').pop()}` : ''}`,
      device: { label, verdict: r.verdict, events: r.deviceEvents, pairs },
    }));
  }
  files.push(join(dir, 'hil.json'));
  writeFileSync(join(dir, 'hil.json'), resultJson(r, files) + '\n');
  return files;
}
