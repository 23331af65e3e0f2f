/**
 * Scenarios: events overlaid on a recording to test rules against attacks the recording did not contain.
 *
 * A scenario is a JSON file or a TypeScript module (default export) validated with the TypeBox schema below.
 * Times count from the start of the recording (its first sample): milliseconds, or "90s", "5m30s", "5:30".
 *
 *   door-open   door = 1 at `at` (door = 0 again at `until`, if given)
 *   gnss-jam    from `from` to `to`: every GNSS sample (position, speed, course, fix, …) is suppressed and
 *               gnss.jamming = `level` (default 200) is reported each second; 0 at `to`.
 *               `reportNoFix: true` also reports gnss.fix = 0 each second, as a receiver printing void fixes would.
 *   spoof       from `from` (to `to`): positions shifted by `north_m`/`east_m` metres (or `dLat`/`dLon` degrees),
 *               reached at once or linearly over `ramp` (a drag-off spoofer)
 *   shock       accel.mag = `peak_g` (default 4 g) for `duration` (default 40 ms) from `at`; the recording's own
 *               accel.mag samples inside the pulse are suppressed
 *   power-cut   power.external = 0 at `at` (1 again at `until`); optional `battery_V` reported at `at`
 *   tow         ignition = 0 from `from` (1 again at `to`) whatever the vehicle does: towed away while moving
 *   set         any catalogue signal = `value` at `at`
 *
 * Baselines: a signal a scenario drives but the recording lacks starts at its normal value at the first sample
 * (door 0, gnss.jamming 0, power.external 1, ignition 1), so rules see a change, not a first value.
 * Overlaid samples come after the recording's samples of the same instant (the overlay wins).
 *
 * Errors name the file and the JSON path: `door-theft.json: $.events[2].at: must match …`.
 */
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { SIGNAL_NAMES, signalMeta, type SignalName } from '../compiler/dsl/catalogue.ts';
import type { SampleColumns } from './trace/samples.ts';
import { DURATION_PATTERN, formatRel, parseDuration } from './time.ts';
// A shift of n metres is n metres to the device's implied-speed check (runtime/engine/geodesy.ts says why).
import { M_PER_DEG_ROUNDED as M_PER_DEG } from '../runtime/engine/geodesy.ts';

const Time = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: DURATION_PATTERN })], {
  description: 'time from the start of the recording: milliseconds, or "90s", "5m30s", "1h2m", "5:30"',
});
const Note = Type.Optional(Type.String({ description: 'shown in the report' }));
const Signal = Type.Union(SIGNAL_NAMES.map((n) => Type.Literal(n)), { description: 'catalogue signal name' });

export const DoorOpen = Type.Object({
  type: Type.Literal('door-open'), at: Time, until: Type.Optional(Time), note: Note,
}, { additionalProperties: false, description: 'door = 1 at `at`, door = 0 at `until`' });

export const GnssJam = Type.Object({
  type: Type.Literal('gnss-jam'), from: Time, to: Time,
  level: Type.Optional(Type.Number({ minimum: 1, maximum: 255, description: 'gnss.jamming level reported (default 200)' })),
  reportNoFix: Type.Optional(Type.Boolean({ description: 'also report gnss.fix = 0 each second' })),
  note: Note,
}, { additionalProperties: false });

export const Spoof = Type.Object({
  type: Type.Literal('spoof'), from: Time, to: Type.Optional(Time),
  north_m: Type.Optional(Type.Number()), east_m: Type.Optional(Type.Number()),
  dLat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })), dLon: Type.Optional(Type.Number({ minimum: -360, maximum: 360 })),
  ramp: Type.Optional(Time),
  note: Note,
}, { additionalProperties: false });

export const Shock = Type.Object({
  type: Type.Literal('shock'), at: Time,
  peak_g: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 111 })),
  duration: Type.Optional(Time),
  note: Note,
}, { additionalProperties: false });

export const PowerCut = Type.Object({
  type: Type.Literal('power-cut'), at: Time, until: Type.Optional(Time),
  battery_V: Type.Optional(Type.Number({ minimum: 0, maximum: 60 })),
  note: Note,
}, { additionalProperties: false });

export const Tow = Type.Object({
  type: Type.Literal('tow'), from: Time, to: Type.Optional(Time), note: Note,
}, { additionalProperties: false });

export const SetSignal = Type.Object({
  type: Type.Literal('set'), at: Time, signal: Signal, value: Type.Number(), note: Note,
}, { additionalProperties: false });

