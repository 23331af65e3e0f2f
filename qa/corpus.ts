/**
 * A QA corpus: recorded drives with what is known about them (docs/QA.md, "Corpus format").
 *
 * Either a manifest (a JSON file, or `corpus.json` inside a folder), validated with the TypeBox schema below —
 * errors name the file and the JSON path —, or a plain folder of recordings: every trace file is one normal
 * drive and every sub-folder one drive of the files in it merged (simulator/batch.ts's units), with optional
 * metadata in `<name>.drive.json` beside a file or `drive.json` inside a sub-folder (the Drive schema without
 * `id` and `traces`).
 *
 * Times in a drive (incident windows, `until`) count from the first sample, like scenario times. `start` puts
 * recordings without a date on the calendar: an ISO date-time with an offset, or a local one with `timeZone`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import { loadScenario, schemaProblems, ScenarioError, type Scenario } from '../simulator/scenario.ts';
import { batchUnits } from '../simulator/batch.ts';
import { DURATION_PATTERN, parseDuration } from '../simulator/time.ts';
import { zonedToEpoch } from './zone.ts';

const Time = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: DURATION_PATTERN })], {
  description: 'time from the first sample: milliseconds, or "90s", "5m30s", "1h2m", "5:30"',
});
const Tags = Type.Record(Type.String(), Type.String(), { description: 'free-form labels such as vehicle or lane' });
const RuleNames = Type.Array(Type.String({ minLength: 1 }), { description: 'rules expected to detect it (empty or absent: any rule)' });

export const IncidentSchema = Type.Object({
  from: Time,
  to: Type.Optional(Time),
  rules: Type.Optional(RuleNames),
  note: Type.Optional(Type.String()),
}, { additionalProperties: false, description: 'a labelled incident window' });

const DriveFields = {
  kind: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('incident')], { description: 'default: incident when it has a scenario or incidents, else normal' })),
  offsets: Type.Optional(Type.Array(Type.Number(), { description: 'time shift (ms) of each trace, in order' })),
  scenario: Type.Optional(Type.String({ minLength: 1, description: 'scenario file to overlay (relative to the manifest)' })),
  incidents: Type.Optional(Type.Array(IncidentSchema)),
  start: Type.Optional(Type.String({ minLength: 1, description: 'calendar start of undated recordings: ISO 8601, with an offset or with timeZone' })),
  timeZone: Type.Optional(Type.String({ minLength: 1, description: 'IANA time zone of the drive, e.g. Pacific/Auckland' })),
  until: Type.Optional(Time),
  tags: Type.Optional(Tags),
};

export const DriveSchema = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@+~-]*$', description: 'unique; letters, digits, . _ @ + ~ -' }),
  traces: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'recordings of one drive, merged (relative to the manifest)' }),
  ...DriveFields,
}, { additionalProperties: false });

/** `<name>.drive.json` / `drive.json` in a plain folder corpus: a drive without id and traces. */
export const DriveMetaSchema = Type.Object({ ...DriveFields }, { additionalProperties: false });

export const InjectionSchema = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
  scenario: Type.String({ minLength: 1 }),
  incidents: Type.Optional(Type.Array(IncidentSchema)),
  until: Type.Optional(Time),
  tags: Type.Optional(Tags),
}, { additionalProperties: false, description: 'also replay every normal drive with this scenario, as an incident drive "<id>@<name>"' });

export const CorpusSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  maxGap: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: DURATION_PATTERN })], { description: 'gaps between samples longer than this do not count as driving time or distance (default 5m)' })),
  detectWithin: Type.Optional(Time),
  scenarioRules: Type.Optional(Type.Record(Type.String(), RuleNames, { description: 'scenario event type → rules expected to detect it, for incidents taken from scenario windows' })),
  defaults: Type.Optional(Type.Object({ start: Type.Optional(Type.String()), timeZone: Type.Optional(Type.String()), tags: Type.Optional(Tags) }, { additionalProperties: false })),
  drives: Type.Array(DriveSchema),
  inject: Type.Optional(Type.Array(InjectionSchema)),
}, { additionalProperties: false, title: 'edgerule QA corpus' });

export type CorpusFile = Static<typeof CorpusSchema>;
type DriveSpec = Static<typeof DriveSchema>;
type IncidentSpec = Static<typeof IncidentSchema>;

/** An incident window in ms from the first sample; `rules` empty: any rule counts as a detection. */
export interface Incident { from: number; to: number; rules: string[]; note?: string }

