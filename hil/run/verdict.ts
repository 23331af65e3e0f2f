/**
 * Judging a HIL run. A pass needs all of: the end-of-run exchange happened; the device received and evaluated
 * exactly the samples sent; the host holds every record the device says it made, each once; every record verifies
 * (signature with the device's announced key, hash chain, sequence); the records equal the simulator's (byte for
 * byte with injected time, or event for event within the tolerance on the device's own clock); every expectation
 * holds on the device's events. Anything short of that is a failure or, when the run could not finish, an error
 * that says where it stopped — never a pass by default.
 */
import { EXIT, type ExitCode } from '../../cli/exit-codes.ts';
import { verifyEvents, type EventsReport } from '../../signing/verify-events.ts';
import { checkExpectations, type Expectations, type ExpectationReport, type CheckResult } from '../../simulator/expect.ts';
import { formatRel, iso } from '../../simulator/time.ts';
import { compareRecords, compareWithTolerance, recordEvents, type Comparison, type DeviceEvent, type ToleranceComparison } from './compare.ts';
import { eventLatencies, percentiles, type Percentiles } from './metrics.ts';
import type { HilOptions, HilRun } from './run.ts';

export interface HilResult {
  ok: boolean;
  exit: ExitCode;
  /** One line: PASS, FAIL or ERROR and why. */
  verdict: string;
  port: string;
  bundle: { file: string; id: string; version: number; profile: string; signing: string; map?: string };
  device?: { id: number; engine: string; profile: string; eventKey: string; keyFrom?: string; boots: number[] };
  flash?: { verdict: string; ok: boolean };
  run: {
    id: number; clock: string; speed: string; traces: string[]; scenario?: string;
    samples: number; sent: number; received?: number; evaluated?: number; steps?: number; simulatorSteps?: number;
    recordsMade?: number; recordsReceived: number; duplicates: number; events?: number; dropped?: number; runtimeFault?: number; writerFault?: number;
  };
  simulator?: { records: number; events: number };
  comparison?: Comparison;
  tolerance?: Omit<ToleranceComparison, 'missing' | 'extra' | 'pairs'> & { missing: string[]; extra: string[] };
  verification?: { ok: boolean; text: string };
  expectations?: ExpectationReport;
  checks: CheckResult[];
  metrics: {
    injectMs: number; samplesPerSecond: number; bytesToDevicePerSecond: number; bytesFromDevicePerSecond: number;
    latencyMs: Percentiles; evalUsPerSample: number; evalMaxUs: number;
    frames: number; resentFrames: number; probes: number; timeouts: number; gaps: number; resentRequests: number; strayReplies: number; crcErrors: number; framingErrors: number;
  };
  error?: HilRun['error'] & { t?: string };
  /** The device's records (CBOR sequence, seq order) and the simulator's, and the device's events decoded. */
  deviceStream: Uint8Array;
  simulatorStream?: Uint8Array;
  deviceEvents: DeviceEvent[];
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

function speedText(o: HilOptions): string {
  return Number.isFinite(o.speed) ? `at ${o.speed}× the trace's pace` : 'as fast as the device took them';
}

/** Where the run stopped: the sample and its time, when known. */
function stoppedAt(r: HilRun): string | undefined {
  const e = r.error;
  if (!e || e.atSample === undefined || !r.ref) return undefined;
  const src = r.ref.source;
  const i = Math.min(e.atSample, src.length - 1);
  const abs = src.samples.t[i];
  return `+${formatRel(abs - r.ref.sim.t0)}, ${iso(abs)}`;
}

/** Injection-to-event latency of each of the device's events (ms; metrics.ts says from when to when). */
export function runLatencies(r: HilRun, o: HilOptions, deviceEvents: DeviceEvent[]): number[] {
  const ref = r.ref;
  const st = r.stats;
  if (!ref || !st) return [];
  return eventLatencies(
    deviceEvents.map((e) => ({ rel: e.t - ref.source.origin, arrivedAt: r.arrivals.get(e.seq) ?? NaN })),
    ref.source, st, r.endSentAt, o.clock === 'device' ? { startedAt: st.startedAt, speed: o.speed } : undefined,
  );
}

export function judge(r: HilRun, o: HilOptions, expectations?: Expectations): HilResult {
  const ref = r.ref;
  const stream = r.collector?.stream() ?? new Uint8Array(0);
  const t0 = ref?.sim.t0 ?? 0;
  const deviceEvents = recordEvents(stream, o.bundle.loaded, t0);
  const st = r.stats;
  const injectMs = st && Number.isFinite(st.endedAt) ? st.endedAt - st.startedAt : NaN;
  const lat = runLatencies(r, o, deviceEvents);
  const res: HilResult = {
    ok: false, exit: EXIT.CANNOT_CHECK, verdict: '', port: o.port,
    bundle: { file: o.bundle.file, id: o.bundle.identity.idHex, version: o.bundle.identity.version, profile: o.bundle.identity.profile, signing: o.bundle.signing, map: o.bundle.mapFile },
    device: r.hello ? { id: r.hello.device, engine: r.hello.engine, profile: r.hello.profile, eventKey: Buffer.from(r.hello.eventKey ?? []).toString('hex'), keyFrom: r.key?.from, boots: r.boots } : undefined,
    flash: r.flash,
    run: {
      id: r.runId, clock: o.clock === 'device' ? `the device's own clock (tolerance ${o.toleranceMs} ms)` : 'injected time', speed: speedText(o),
      traces: o.inputs.traces, scenario: o.inputs.scenario?.file, samples: ref?.source.length ?? 0, sent: st?.next ?? 0,
      received: r.end?.received, evaluated: r.end?.evaluated, steps: r.end?.steps, simulatorSteps: ref?.sim.steps, recordsMade: r.end?.records,
      recordsReceived: r.collector?.bySeq.size ?? 0, duplicates: r.collector?.duplicates ?? 0, events: r.end?.events, dropped: r.end?.dropped,
      runtimeFault: r.end?.fault, writerFault: r.end?.writerFault,
    },
    simulator: ref?.sim.signed ? { records: ref.sim.signed.records, events: ref.sim.events.length } : undefined,
    checks: [],
    metrics: {
      injectMs, samplesPerSecond: st && injectMs > 0 ? (st.next * 1000) / injectMs : NaN,
      bytesToDevicePerSecond: injectMs > 0 ? (r.counts.injectBytesOut * 1000) / injectMs : NaN,
      bytesFromDevicePerSecond: injectMs > 0 ? (r.counts.injectBytesIn * 1000) / injectMs : NaN,
      latencyMs: percentiles(lat), evalUsPerSample: r.end && r.end.evaluated ? r.end.evalUs / r.end.evaluated : NaN, evalMaxUs: r.end?.evalMaxUs ?? NaN,
      frames: st?.frames ?? 0, resentFrames: st?.resentFrames ?? 0, probes: st?.probes ?? 0, timeouts: st?.timeouts ?? 0, gaps: st?.gaps ?? 0,
      resentRequests: r.counts.resentRequests, strayReplies: r.counts.strayReplies, crcErrors: r.counts.crcErrors, framingErrors: r.counts.framingErrors,
    },
    deviceStream: stream, simulatorStream: ref?.sim.signed?.bytes, deviceEvents,
  };
  if (ref?.sim.signed && stream.length) {
    res.comparison = compareRecords(stream, ref.sim.signed.bytes, { bundle: o.bundle.loaded, t0, signatures: ref.sameKey, partial: !!r.error });
  }
  const key = r.key?.publicKey ?? r.hello?.eventKey;
  if (r.hello && key && stream.length) {
    const v: EventsReport = verifyEvents(stream, { publicKey: key, device: r.hello.device, signing: o.bundle.signing, file: 'device records' });
    res.verification = { ok: v.ok, text: v.text };
  }
  if (r.error) {
    res.error = { ...r.error, t: stoppedAt(r) };
    res.exit = r.error.refused ? EXIT.CHECK_FAILED : EXIT.CANNOT_CHECK;
    res.verdict = errorVerdict(r, res);
    return res;
  }
  judgeFinished(r, o, res, expectations);
  return res;
}

function errorVerdict(r: HilRun, res: HilResult): string {
  const e = r.error!;
  const held = r.collector?.bySeq.size ?? 0;
  let kept = '';
  if (held) {
    const c = res.comparison;
    kept = `; collected ${plural(held, 'record')} (${c?.first ? `first difference: ${c.first.text}` : held === 1 ? 'identical to the simulator\'s record of the same seq' : 'each identical to the simulator\'s record of the same seq'})`;
  } else if (r.collector) {
    kept = '; collected no record';
  }
  if (e.lost && e.phase !== 'drain') {
    const at = e.atSample !== undefined ? ` at sample ${e.atSample}${res.error?.t ? ` (t = ${res.error.t})` : ''}` : '';
    return `ERROR: device lost${at} during ${e.phase}: ${e.message}${kept}`;
  }
  return `${e.refused ? 'FAIL' : 'ERROR'}: ${e.phase}: ${e.message}${kept}`;
}

function judgeFinished(r: HilRun, o: HilOptions, res: HilResult, expectations?: Expectations): void {
  const ref = r.ref!;
  const end = r.end!;
  const c = r.collector!;
  const checks = res.checks;
  const total = ref.source.length;
  const counts = end.received === total && end.evaluated === total;
  checks.push({
    name: 'end of run: the device received and evaluated every sample sent, once', ok: counts,
    message: counts ? undefined : `sent ${total}, the device received ${end.received} and evaluated ${end.evaluated}`,
  });
  const allHere = c.bySeq.size === end.records && c.acked === end.records;
  checks.push({
    name: 'end of run: the host holds every record the device made', ok: allHere && end.dropped === 0,
    message: !allHere ? `the device made ${end.records}, the host holds ${c.bySeq.size}` : end.dropped ? `the device dropped ${end.dropped} record(s) from its full queue` : undefined,
  });
  const faults = end.fault === 0 && end.writerFault === 0;
  checks.push({ name: 'no runtime or event-writer fault on the device', ok: faults, message: faults ? undefined : `runtime fault ${end.fault}, event writer fault ${end.writerFault}` });
  const verified = !!res.verification?.ok || end.records === 0;
  checks.push({ name: 'every record verifies: signature (the device\'s key from HELLO), chain, sequence', ok: verified, message: verified ? undefined : res.verification?.text.trim().split('\n').slice(-1)[0] });
  if (o.clock === 'injected') {
    const cmp = res.comparison;
    const same = cmp ? cmp.identical : (ref.sim.signed?.records ?? 0) === 0 && end.records === 0;
    checks.push({
      name: `records byte-identical to the simulator's${ref.sameKey ? ' (signatures too)' : ' (payloads; signatures checked with the device key)'}`, ok: same,
      message: same ? undefined : cmp?.first?.text ?? `the device made ${end.records} record(s), the simulator ${ref.sim.signed?.records ?? 0}`,
    });
  } else {
    const tc = compareWithTolerance(res.deviceEvents, ref.sim.events, o.toleranceMs);
    res.tolerance = {
      ok: tc.ok, toleranceMs: tc.toleranceMs, matched: tc.matched, valueNotes: tc.valueNotes, maxSkewMs: tc.maxSkewMs,
      missing: tc.missing.map((e) => `${e.rule} at +${formatRel(e.rel)}`), extra: tc.extra.map((e) => `${e.rule} at +${formatRel(e.rel)}`),
    };
    checks.push({
      name: `events match the simulator's within ±${o.toleranceMs} ms (rule, severity, time)`, ok: tc.ok,
      message: tc.ok ? undefined : [tc.missing.length ? `missing on the device: ${res.tolerance.missing.slice(0, 5).join(', ')}` : '', tc.extra.length ? `extra on the device: ${res.tolerance.extra.slice(0, 5).join(', ')}` : ''].filter(Boolean).join('; '),
    });
  }
  if (expectations) {
    res.expectations = checkExpectations(expectations, res.deviceEvents, `${expectations.name} (device ${r.hello!.device}, ${o.inputs.traces.map((t) => t.split('/').pop()).join(' + ')})`);
  }
  const failed = checks.filter((k) => !k.ok);
  const expFailed = res.expectations?.failed ?? 0;
  res.ok = !failed.length && !expFailed;
  res.exit = res.ok ? EXIT.OK : EXIT.CHECK_FAILED;
  const what = `device ${r.hello!.device} (${r.hello!.engine}) ran ${total} samples (${speedText(o)})`;
  if (res.ok) {
    const same = o.clock === 'injected'
      ? end.records ? `${plural(end.records, 'signed record')}, byte-identical to the simulator's${ref.sameKey ? ' (signatures too)' : ''}` : 'no record, as in the simulator (no rule fired)'
      : `${plural(res.deviceEvents.length, 'event')}, each within ±${o.toleranceMs} ms of the simulator's (largest skew ${Math.round(res.tolerance!.maxSkewMs)} ms)`;
    res.verdict = `PASS: ${what}: ${same}${end.records ? '; every record verifies' : ''}${res.expectations ? `; ${plural(res.expectations.passed, 'expectation')} hold` : ''}`;
  } else {
    const why = failed.length ? `${failed[0].name}: ${failed[0].message}` : `${expFailed} expectation(s) failed: ${res.expectations!.cases.filter((x) => !x.ok).map((x) => `${x.name} — ${x.message}`)[0]}`;
    res.verdict = `FAIL: ${what}: ${why}`;
  }
}