const EVENT_SCHEMAS: Record<string, TSchema> = {
  'door-open': DoorOpen, 'gnss-jam': GnssJam, spoof: Spoof, shock: Shock, 'power-cut': PowerCut, tow: Tow, set: SetSignal,
};

export const ScenarioEvent = Type.Union([DoorOpen, GnssJam, Spoof, Shock, PowerCut, Tow, SetSignal]);

export const ScenarioSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  /** Keep the virtual clock running until this time (timers — "held for 10 minutes" — fire after the recording ends). */
  until: Type.Optional(Time),
  events: Type.Array(ScenarioEvent),
}, { additionalProperties: false, title: 'edgerule scenario' });

export type Scenario = Static<typeof ScenarioSchema>;
export type ScenarioEventT = Static<typeof ScenarioEvent>;

/** For TypeScript scenario files: `export default defineScenario({...})` gets completion and type checks. */
export function defineScenario(s: Scenario): Scenario {
  return s;
}

export class ScenarioError extends Error {
  constructor(readonly file: string, readonly problems: Array<{ path: string; message: string }>) {
    super(problems.map((p) => `${file}: ${p.path}: ${p.message}`).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** JSON pointer "/events/2/at" → JSONPath "$.events[2].at". */
export function jsonPath(pointer: string): string {
  let out = '$';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Schema errors of `value`, one per path, the most specific first (TypeBox reports a failed union once per member). */
export function schemaProblems(schema: TSchema, value: unknown, base = ''): Array<{ path: string; message: string }> {
  const seen = new Map<string, string[]>();
  const allowed = new Map<string, unknown[]>();
  const gotAt = new Map<string, string>();
  for (const e of Value.Errors(schema, value)) {
    if (e.keyword === 'boolean' || e.keyword === 'anyOf') continue;
    const path = base + e.instancePath;
    if (e.keyword === 'const') {
      // A union of literals: one "must be one of …" instead of one line per literal.
      const list = allowed.get(path) ?? [];
      list.push((e.params as { allowedValue: unknown }).allowedValue);
      allowed.set(path, list);
      gotAt.set(path, e.instancePath);
      if (!seen.has(path)) seen.set(path, []);
      continue;
    }
    let message = e.message;
    if (e.keyword === 'additionalProperties') {
      message = `unknown propert${(e.params as { additionalProperties: string[] }).additionalProperties.length > 1 ? 'ies' : 'y'} ${(e.params as { additionalProperties: string[] }).additionalProperties.map((p) => `'${p}'`).join(', ')}`;
    } else if (e.keyword === 'required') {
      message = `missing required propert${(e.params as { requiredProperties: string[] }).requiredProperties.length > 1 ? 'ies' : 'y'} ${(e.params as { requiredProperties: string[] }).requiredProperties.map((p) => `'${p}'`).join(', ')}`;
    }
    const list = seen.get(path) ?? [];
    if (!list.includes(message)) list.push(message);
    seen.set(path, list);
  }
  for (const [path, values] of allowed) {
    const got = gotAt.get(path)!.split('/').slice(1).reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], value);
    const isSignal = values.every((v) => typeof v === 'string' && (SIGNAL_NAMES as readonly string[]).includes(v));
    seen.get(path)!.push(isSignal ? `${JSON.stringify(got)} is not a catalogue signal (compiler/dsl/catalogue.ts)`
      : values.length === 1 ? `must be ${JSON.stringify(values[0])}` : `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(got)})`);
  }
  return [...seen].map(([path, messages]) => ({ path: jsonPath(path), message: messages.join(' or ') }));
}

/** Validates a parsed scenario; throws ScenarioError naming the file and each JSON path. */
export function validateScenario(value: unknown, file: string): Scenario {
  const problems: Array<{ path: string; message: string }> = [];
  const v = value as { events?: unknown };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScenarioError(file, [{ path: '$', message: 'a scenario is an object with "name" and "events"' }]);
  // Top level without the events (each event is checked against the schema its `type` names, for precise errors).
  const { events, ...top } = value as Record<string, unknown>;
  const topSchema = Type.Omit(ScenarioSchema, ['events']);
  problems.push(...schemaProblems(topSchema, top));
  if (!('events' in (value as object))) problems.push({ path: '$', message: "missing required property 'events'" });
  else if (!Array.isArray(events)) problems.push({ path: '$.events', message: 'must be an array' });
  else {
    events.forEach((ev, i) => {
      const type = (ev as { type?: unknown })?.type;
      const schema = typeof type === 'string' ? EVENT_SCHEMAS[type] : undefined;
      if (typeof ev !== 'object' || ev === null) problems.push({ path: `$.events[${i}]`, message: 'must be an object' });
      else if (!schema) problems.push({ path: `$.events[${i}].type`, message: `must be one of ${Object.keys(EVENT_SCHEMAS).map((k) => `'${k}'`).join(', ')}${type === undefined ? '' : ` (got ${JSON.stringify(type)})`}` });
      else problems.push(...schemaProblems(schema, ev, `/events/${i}`));
    });
  }
  if (!problems.length) {
    // Semantics the schema cannot say: ends after starts, a spoof that moves something.
    (v.events as ScenarioEventT[]).forEach((ev, i) => {
      const p = `$.events[${i}]`;
      const start = parseDuration('at' in ev ? ev.at : ev.from);
      const endKey = 'until' in ev && ev.until !== undefined ? 'until' : 'to' in ev && ev.to !== undefined ? 'to' : undefined;
      if (endKey) {
        const end = parseDuration((ev as Record<string, number | string>)[endKey]);
        if (!(end > start)) problems.push({ path: `${p}.${endKey}`, message: `must be after ${'at' in ev ? 'at' : 'from'} (${formatRel(start)}), got ${formatRel(end)}` });
      }
      if (ev.type === 'spoof' && ev.north_m === undefined && ev.east_m === undefined && ev.dLat === undefined && ev.dLon === undefined) {
        problems.push({ path: p, message: 'a spoof needs an offset: north_m / east_m (metres) or dLat / dLon (degrees)' });
      }
      if (ev.type === 'spoof' && (ev.north_m !== undefined || ev.east_m !== undefined) && (ev.dLat !== undefined || ev.dLon !== undefined)) {
        problems.push({ path: p, message: 'give the offset in metres (north_m / east_m) or in degrees (dLat / dLon), not both' });
      }
    });
  }
  if (problems.length) throw new ScenarioError(file, problems);
  return value as Scenario;
}

/** Reads a scenario file: .json, or .ts/.mts/.js/.mjs with a default export (or an export named `scenario`). */
export async function loadScenario(path: string): Promise<Scenario> {
  const file = resolve(path);
  const ext = extname(file).toLowerCase();
  let value: unknown;
  if (ext === '.json') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ScenarioError(path, [{ path: '$', message: `cannot read: ${(e as Error).message}` }]);
    }
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ScenarioError(path, [{ path: '$', message: `not valid JSON: ${(e as Error).message}` }]);
    }
  } else if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown; scenario?: unknown };
    value = mod.default ?? mod.scenario;
    if (value === undefined) throw new ScenarioError(path, [{ path: '$', message: 'the module has no default export (or export named `scenario`)' }]);
  } else {
    throw new ScenarioError(path, [{ path: '$', message: `unknown scenario file type '${ext}' (use .json or .ts)` }]);
  }
  return validateScenario(value, path);
}

