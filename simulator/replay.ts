/**
 * The replay loop: feeds a sample stream through the runtime artifact (simulator/artifact.ts — the file that
 * ships to devices) on a virtual clock, exactly as harness/conformance/driver.ts does on every engine:
 *
 *   for each sample time t:  advanceTo(t); set(every sample at t); step(t)
 *   at the end:              advanceTo(until); step(until) if a wake-up is due exactly then
 *
 * Samples may arrive in chunks (a 24-hour trace need not sit in memory); a time group that spans two chunks is
 * stepped once, when the next time or the end arrives. Nothing here knows what a rule means.
 *
 * The hot loop allocates nothing per sample: events, outputs and interval requests go into typed-array logs
 * that grow by doubling (amortised, and only when rules fire). Times reach the runtime relative to an origin
 * (the first sample's whole millisecond): a whole number of ms below 2^30 (12 days) travels as a small integer,
 * whereas an epoch time (~1.6e12) would be boxed into a new heap number on every call into the runtime.
 * The runtime only ever subtracts, adds and compares times, and for whole-millisecond times that is exact either
 * way, so the events are the same as with epoch times; they are reported with the origin added back.
 */
import type { Host, Runtime } from '../runtime/engine/runtime.ts';
import type { RuntimeApi } from './artifact.ts';
import type { SampleColumns } from './trace/samples.ts';

/** Every event the rules raised, as parallel columns. Values of event i: values[vStart[i] … vStart[i] + vCount[i]). */
export class EventLog {
  length = 0;
  rule = new Uint16Array(64);
  severity = new Uint8Array(64);
  t = new Float64Array(64);
  vStart = new Uint32Array(64);
  vCount = new Uint8Array(64);
  values = new Float64Array(256);
  nValues = 0;

  push(rule: number, severity: number, t: number, E: Float64Array, n: number): void {
    let i = this.length;
    if (i === this.t.length) this.grow();
    if (this.nValues + n > this.values.length) {
      const v = new Float64Array(Math.max(this.values.length * 2, this.nValues + n));
      v.set(this.values);
      this.values = v;
    }
    this.rule[i] = rule;
    this.severity[i] = severity;
    this.t[i] = t;
    this.vStart[i] = this.nValues;
    this.vCount[i] = n;
    for (let k = 0; k < n; k++) this.values[this.nValues + k] = E[k];
    this.nValues += n;
    this.length = i + 1;
  }

  private grow(): void {
    const c = this.t.length * 2;
    const r = new Uint16Array(c); r.set(this.rule); this.rule = r;
    const s = new Uint8Array(c); s.set(this.severity); this.severity = s;
    const t = new Float64Array(c); t.set(this.t); this.t = t;
    const vs = new Uint32Array(c); vs.set(this.vStart); this.vStart = vs;
    const vc = new Uint8Array(c); vc.set(this.vCount); this.vCount = vc;
  }

  valuesOf(i: number): number[] {
    return Array.from(this.values.subarray(this.vStart[i], this.vStart[i] + this.vCount[i]));
  }
}

/** Outputs set and reporting intervals requested, with the time of the evaluation that did it. */
export class ActionLog {
  length = 0;
  /** 'o' output (id, value) or 'i' interval (id = -1, value = ms). */
  t = new Float64Array(16);
  id = new Int16Array(16);
  value = new Float64Array(16);

  push(t: number, id: number, value: number): void {
    const i = this.length;
    if (i === this.t.length) {
      const c = i * 2;
      const a = new Float64Array(c); a.set(this.t); this.t = a;
      const b = new Int16Array(c); b.set(this.id); this.id = b;
      const d = new Float64Array(c); d.set(this.value); this.value = d;
    }
    this.t[i] = t;
    this.id[i] = id;
    this.value[i] = value;
    this.length = i + 1;
  }
}

export interface ReplayHooks {
  /** Called after each event is logged (index into the log): live printing in paced mode. */
  onEvent?(index: number): void;
  /** Called every 65,536 samples with the number fed so far: progress bars. */
  onProgress?(fed: number): void;
  /** Virtual-clock pacing: called once per new sample time before it is evaluated. */
  pace?(t: number): void;
  /** Also gives each event (absolute time) to the device's event writer (signed-events.ts). */
  signer?: { emit(rule: number, severity: number, t: number, values: Float64Array, n: number): void; settle(now: number): void };
  /** Coverage (Host.probe): every condition value a unit reads, by the code offset that produced it. */
  probe?(at: number, value: boolean): void;
}

/** Rule condition changes (Host.state): rule id, 1/0, absolute time — for the report's active spans. */
export class StateLog {
  readonly rule: number[] = [];
  readonly active: number[] = [];
  readonly t: number[] = [];
}

