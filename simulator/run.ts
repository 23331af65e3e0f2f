/**
 * One simulation: read recordings → overlay a scenario → replay through the runtime artifact → decoded events.
 * The CLI, the batch workers, the demo, the tests and the benchmark all come through here.
 *
 * Determinism: everything in a SimResult except `timing` depends only on the inputs (no wall clock, no
 * randomness, no iteration over unordered state), so the files written from it are byte-identical run to run.
 */
import { loadRuntimeArtifact } from './artifact.ts';
import { Replayer, type ReplayHooks } from './replay.ts';
import { applyScenario, type Scenario, type ScenarioSpan, type AppliedScenario } from './scenario.ts';
import { readInputs, ruleInfo, skippedReasons, type LoadedBundle, type ReadInputs } from './inputs.ts';
import type { CsvMapping, SampleColumns } from './trace/index.ts';
import { iso } from './time.ts';
import { severityName } from '../runtime/engine/severity.ts';
import { EventSigner, type SignerConfig } from './signed-events.ts';

export interface SimEvent {
  index: number;
  /** ms since the Unix epoch (for undated recordings: since the start given, or 1970-01-01). */
  t: number;
  /** ms since the start of the recording. */
  rel: number;
  ruleId: number;
  rule: string;
  severity: string;
  values: Record<string, number | null>;
  /** Catalogue unit of each value, by name (null: a bare number); events.jsonl leaves them out, summary.json lists them per rule. */
  units: Record<string, string | null>;
}

export interface SimAction { t: number; rel: number; kind: 'output' | 'interval'; id: number; value: number }

export interface SimulateOptions {
  bundle: LoadedBundle;
  traces: string[];
  offsets?: number[];
  /** Calendar start for recordings without a date. */
  startMs?: number;
  scenario?: { file: string; scenario: Scenario };
  /** Run the virtual clock to this time after the recording start (ms); default: scenario `until`, else the last sample. */
  untilRel?: number;
  /** Virtual seconds per wall second (Infinity: as fast as possible). */
  speed?: number;
  /** The wall clock that paces a replay at `speed` (default: the real one; tests pass a virtual one). */
  clock?: PaceClock;
  hooks?: { onProgress?(fed: number, total: number): void; onEvent?(e: SimEvent): void };
  /** Already-read recordings (batch and bench reuse them). */
  inputs?: ReadInputs;
  /** Also make the device's signed event stream with this device key. */
  signer?: SignerConfig;
  /** Coverage: called with every condition value the rules read, by code offset (Host.probe; slower). */
  probe?(at: number, value: boolean): void;
  /** Column mapping for CSV files no preset recognises (--csv-map). */
  csvMap?: CsvMapping;
  /** Gaps longer than this are reported as issues (--max-gap). */
  maxGapMs?: number;
}

export interface SimResult {
  bundle: LoadedBundle;
  inputs: ReadInputs;
  /** The stream as recorded (merged) and as replayed (after the scenario). */
  recorded: SampleColumns;
  replayed: SampleColumns;
  scenario?: { file: string; name: string; description?: string; spans: ScenarioSpan[]; stats: AppliedScenario['stats'] };
  t0: number;
  tLast: number;
  until: number;
  events: SimEvent[];
  actions: SimAction[];
  /** When each rule's condition was true: [from, to) in absolute ms (to = until if still active at the end). */
  active: Array<{ ruleId: number; from: number; to: number }>;
  steps: number;
  skipped: Array<{ reason: string; count: number }>;
  timing: { readMs: number; replayMs: number };
  /** The signed event stream (CBOR sequence of records), when a signer was configured. */
  signed?: { bytes: Uint8Array; records: number; device: number; signing: SignerConfig['signing']; publicKey: Uint8Array };
}

/** What pacing needs of a clock: the time in ms, and a way to wait. */
export interface PaceClock { now(): number; sleep(ms: number): void }

/** Sleeps the thread without allocating (pacing for --speed 1x with a real device watching). */
const SLEEP = new Int32Array(new SharedArrayBuffer(4));
const WALL_CLOCK: PaceClock = {
  now: () => performance.now(),
  sleep: (ms) => { if (ms > 0) Atomics.wait(SLEEP, 0, 0, ms); },
};