// ---------------------------------------------------------------------------------------------------------
// Applying a scenario to a sample stream

/** A scenario event as an absolute time window, for reports. */
export interface ScenarioSpan { index: number; type: ScenarioEventT['type']; label: string; from: number; to: number; note?: string }

export interface AppliedScenario {
  samples: SampleColumns;
  spans: ScenarioSpan[];
  /** Absolute time the replay should run to (undefined: the last sample). */
  until?: number;
  /** Samples suppressed per signal name, samples shifted (spoof), samples added. */
  stats: { suppressed: Record<string, number>; shifted: number; added: number };
}

const ID = (n: SignalName) => signalMeta(n).id;
const LAT = ID('gnss.lat'), LON = ID('gnss.lon'), MAG = ID('accel.mag'), JAM = ID('gnss.jamming'), FIX = ID('gnss.fix');
const DOOR = ID('door'), POWER = ID('power.external'), IGN = ID('ignition'), BATT = ID('battery');
/** Everything a jammed receiver stops delivering. */
const GNSS_JAMMED = (['gnss.lat', 'gnss.lon', 'gnss.speed', 'gnss.course', 'gnss.hdop', 'gnss.sats', 'gnss.fix', 'gnss.fixAge'] as SignalName[]).map(ID);
const BASELINE: Array<[number, number]> = [[DOOR, 0], [JAM, 0], [POWER, 1], [IGN, 1]];