/**
 * The origin a replay's times are given relative to: the first sample's whole millisecond. The HIL harness sends
 * a device its samples relative to the same origin, so the device computes with the same numbers (hil/run/).
 */
export function timeOrigin(s: SampleColumns, from = 0): number {
  return Math.floor(s.t[from]);
}

export class Replayer {
  readonly events = new EventLog();
  readonly actions = new ActionLog();
  readonly states = new StateLog();
  readonly rt: Runtime;
  /** Samples set, distinct sample times stepped. */
  fed = 0;
  steps = 0;
  /** Subtracted from every time given to the runtime, added back to every time it reports (NaN: set by the first feed). */
  origin = NaN;
  private cur = NaN;
  private pending = false;
  private now = NaN;
  private finished = false;

  constructor(api: RuntimeApi, bytes: Uint8Array, private readonly hooks: ReplayHooks = {}) {
    const events = this.events;
    const actions = this.actions;
    const states = this.states;
    const self = this;
    const host: Host = {
      emit(rule, severity, t, values, n) {
        self.now = t + self.origin;
        events.push(rule, severity, t + self.origin, values, n);
        if (hooks.signer) hooks.signer.emit(rule, severity, t + self.origin, values, n);
        if (hooks.onEvent) hooks.onEvent(events.length - 1);
      },
      // The runtime does not pass a time with outputs: they happen in the evaluation of the last event or sample time.
      output(id, value) { actions.push(self.now, id, value); },
      interval(ms) { actions.push(self.now, -1, ms); },
      state(rule, active, t) { states.rule.push(rule); states.active.push(active); states.t.push(t + self.origin); },
    };
    // Only a host that has the hook gets the probe calls compiled in.
    if (hooks.probe) host.probe = hooks.probe;
    this.rt = api.load(bytes, host);
    if (this.rt.fault) throw new Error(`the runtime refused the bundle: fault ${this.rt.fault} at byte ${this.rt.faultAt}`);
  }

  /** Feeds samples [from, to) of a time-ordered column set. */
  feed(s: SampleColumns, from = 0, to = s.length): void {
    const T = s.t, G = s.sig, X = s.value;
    const rt = this.rt;
    const pace = this.hooks.pace;
    const progress = this.hooks.onProgress;
    if (this.origin !== this.origin && to > from) this.origin = timeOrigin(s, from);
    const origin = this.origin;
    let cur = this.cur;       // absolute time of the pending group
    let rel = cur - origin;   // the same, as the runtime sees it
    let pending = this.pending;
    let steps = this.steps;
    const events = this.events;
    const signer = this.hooks.signer;
    let signed = events.length;
    for (let i = from; i < to; i++) {
      const t = T[i];
      if (t !== cur) {
        if (t < cur) throw new Error(`samples go back in time at index ${i} (${t} after ${cur}): merge or sort the trace first`);
        if (pending) { this.now = cur; rt.step(rel); steps++; }
        if (pace !== undefined) pace(t);
        this.now = t;
        rel = t - origin;
        rt.advanceTo(rel);
        if (signer !== undefined && events.length !== signed) { signer.settle(this.now); signed = events.length; }
        this.now = t;
        cur = t;
        pending = true;
      }
      rt.set(G[i], X[i], rel);
      if ((i & 0xffff) === 0 && progress !== undefined) progress(this.fed + i - from);
    }
    this.fed += to - from;
    this.cur = cur;
    this.pending = pending;
    this.steps = steps;
  }

  /** Steps the last sample time, then runs wake-ups up to `until` (default: the last sample time). */
  finish(until = this.cur): void {
    if (this.finished) return;
    this.finished = true;
    const rt = this.rt;
    const origin = this.origin;
    if (this.pending) { this.now = this.cur; rt.step(this.cur - origin); this.steps++; this.pending = false; }
    this.hooks.signer?.settle(this.now);
    if (!(until === until) || !(origin === origin)) return;
    if (this.hooks.pace) this.hooks.pace(until);
    this.now = until;
    rt.advanceTo(until - origin);
    if (rt.nextDue() === until - origin) { this.now = until; rt.step(until - origin); }
    this.hooks.signer?.settle(this.now);
  }

  /** Runs the wake-ups due before absolute time t (paced tails: one wake-up at a time). */
  advanceTo(t: number): void {
    this.rt.advanceTo(t - this.origin);
    this.hooks.signer?.settle(this.now);
  }

  /** Absolute time of the next wake-up (Infinity if none). */
  nextDue(): number {
    return this.rt.nextDue() + this.origin;
  }

  /** The last step at exactly `until`, as finish() does. */
  stepIfDue(until: number): void {
    if (this.rt.nextDue() === until - this.origin) { this.now = until; this.rt.step(until - this.origin); }
    this.hooks.signer?.settle(this.now);
  }

  /** Time of the last sample fed (NaN before any). */
  get lastT(): number { return this.cur; }
}