export function simulate(o: SimulateOptions): SimResult {
  const inputs = o.inputs ?? readInputs(o.traces, { offsets: o.offsets, startMs: o.startMs, csvMap: o.csvMap, maxGapMs: o.maxGapMs });
  const recorded = inputs.samples;
  if (!recorded.length) {
    const why = inputs.issues.slice(0, 3).map((is) => `${is.file}${is.line ? `:${is.line}` : ''}: ${is.reason}`);
    throw new Error(`${o.traces.join(', ')}: no samples to replay${why.length ? `; the readers said:\n  ${why.join('\n  ')}${inputs.issues.length > 3 ? `\n  … and ${inputs.issues.length - 3} more` : ''}` : ''}`);
  }
  let replayed = recorded;
  let applied: AppliedScenario | undefined;
  if (o.scenario) {
    applied = applyScenario(recorded, o.scenario.scenario, o.scenario.file);
    replayed = applied.samples;
  }
  const t0 = recorded.t[0];
  const tLast = replayed.t[replayed.length - 1];
  const until = o.untilRel !== undefined ? t0 + o.untilRel : Math.max(applied?.until ?? tLast, tLast);

  const api = loadRuntimeArtifact();
  const bundle = o.bundle;
  const speed = o.speed ?? Infinity;
  const clock = o.clock ?? WALL_CLOCK;
  let wall0 = NaN;
  const hooks: ReplayHooks = {
    onProgress: o.hooks?.onProgress ? (fed: number) => o.hooks!.onProgress!(fed, replayed.length) : undefined,
    pace: Number.isFinite(speed)
      ? (t: number) => {
        if (wall0 !== wall0) wall0 = clock.now();
        clock.sleep((t - t0) / speed - (clock.now() - wall0));
      }
      : undefined,
  };
  const signer = o.signer ? new EventSigner(api, o.signer) : undefined;
  if (signer) hooks.signer = signer;
  if (o.probe) hooks.probe = o.probe;
  const onEvent = o.hooks?.onEvent;
  // Events are decoded after the loop; only a live listener (paced demos) decodes them as they come.
  let replayer: Replayer | undefined;
  if (onEvent) hooks.onEvent = (i) => onEvent(decodeEvent(bundle, replayer!, i, t0));
  const started = performance.now();
  replayer = new Replayer(api, bundle.bytes, hooks);
  replayer.feed(replayed);
  if (until > tLast && hooks.pace) {
    // Paced: wait for each wake-up in the tail, so timer events show when they happen.
    replayer.finish(tLast);
    for (let due = replayer.nextDue(); due < until; due = replayer.nextDue()) {
      hooks.pace(due);
      replayer.advanceTo(nextUp(due));
    }
    hooks.pace(until);
    replayer.advanceTo(until);
    replayer.stepIfDue(until);
  } else {
    replayer.finish(until);
  }
  const signedBytes = signer?.finish(until);
  const replayMs = performance.now() - started;

  const events: SimEvent[] = [];
  for (let i = 0; i < replayer.events.length; i++) events.push(decodeEvent(bundle, replayer, i, t0));
  const actions: SimAction[] = [];
  const a = replayer.actions;
  for (let i = 0; i < a.length; i++) {
    actions.push({ t: a.t[i], rel: a.t[i] - t0, kind: a.id[i] < 0 ? 'interval' : 'output', id: a.id[i] < 0 ? 0 : a.id[i], value: a.value[i] });
  }
  return {
    bundle, inputs, recorded, replayed, t0, tLast, until, events, actions, active: activeSpans(replayer, until), steps: replayer.steps,
    scenario: o.scenario && applied ? {
      file: o.scenario.file, name: o.scenario.scenario.name, description: o.scenario.scenario.description, spans: applied.spans, stats: applied.stats,
    } : undefined,
    skipped: skippedReasons(inputs.traces, inputs.stats),
    timing: { readMs: inputs.readMs, replayMs },
    signed: signer && signedBytes ? { bytes: signedBytes, records: signer.records, device: o.signer!.device, signing: o.signer!.signing, publicKey: signer.publicKey } : undefined,
  };
}

/** Pairs each rule's condition-true and condition-false calls into spans. */
function activeSpans(r: Replayer, until: number): SimResult['active'] {
  const open = new Map<number, number>();
  const spans: SimResult['active'] = [];
  const st = r.states;
  for (let i = 0; i < st.t.length; i++) {
    if (st.active[i]) { if (!open.has(st.rule[i])) open.set(st.rule[i], st.t[i]); continue; }
    const from = open.get(st.rule[i]);
    if (from !== undefined) { spans.push({ ruleId: st.rule[i], from, to: st.t[i] }); open.delete(st.rule[i]); }
  }
  for (const [ruleId, from] of open) spans.push({ ruleId, from, to: Math.max(until, from) });
  return spans.sort((a, b) => a.ruleId - b.ruleId || a.from - b.from);
}

function decodeEvent(bundle: LoadedBundle, r: Replayer, i: number, t0: number): SimEvent {
  const log = r.events;
  const n = log.vCount[i];
  const info = ruleInfo(bundle, log.rule[i], log.severity[i], n);
  const values: Record<string, number | null> = {};
  const units: Record<string, string | null> = {};
  for (let k = 0; k < n; k++) {
    const v = log.values[log.vStart[i] + k];
    const name = info.attach[k] ?? `v${k}`;
    values[name] = Number.isFinite(v) ? v : null;
    units[name] = info.attachUnits[k] ?? null;
  }
  return { index: i, t: log.t[i], rel: log.t[i] - t0, ruleId: log.rule[i], rule: info.name, severity: severityName(log.severity[i]), values, units };
}

const F = new Float64Array(1);
const B = new BigInt64Array(F.buffer);
/** The next double above x (x finite, ≥ 0). */
function nextUp(x: number): number {
  F[0] = x;
  B[0] += 1n;
  return F[0];
}

/** One JSON Lines record per event: time (ISO and ms), offset from the recording start, rule, severity, values by name. */
export function eventsJsonl(events: SimEvent[]): string {
  let out = '';
  for (const e of events) {
    out += JSON.stringify({ time: iso(e.t), ms: e.t, offsetMs: e.rel, rule: e.rule, ruleId: e.ruleId, severity: e.severity, values: e.values }) + '\n';
  }
  return out;
}
