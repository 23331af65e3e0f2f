/**
 * Summaries of a replay: the terminal text (events per rule, first/last time, samples read/skipped with reasons,
 * real-time factor) and the machine summary printed by `--json` / written as summary.json.
 * Wall-clock figures (timing, real-time factor) appear only here, never in events.jsonl or the HTML report.
 */
import { styleText } from 'node:util';
import type { SimResult, SimEvent } from './run.ts';
import { formatRel, formatWall, iso } from './time.ts';
import type { Severity } from '../compiler/dsl/rule.ts';
import { terminalText } from '../cli/safe-text.ts';
import type { TraceIssue } from './trace/index.ts';
import { valueText } from './units.ts';

export interface RuleCount { rule: string; severity: string; count: number; firstMs: number; lastMs: number; firstRel: number; lastRel: number }

export function eventsPerRule(events: SimEvent[]): RuleCount[] {
  const m = new Map<string, RuleCount>();
  for (const e of events) {
    const c = m.get(e.rule);
    if (c) { c.count++; c.lastMs = e.t; c.lastRel = e.rel; }
    else m.set(e.rule, { rule: e.rule, severity: e.severity, count: 1, firstMs: e.t, lastMs: e.t, firstRel: e.rel, lastRel: e.rel });
  }
  return [...m.values()].sort((a, b) => a.firstMs - b.firstMs || (a.rule < b.rule ? -1 : 1));
}

export interface MachineSummary {
  bundle: { source: string; sha256: string; bytes: number; rules: number };
  /** Each rule's severity and attached values with their catalogue units (events.jsonl values are in these units). */
  rules: Array<{ id: number; name: string; severity: string; attach: Array<{ name: string; unit: string | null }> }>;
  traces: Array<{ file: string; format: string; samples: number; hasDate: boolean; issues: number }>;
  scenario?: { name: string; file: string; events: number; added: number; shifted: number; suppressed: Record<string, number> };
  start: string;
  startMs: number;
  until: string;
  durationMs: number;
  samples: { read: number; replayed: number; skipped: Array<{ reason: string; count: number }>; issues: number };
  /** Every issue of the readers and of the merge, in order: file, line (0: the whole file), reason. */
  issues: TraceIssue[];
  events: { total: number; perRule: RuleCount[] };
  actions: number;
  signed?: { records: number; bytes: number; device: number; signing: string };
  /** Wall clock: varies run to run. */
  timing: { readMs: number; replayMs: number; samplesPerS: number; realTimeFactor: number };
  expectations?: { passed: number; failed: number; ok: boolean };
}