export interface Drive {
  id: string;
  kind: 'normal' | 'incident';
  /** Absolute paths. */
  traces: string[];
  offsets?: number[];
  scenario?: { file: string; scenario: Scenario };
  incidents: Incident[];
  startMs?: number;
  timeZone?: string;
  untilRel?: number;
  tags: Record<string, string>;
  /** Where it was declared, for messages: file and JSON path, and the JSON path alone. */
  where: string;
  path: string;
}

export interface Corpus {
  name: string;
  description?: string;
  /** The manifest or folder it was read from. */
  source: string;
  maxGapMs: number;
  detectWithinMs: number;
  drives: Drive[];
}

type Problem = { path: string; message: string };

const DEFAULT_MAX_GAP = 300_000;
const DEFAULT_DETECT_WITHIN = 1_800_000;

/** Reads a corpus: a manifest file, a folder with corpus.json, or a folder of recordings. */
export async function loadCorpus(path: string): Promise<Corpus> {
  if (!existsSync(path)) throw new ScenarioError(path, [{ path: '$', message: 'no such corpus file or folder' }]);
  if (statSync(path).isDirectory()) {
    const manifest = join(path, 'corpus.json');
    return existsSync(manifest) ? loadManifest(manifest) : loadFolder(path);
  }
  return loadManifest(path);
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(file, [{ path: '$', message: `cannot read: ${(e as Error).message}` }]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(file, [{ path: '$', message: `not valid JSON: ${(e as Error).message}` }]);
  }
}

async function loadManifest(file: string): Promise<Corpus> {
  const value = readJson(file);
  const problems = schemaProblems(CorpusSchema, value);
  if (problems.length) throw new ScenarioError(file, problems);
  const c = value as CorpusFile;
  const base = dirname(resolve(file));
  const maxGapMs = c.maxGap !== undefined ? parseDuration(c.maxGap) : DEFAULT_MAX_GAP;
  const detectWithinMs = c.detectWithin !== undefined ? parseDuration(c.detectWithin) : DEFAULT_DETECT_WITHIN;
  const drives: Drive[] = [];
  const scenarios = new Map<string, Scenario>();
  for (const [i, d] of c.drives.entries()) {
    const at = `$.drives[${i}]`;
    const merged = { ...d, start: d.start ?? c.defaults?.start, timeZone: d.timeZone ?? c.defaults?.timeZone, tags: { ...c.defaults?.tags, ...d.tags } };
    drives.push(await resolveDrive(merged, base, file, at, c.scenarioRules, scenarios, problems));
  }
  for (const [k, inj] of (c.inject ?? []).entries()) {
    const at = `$.inject[${k}]`;
    for (const d of c.drives.filter((x) => (x.kind ?? (x.scenario || x.incidents ? 'incident' : 'normal')) === 'normal')) {
      const spec: DriveSpec = {
        ...d, id: `${d.id}@${inj.name}`, kind: 'incident', scenario: inj.scenario, incidents: inj.incidents, until: inj.until ?? d.until,
        start: d.start ?? c.defaults?.start, timeZone: d.timeZone ?? c.defaults?.timeZone, tags: { ...c.defaults?.tags, ...d.tags, ...inj.tags, injected: inj.name },
      };
      drives.push(await resolveDrive(spec, base, file, at, c.scenarioRules, scenarios, problems));
    }
  }
  const seen = new Map<string, string>();
  for (const d of drives) {
    const first = seen.get(d.id);
    if (first) problems.push({ path: d.path, message: `drive id '${d.id}' is already used at ${first}` });
    else seen.set(d.id, d.path);
  }
  if (problems.length) throw new ScenarioError(file, problems);
  return { name: c.name, description: c.description, source: file, maxGapMs, detectWithinMs, drives };
}

/** A folder of recordings: batch units as normal drives, with optional drive metadata files. */
async function loadFolder(folder: string): Promise<Corpus> {
  const problems: Problem[] = [];
  const drives: Drive[] = [];
  const scenarios = new Map<string, Scenario>();
  let metaFile = '';
  for (const unit of batchUnits(folder)) {
    const single = unit.traces.length === 1 && basename(unit.traces[0]) === unit.id;
    metaFile = single ? join(folder, basename(unit.id, extname(unit.id)) + '.drive.json') : join(folder, unit.id, 'drive.json');
    let meta: Static<typeof DriveMetaSchema> = {};
    if (existsSync(metaFile)) {
      const value = readJson(metaFile);
      const own = schemaProblems(DriveMetaSchema, value);
      if (own.length) throw new ScenarioError(metaFile, own);
      meta = value as typeof meta;
    }
    const spec: DriveSpec = { ...meta, id: unit.id.replace(/[^A-Za-z0-9._@+~-]+/g, '_'), traces: unit.traces };
    const d = await resolveDrive(spec, dirname(metaFile), metaFile, '$', undefined, scenarios, problems);
    if (problems.length) throw new ScenarioError(metaFile, problems);
    drives.push(d);
  }
  return { name: basename(resolve(folder)), source: folder, maxGapMs: DEFAULT_MAX_GAP, detectWithinMs: DEFAULT_DETECT_WITHIN, drives };
}