interface Added { t: number; sig: number; value: number; seq: number }

/**
 * Overlays the scenario on time-ordered samples and returns a new time-ordered stream.
 * `file` names the scenario in errors (an event after the end of the replay is an error: it would never act).
 */
export function applyScenario(samples: SampleColumns, sc: Scenario, file = sc.name): AppliedScenario {
  const n = samples.length;
  if (!n) throw new ScenarioError(file, [{ path: '$', message: 'the recording has no samples to overlay' }]);
  const t0 = samples.t[0];
  const tEnd = samples.t[n - 1];
  const until = sc.until !== undefined ? t0 + parseDuration(sc.until) : undefined;
  const end = Math.max(tEnd, until ?? tEnd);
  const problems: Array<{ path: string; message: string }> = [];
  const added: Added[] = [];
  const add = (t: number, sig: number, value: number) => added.push({ t, sig, value, seq: added.length });
  const suppress: Array<Array<[number, number]>> = [];   // per signal id: [from, to) windows
  const suppressWin = (sig: number, from: number, to: number) => (suppress[sig] ??= []).push([from, to]);
  const spoofs: Array<{ from: number; to: number; dN: number; dE: number; dLat: number; dLon: number; ramp: number }> = [];
  const spans: ScenarioSpan[] = [];
  const driven = new Set<number>();
  const rel = (v: number | string) => t0 + parseDuration(v);

  sc.events.forEach((ev, i) => {
    const startKey = 'at' in ev ? 'at' : 'from';
    const start = rel('at' in ev ? ev.at : ev.from);
    if (start > end) {
      problems.push({ path: `$.events[${i}].${startKey}`, message: `${formatRel(start - t0)} is after the end of the replay (${formatRel(end - t0)}); set "until" to run longer` });
      return;
    }
    const note = ev.note;
    switch (ev.type) {
      case 'door-open': {
        const to = ev.until !== undefined ? rel(ev.until) : Infinity;
        add(start, DOOR, 1); driven.add(DOOR);
        if (to !== Infinity) add(to, DOOR, 0);
        spans.push({ index: i, type: ev.type, label: 'door open', from: start, to: Math.min(to, end), note });
        break;
      }
      case 'gnss-jam': {
        const to = rel(ev.to);
        const level = ev.level ?? 200;
        for (const s of GNSS_JAMMED) suppressWin(s, start, to);
        for (let t = start; t < to; t += 1000) {
          add(t, JAM, level);
          if (ev.reportNoFix) add(t, FIX, 0);
        }
        add(to, JAM, 0); driven.add(JAM);
        spans.push({ index: i, type: ev.type, label: `GNSS jammed (level ${level})`, from: start, to: Math.min(to, end), note });
        break;
      }
      case 'spoof': {
        const to = ev.to !== undefined ? rel(ev.to) : Infinity;
        spoofs.push({ from: start, to, dN: ev.north_m ?? 0, dE: ev.east_m ?? 0, dLat: ev.dLat ?? 0, dLon: ev.dLon ?? 0, ramp: ev.ramp !== undefined ? parseDuration(ev.ramp) : 0 });
        const what = ev.north_m !== undefined || ev.east_m !== undefined ? `${ev.north_m ?? 0} m N, ${ev.east_m ?? 0} m E` : `${ev.dLat ?? 0}° lat, ${ev.dLon ?? 0}° lon`;
        spans.push({ index: i, type: ev.type, label: `position spoofed (${what})`, from: start, to: Math.min(to, end), note });
        break;
      }
      case 'shock': {
        const d = ev.duration !== undefined ? parseDuration(ev.duration) : 40;
        suppressWin(MAG, start, start + d);
        // After the pulse: the recording's last accel.mag before it, or 1 g (at rest) if it has none.
        let before = 1;
        for (let k = lastIndexBefore(samples, start); k >= 0; k--) if (samples.sig[k] === MAG) { before = samples.value[k]; break; }
        add(start, MAG, ev.peak_g ?? 4);
        add(start + d, MAG, before);
        spans.push({ index: i, type: ev.type, label: `shock ${ev.peak_g ?? 4} g`, from: start, to: start + d, note });
        break;
      }
      case 'power-cut': {
        const to = ev.until !== undefined ? rel(ev.until) : Infinity;
        add(start, POWER, 0); driven.add(POWER);
        if (ev.battery_V !== undefined) add(start, BATT, ev.battery_V);
        if (to !== Infinity) add(to, POWER, 1);
        spans.push({ index: i, type: ev.type, label: 'external power cut', from: start, to: Math.min(to, end), note });
        break;
      }
      case 'tow': {
        const to = ev.to !== undefined ? rel(ev.to) : Infinity;
        add(start, IGN, 0); driven.add(IGN);
        if (to !== Infinity) add(to, IGN, 1);
        spans.push({ index: i, type: ev.type, label: 'towed (ignition off)', from: start, to: Math.min(to, end), note });
        break;
      }
      case 'set': {
        add(start, ID(ev.signal), ev.value);
        spans.push({ index: i, type: ev.type, label: `${ev.signal} = ${ev.value}`, from: start, to: start, note });
        break;
      }
    }
  });
  if (problems.length) throw new ScenarioError(file, problems);

  // Baselines for driven signals the recording never reports.
  const present = new Uint8Array(256);
  for (let i = 0; i < n; i++) present[samples.sig[i]] = 1;
  const baselines: Added[] = [];
  for (const [sig, value] of BASELINE) if (driven.has(sig) && !present[sig]) baselines.push({ t: t0, sig, value, seq: -1 });
  const overlay = [...baselines, ...added].sort((a, b) => a.t - b.t || a.seq - b.seq);

  const stats = { suppressed: {} as Record<string, number>, shifted: 0, added: overlay.length };
  const outT = new Float64Array(n + overlay.length);
  const outG = new Uint8Array(n + overlay.length);
  const outV = new Float64Array(n + overlay.length);
  let o = 0;
  let a = 0;
  const suppressedBy = new Float64Array(256);
  // Baselines go before the first instant's samples; everything else after the samples of its instant.
  while (a < overlay.length && overlay[a].seq === -1) { outT[o] = overlay[a].t; outG[o] = overlay[a].sig; outV[o] = overlay[a].value; o++; a++; }
  for (let i = 0; i < n; i++) {
    const t = samples.t[i];
    while (a < overlay.length && overlay[a].t < t) { outT[o] = overlay[a].t; outG[o] = overlay[a].sig; outV[o] = overlay[a].value; o++; a++; }
    const sig = samples.sig[i];
    const wins = suppress[sig];
    if (wins !== undefined && wins.some(([f, e]) => t >= f && t < e)) { suppressedBy[sig]++; continue; }
    let value = samples.value[i];
    if ((sig === LAT || sig === LON) && spoofs.length) {
      for (const s of spoofs) {
        if (t < s.from || t >= s.to) continue;
        const k = s.ramp > 0 ? Math.min(1, (t - s.from) / s.ramp) : 1;
        if (sig === LAT) value += k * (s.dLat + s.dN / M_PER_DEG);
        else value += k * (s.dLon + s.dE / (M_PER_DEG * Math.cos(latitudeNear(samples, i) * Math.PI / 180)));
        stats.shifted++;
      }
    }
    outT[o] = t; outG[o] = sig; outV[o] = value; o++;
  }
  while (a < overlay.length) { outT[o] = overlay[a].t; outG[o] = overlay[a].sig; outV[o] = overlay[a].value; o++; a++; }
  for (let s = 0; s < 256; s++) if (suppressedBy[s]) stats.suppressed[nameOf(s)] = suppressedBy[s];
  return {
    samples: { t: outT.subarray(0, o), sig: outG.subarray(0, o), value: outV.subarray(0, o), length: o },
    spans,
    until,
    stats,
  };
}

function nameOf(id: number): string {
  return SIGNAL_NAMES.find((n) => signalMeta(n).id === id) ?? `signal#${id}`;
}

/** Index of the last sample with t < time (−1 if none). */
function lastIndexBefore(s: SampleColumns, time: number): number {
  let lo = 0, hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.t[mid] < time) lo = mid + 1; else hi = mid;
  }
  return lo - 1;
}

/** The latitude of the fix a longitude sample belongs to (same instant), else the nearest earlier one. */
function latitudeNear(s: SampleColumns, i: number): number {
  for (let k = i; k >= 0 && k > i - 64; k--) if (s.sig[k] === LAT) return s.value[k];
  for (let k = i; k < s.length && k < i + 64; k++) if (s.sig[k] === LAT) return s.value[k];
  return 0;
}