export function machineSummary(r: SimResult): MachineSummary {
  const wall = r.timing.readMs + r.timing.replayMs;
  return {
    bundle: { source: r.bundle.source, sha256: r.bundle.sha256, bytes: r.bundle.bytes.length, rules: r.bundle.rules.length },
    rules: r.bundle.rules.map((x) => ({ id: x.id, name: x.name, severity: x.severity, attach: x.attach.map((name, i) => ({ name, unit: x.attachUnits[i] ?? null })) })),
    traces: r.inputs.traces.map((t) => ({ file: t.file, format: t.format, samples: t.samples, hasDate: t.hasDate, issues: t.issues })),
    scenario: r.scenario ? { name: r.scenario.name, file: r.scenario.file, events: r.scenario.spans.length, added: r.scenario.stats.added, shifted: r.scenario.stats.shifted, suppressed: r.scenario.stats.suppressed } : undefined,
    start: iso(r.t0), startMs: r.t0, until: iso(r.until), durationMs: r.until - r.t0,
    samples: { read: r.recorded.length, replayed: r.replayed.length, skipped: r.skipped, issues: r.inputs.issues.length },
    issues: r.inputs.issues,
    events: { total: r.events.length, perRule: eventsPerRule(r.events) },
    actions: r.actions.length,
    signed: r.signed ? { records: r.signed.records, bytes: r.signed.bytes.length, device: r.signed.device, signing: r.signed.signing } : undefined,
    timing: {
      readMs: round(r.timing.readMs), replayMs: round(r.timing.replayMs),
      samplesPerS: Math.round(r.replayed.length / (wall / 1000)),
      realTimeFactor: round((r.until - r.t0) / wall),
    },
  };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** 12345 → "12,345". */
export function group(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function rate(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0) + ' ';
}

/** A colour for every severity (typed by the device's names, so a new severity needs one here). */
const SEV_COLOR: Record<Severity, 'red' | 'yellow' | 'cyan'> = { critical: 'red', warning: 'yellow', info: 'cyan' };

/** One line per event, for live output and the terminal list. */
export function eventLine(e: SimEvent, color = false): string {
  const sev = e.severity.padEnd(8);
  const vals = Object.entries(e.values).filter(([, v]) => v !== null).map(([k, v]) => `${terminalText(k)}=${valueText(v as number, e.units[k])}`).join(' ');
  return `${iso(e.t)}  +${formatRel(e.rel).padEnd(9)} ${color ? styleText(SEV_COLOR[e.severity as Severity] ?? 'white', terminalText(sev)) : terminalText(sev)} ${terminalText(e.rule)}${vals ? '  ' + vals : ''}`;
}

/** Line numbers listed per kind of issue before "…": the rest are in summary.json. */
const LINES_SHOWN = 8;

/**
 * The issues as the terminal shows them: one line per file and reason, in order of first occurrence, with the lines
 * where it happened (a reason that recurs hundreds of times is one line, its count and its first lines).
 */
export function issueLines(issues: readonly TraceIssue[]): string[] {
  const groups = new Map<string, { first: TraceIssue; where: string[] }>();
  for (const is of issues) {
    // Issues that differ only in their numbers (times, checksums, line ranges) are one kind.
    const key = `${is.file}\0${is.reason.replace(/[\w.:]*\d[\w.:]*/g, '#')}`;
    const where = is.offset !== undefined ? `byte ${is.offset}` : is.line ? String(is.line) : '';
    const g = groups.get(key);
    if (g) { if (where) g.where.push(where); } else groups.set(key, { first: is, where: where ? [where] : [] });
  }
  return [...groups.values()].map(({ first, where }) => {
    const at = where.length ? `:${where[0]}` : '';
    const text = first.text ? ` — ${terminalText(first.text)}` : '';
    const file = terminalText(first.file);
    const reason = terminalText(first.reason);
    if (where.length <= 1) return `${file}${at}: ${reason}${text}`;
    const more = where.slice(1, LINES_SHOWN + 1).join(', ') + (where.length > LINES_SHOWN + 1 ? ', …' : '');
    return `${file}${at}: ${reason}${text}; and ${where.length - 1} more like it (${where[0].startsWith('byte') ? '' : 'lines '}${more})`;
  });
}

export function terminalSummary(r: SimResult, opts: { color?: boolean; listEvents?: boolean } = {}): string {
  const s = machineSummary(r);
  const lines: string[] = [];
  const bold = (x: string) => (opts.color ? styleText('bold', x) : x);
  // Names from files (traces, scenario, rules, reasons) pass terminalText(): their control characters must not act.
  const t = terminalText;
  lines.push(bold(`replayed ${r.inputs.traces.map((x) => t(x.name)).join(' + ')}${r.scenario ? ` with scenario ${t(r.scenario.name)}` : ''} through ${t(r.bundle.source)} (${r.bundle.rules.length} rules)`));
  lines.push(`  ${s.start} → ${s.until} (${formatRel(s.durationMs)} of virtual time)`);
  if (opts.listEvents && r.events.length) {
    lines.push('', bold('events:'));
    for (const e of r.events) lines.push('  ' + eventLine(e, opts.color));
  }
  lines.push('', bold(`events: ${r.events.length}`) + (r.actions.length ? ` (and ${r.actions.length} output/interval changes)` : ''));
  if (s.events.perRule.length) {
    const w = Math.max(4, ...s.events.perRule.map((c) => t(c.rule).length));
    lines.push(`  ${'rule'.padEnd(w)}  severity  count  first       last`);
    for (const c of s.events.perRule) lines.push(`  ${t(c.rule).padEnd(w)}  ${t(c.severity).padEnd(8)}  ${String(c.count).padStart(5)}  +${formatRel(c.firstRel).padEnd(10)} +${formatRel(c.lastRel)}`);
  }
  if (r.signed) lines.push(`  signed event stream: ${r.signed.records} records (${r.signed.signing} signing, device ${r.signed.device}), ${group(r.signed.bytes.length)} bytes`);
  const silent = r.bundle.rules.filter((x) => !s.events.perRule.some((c) => c.rule === x.name)).map((x) => x.name);
  if (silent.length) lines.push(`  silent: ${silent.map(t).join(', ')}`);
  lines.push('', bold('samples:') + ` ${group(s.samples.read)} read from ${s.traces.length} file${s.traces.length === 1 ? '' : 's'}, ${group(s.samples.replayed)} replayed`);
  for (const x of s.traces) lines.push(`  ${t(x.file)}: ${x.format}, ${group(x.samples)} samples${x.hasDate ? '' : ' (no date in the file)'}${x.issues ? `, ${x.issues} issue${x.issues === 1 ? '' : 's'}` : ''}`);
  if (r.scenario) {
    const sup = Object.entries(r.scenario.stats.suppressed).map(([k, v]) => `${group(v)} ${k}`).join(', ');
    lines.push(`  scenario: +${group(r.scenario.stats.added)} added, ${group(r.scenario.stats.shifted)} positions shifted${sup ? `, suppressed ${sup}` : ''}`);
  }
  if (s.samples.skipped.length) {
    lines.push('  skipped by the readers:');
    for (const k of s.samples.skipped) lines.push(`    ${group(k.count).padStart(8)}  ${t(k.reason)}`);
  } else if (!s.issues.length) {
    lines.push('  skipped by the readers: none');
  }
  if (s.issues.length) {
    lines.push('', bold(`issues: ${s.issues.length}`) + ' (every one in summary.json and --json)');
    for (const line of issueLines(s.issues)) lines.push('  ' + line);
  }
  lines.push('', bold('speed:') + ` read ${formatWall(s.timing.readMs)}, replay ${formatWall(s.timing.replayMs)}: ${rate(s.timing.samplesPerS)}samples/s, real-time factor ${s.timing.realTimeFactor >= 100 ? group(s.timing.realTimeFactor) : s.timing.realTimeFactor}×`);
  return lines.join('\n');
}