async function resolveDrive(d: DriveSpec, base: string, file: string, at: string, scenarioRules: Record<string, string[]> | undefined,
  scenarios: Map<string, Scenario>, problems: Problem[]): Promise<Drive> {
  const before = problems.length;
  const traces = d.traces.map((t) => resolve(base, t));
  traces.forEach((t, k) => {
    if (!existsSync(t)) problems.push({ path: `${at}.traces[${k}]`, message: `no such file: ${t}` });
  });
  if (d.offsets && d.offsets.length > d.traces.length) problems.push({ path: `${at}.offsets`, message: `${d.offsets.length} offsets for ${d.traces.length} traces` });
  let scenario: Drive['scenario'];
  if (d.scenario) {
    const sf = resolve(base, d.scenario);
    try {
      let sc = scenarios.get(sf);
      if (!sc) { sc = await loadScenario(sf); scenarios.set(sf, sc); }
      scenario = { file: sf, scenario: sc };
    } catch (e) {
      problems.push({ path: `${at}.scenario`, message: (e as Error).message });
    }
  }
  let startMs: number | undefined;
  if (d.start !== undefined) {
    try {
      startMs = zonedToEpoch(d.start, d.timeZone);
    } catch (e) {
      problems.push({ path: `${at}.start`, message: (e as Error).message });
    }
  } else if (d.timeZone !== undefined) {
    try { zonedToEpoch('2000-01-01T00:00:00', d.timeZone); } catch (e) { problems.push({ path: `${at}.timeZone`, message: (e as Error).message }); }
  }
  const incidents = (d.incidents ?? []).map((x, k) => incident(x, `${at}.incidents[${k}]`, problems));
  if (!d.incidents && scenario) incidents.push(...scenarioIncidents(scenario.scenario, scenarioRules));
  const kind = d.kind ?? (d.scenario || d.incidents ? 'incident' : 'normal');
  if (kind === 'incident' && !incidents.length && problems.length === before) problems.push({ path: at, message: 'an incident drive needs incidents, or a scenario with events to take them from' });
  if (kind === 'normal' && d.incidents?.length) problems.push({ path: `${at}.incidents`, message: "a normal drive has no incidents: set kind to 'incident'" });
  return {
    id: d.id, kind, traces, offsets: d.offsets, scenario, incidents, startMs, timeZone: d.timeZone,
    untilRel: d.until !== undefined ? parseDuration(d.until) : undefined, tags: d.tags ?? {}, where: `${file}: ${at}`, path: at,
  };
}

function incident(x: IncidentSpec, at: string, problems: Problem[]): Incident {
  const from = parseDuration(x.from);
  const to = x.to !== undefined ? parseDuration(x.to) : from;
  if (!(to >= from)) problems.push({ path: `${at}.to`, message: 'the window ends before it starts' });
  return { from, to, rules: x.rules ?? [], ...(x.note ? { note: x.note } : {}) };
}

/** A scenario's events as incident windows (`set` events are stage setting, not incidents). */
export function scenarioIncidents(sc: Scenario, scenarioRules: Record<string, string[]> = {}): Incident[] {
  const out: Incident[] = [];
  for (const ev of sc.events) {
    if (ev.type === 'set') continue;
    const from = parseDuration('at' in ev ? ev.at : ev.from);
    const end = 'until' in ev && ev.until !== undefined ? ev.until : 'to' in ev && ev.to !== undefined ? ev.to : undefined;
    out.push({ from, to: end !== undefined ? parseDuration(end) : from, rules: scenarioRules[ev.type] ?? [], note: ev.note ?? ev.type });
  }
  return out;
}

/** Rule names an incident expects that the bundle does not have (a typo would silently count as a miss). */
export function unknownRules(corpus: Corpus, ruleNames: string[]): string[] {
  const known = new Set(ruleNames);
  const bad: string[] = [];
  for (const d of corpus.drives) {
    for (const [k, x] of d.incidents.entries()) {
      for (const r of x.rules) if (!known.has(r)) bad.push(`${d.where}.incidents[${k}]: the bundle has no rule '${r}'`);
    }
  }
  return [...new Set(bad)];
}
