/**
 * The device's records against the simulator's. With injected time: byte for byte, record by record in seq order
 * (payload always; signature bytes too when the simulator signed with the device's own key); the first difference
 * is named by record, rule, time and field. With the device's own clock (wall-clock mode) times cannot be
 * bit-exact: the events are matched one to one by rule and severity within a stated time tolerance.
 */
import { readEvents, type EventRecord, type Item } from '../../signing/event-record.ts';
import { ruleInfo, type LoadedBundle } from '../../simulator/inputs.ts';
import type { SimEvent } from '../../simulator/run.ts';
import { severityName } from '../../runtime/engine/severity.ts';
import { formatRel, iso } from '../../simulator/time.ts';

export interface Difference {
  /** The record's seq (1-based, as on the device). */
  seq: number;
  rule?: string;
  /** Absolute ms of the record (the device's, or the simulator's when the device has none). */
  t?: number;
  field: string;
  device?: string;
  simulator?: string;
  text: string;
}

export interface Comparison {
  identical: boolean;
  /** Records compared (the longer of the two streams). */
  compared: number;
  deviceRecords: number;
  simulatorRecords: number;
  signatures: boolean;
  first?: Difference;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function shown(v: unknown): string {
  if (v === undefined) return 'absent';
  if (v instanceof Uint8Array) return hex(v).slice(0, 16) + '…';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return JSON.stringify(v);
}

/** The first field of two records that differs, named as a person reads it. */
function fieldDiff(d: EventRecord, s: EventRecord, attach: string[]): [string, unknown, unknown] | undefined {
  const scalars: Array<[string, unknown, unknown]> = [
    ['type', d.type, s.type], ['device', d.device, s.device], ['seq', d.seq, s.seq], ['time', d.t, s.t], ['rule', d.rule, s.rule], ['severity', d.severity, s.severity],
  ];
  for (const [name, a, b] of scalars) if (!Object.is(a, b)) return [name, a, b];
  const dv = d.values ?? [];
  const sv = s.values ?? [];
  for (let k = 0; k < Math.max(dv.length, sv.length); k++) {
    if (!Object.is(dv[k], sv[k])) return [`values[${k}]${attach[k] ? ` (${attach[k]})` : ''}`, dv[k], sv[k]];
  }
  if (hex(d.prev) !== hex(s.prev)) return ['prev (the hash chain: an earlier record differs)', d.prev, s.prev];
  if (JSON.stringify(d.drops.map((x) => [x.first, x.last, x.count])) !== JSON.stringify(s.drops.map((x) => [x.first, x.last, x.count]))) return ['dropped ranges', d.drops.map((x) => `${x.first}–${x.last}`).join(','), s.drops.map((x) => `${x.first}–${x.last}`).join(',')];
  if (d.droppedTotal !== s.droppedTotal) return ['dropped total', d.droppedTotal, s.droppedTotal];
  return undefined;
}

function what(b: LoadedBundle, r: EventRecord | undefined, t0: number): { rule?: string; t?: number; text: string } {
  if (!r) return { text: '' };
  if (r.type === 1) return { rule: 'checkpoint', t: r.t, text: `checkpoint at +${formatRel(r.t - t0)} (${iso(r.t)})` };
  const info = ruleInfo(b, r.rule!, r.severity!, r.values?.length ?? 0);
  return { rule: info.name, t: r.t, text: `${info.name} (${severityName(r.severity!)}) at +${formatRel(r.t - t0)} (${iso(r.t)})` };
}

/**
 * Compares two CBOR sequences of records, record by record by seq. `partial`: the device's stream is what arrived
 * before the run stopped, so records it lacks are not differences (only those it has are compared).
 */
export function compareRecords(device: Uint8Array, simulator: Uint8Array, o: { bundle: LoadedBundle; t0: number; signatures: boolean; partial?: boolean }): Comparison {
  const bySeq = (b: Uint8Array) => new Map(readEvents(b).items.map((it, i) => [it.record?.seq ?? -(i + 1), it] as const));
  const dItems = bySeq(device);
  const sItems = bySeq(simulator);
  const seqs = [...new Set([...dItems.keys(), ...sItems.keys()])].sort((a, b) => a - b);
  const out: Comparison = { identical: true, compared: 0, deviceRecords: dItems.size, simulatorRecords: sItems.size, signatures: o.signatures };
  for (const seq of seqs) {
    if (o.partial && !dItems.has(seq)) continue;
    out.compared++;
    const first = difference(dItems.get(seq), sItems.get(seq), seq, o);
    if (first) {
      out.identical = false;
      out.first = first;
      break;
    }
  }
  return out;
}

function difference(d: Item | undefined, s: Item | undefined, seq: number, o: { bundle: LoadedBundle; t0: number; signatures: boolean }): Difference | undefined {
  if (!d) {
    const w = what(o.bundle, s!.record, o.t0);
    return { seq, rule: w.rule, t: w.t, field: 'record', simulator: w.text, text: `record ${seq}: the device has none; the simulator has ${w.text}` };
  }
  if (!s) {
    const w = what(o.bundle, d.record, o.t0);
    return { seq, rule: w.rule, t: w.t, field: 'record', device: w.text, text: `record ${seq}: the device has ${w.text}; the simulator has none` };
  }
  const w = what(o.bundle, d.record ?? s.record, o.t0);
  const at = `record ${seq}${w.text ? `, ${w.text}` : ''}`;
  if (!d.record) return { seq, rule: w.rule, t: w.t, field: 'record', text: `${at}: the device's record is malformed: ${d.error}` };
  if (hex(d.payload) !== hex(s.payload)) {
    const info = d.record.rule !== undefined ? ruleInfo(o.bundle, d.record.rule, d.record.severity ?? 0, d.record.values?.length ?? 0) : undefined;
    const f = s.record ? fieldDiff(d.record, s.record, info?.attach ?? []) : undefined;
    if (f) return { seq, rule: w.rule, t: w.t, field: f[0], device: shown(f[1]), simulator: shown(f[2]), text: `${at}: field ${f[0]}: device ${shown(f[1])}, simulator ${shown(f[2])}` };
    return { seq, rule: w.rule, t: w.t, field: 'bytes', text: `${at}: the record bytes differ (same fields: a different encoding)` };
  }
  if (d.signed !== s.signed) return { seq, rule: w.rule, t: w.t, field: 'signature', device: d.signed ? 'signed' : 'bare', simulator: s.signed ? 'signed' : 'bare', text: `${at}: the device's record is ${d.signed ? 'signed' : 'bare'}, the simulator's ${s.signed ? 'signed' : 'bare'}` };
  if (o.signatures && d.signed && hex(d.signature!) !== hex(s.signature!)) return { seq, rule: w.rule, t: w.t, field: 'signature', text: `${at}: same record, different signature bytes` };
  return undefined;
}

/** A device's event record as the simulator's events are (rule and attachment names from the bundle's map), with its seq. */
export type DeviceEvent = SimEvent & { seq: number };

export function recordEvents(stream: Uint8Array, b: LoadedBundle, t0: number): DeviceEvent[] {
  const out: DeviceEvent[] = [];
  for (const item of readEvents(stream).items) {
    const r = item.record;
    if (!r || r.type !== 0) continue;
    const info = ruleInfo(b, r.rule!, r.severity!, r.values?.length ?? 0);
    const values: Record<string, number | null> = {};
    const units: Record<string, string | null> = {};
    (r.values ?? []).forEach((v, k) => {
      const name = info.attach[k] ?? `v${k}`;
      values[name] = Number.isFinite(v) ? v : null;
      units[name] = info.attachUnits[k] ?? null;
    });
    out.push({ index: out.length, seq: r.seq, t: r.t, rel: r.t - t0, ruleId: r.rule!, rule: info.name, severity: severityName(r.severity!), values, units });
  }
  return out;
}

export interface ToleranceComparison {
  ok: boolean;
  toleranceMs: number;
  matched: number;
  /** Simulator events with no device event of the same rule and severity within the tolerance. */
  missing: SimEvent[];
  /** Device events no simulator event accounts for. */
  extra: SimEvent[];
  /** Matched pairs whose attached values differ (listed, not failed: a sample can arrive within the tolerance). */
  valueNotes: string[];
  /** Largest |device − simulator| time over the matched pairs. */
  maxSkewMs: number;
  /** For each simulator event, the device event matched to it (−1: none). */
  pairs: number[];
}

/** Wall-clock mode: each simulator event matched to the earliest unmatched device event of its rule and severity within ±tolerance. */
export function compareWithTolerance(device: SimEvent[], sim: SimEvent[], toleranceMs: number): ToleranceComparison {
  const used = new Array<boolean>(device.length).fill(false);
  const pairs: number[] = [];
  const missing: SimEvent[] = [];
  const valueNotes: string[] = [];
  let maxSkewMs = 0;
  for (const e of sim) {
    let k = -1;
    for (let j = 0; j < device.length; j++) {
      const d = device[j];
      if (!used[j] && d.ruleId === e.ruleId && d.severity === e.severity && Math.abs(d.t - e.t) <= toleranceMs) {
        k = j;
        break;
      }
    }
    pairs.push(k);
    if (k < 0) {
      missing.push(e);
      continue;
    }
    used[k] = true;
    maxSkewMs = Math.max(maxSkewMs, Math.abs(device[k].t - e.t));
    if (JSON.stringify(device[k].values) !== JSON.stringify(e.values)) valueNotes.push(`${e.rule} at +${formatRel(e.rel)}: device ${JSON.stringify(device[k].values)}, simulator ${JSON.stringify(e.values)}`);
  }
  const extra = device.filter((_, j) => !used[j]);
  return { ok: !missing.length && !extra.length, toleranceMs, matched: sim.length - missing.length, missing, extra, valueNotes, maxSkewMs, pairs };
}
