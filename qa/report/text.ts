/** The terminal tables of `edgerule qa` and `edgerule tune`. */
import { styleText } from 'node:util';
import { formatRel } from '../../simulator/time.ts';
import type { LibraryFigures } from '../figures.ts';
import type { QaReport } from '../run.ts';

export function table(head: string[], rows: string[][], right: Set<number> = new Set()): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((x, i) => (right.has(i) ? x.padStart(w[i]) : x.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

export const num = (v: number | null, digits = 1) => (v === null ? '–' : v.toFixed(digits));
export const dur = (v: number | null) => (v === null ? '–' : formatRel(v));

function coverageCell(r: LibraryFigures['rules'][number]): string {
  const c = r.coverage;
  if (!c) return '';
  const both = c.conditions.filter((x) => x.trueDrives && x.falseDrives).length;
  return `${both}/${c.conditions.length}${c.firedDrives ? ` fired ×${c.firedDrives}` : ' never fired'}`;
}

export function libraryText(f: LibraryFigures, color = false): string {
  const bold = (s: string) => (color ? styleText('bold', s) : s);
  const x = f.exposure;
  const lines = [
    bold(`${f.bundle.source} (${f.bundle.rules} rules, sha256 ${f.bundle.sha256.slice(0, 12)}…)`),
    `  normal driving: ${x.normalDrives} drives, ${num(x.hours, 2)} h, ${num(x.km, 1)} km; incidents: ${x.incidents} on ${x.incidentDrives} drives; ${x.samples} samples replayed`,
    '',
  ];
  const rows = f.rules.map((r) => [
    r.rule, String(r.alerts), num(r.per1000h), num(r.per10000km),
    r.incidents.expected ? `${r.incidents.detected}/${r.incidents.expected}` : '–',
    dur(r.incidents.p50), dur(r.incidents.p95), dur(r.incidents.max), String(r.otherAlerts), coverageCell(r),
  ]);
  const o = f.overall;
  rows.push(['all rules', String(o.alerts), num(o.per1000h), num(o.per10000km), o.incidents.total ? `${o.incidents.detected}/${o.incidents.total}` : '–', dur(o.incidents.p50), dur(o.incidents.p95), dur(o.incidents.max), '', '']);
  lines.push(table(['rule', 'false alarms', '/1000 h', '/10^4 km', 'detected', 'p50', 'p95', 'max', 'other', 'sub-conditions seen both ways'], rows, new Set([1, 2, 3, 4, 5, 6, 7, 8])));
  lines.push('', '  false alarms: events on normal drives; detected: incident windows caught by the rule they expect (all rules: by any');
  lines.push('  expected rule); p50/p95/max: detection latency; other: events on incident drives outside every window');
  if (f.errors.length) {
    lines.push('', (color ? styleText('red', 'could not replay') : 'could not replay') + ` ${f.errors.length} drive(s):`);
    for (const e of f.errors) lines.push(`  ${e.message}`);
  }
  return lines.join('\n');
}

const MARK = { both: '■', true: '+', false: '−', never: '·' };

/** One row per rule: a mark per sub-condition (what the corpus saw), then whether the rule fired. */
export function coverageText(f: LibraryFigures): string {
  const rows = f.rules.filter((r) => r.coverage);
  if (!rows.length) return '';
  const w = Math.max(...rows.map((r) => r.rule.length));
  const lines = [`coverage: ${MARK.both} seen true and false, ${MARK.true} only true, ${MARK.false} only false, ${MARK.never} never evaluated; then fired on how many drives`];
  for (const r of rows) {
    const c = r.coverage!;
    const marks = c.conditions.map((x) => (x.trueDrives && x.falseDrives ? MARK.both : x.trueDrives ? MARK.true : x.falseDrives ? MARK.false : MARK.never)).join('');
    lines.push(`  ${r.rule.padEnd(w)}  ${marks.padEnd(22)} ${c.firedDrives ? `fired on ${c.firedDrives}` : 'never fired'}`);
  }
  return lines.join('\n');
}

export function qaText(r: QaReport, color = false): string {
  const out = [`corpus ${r.corpus.name} (${r.corpus.source}): ${r.corpus.drives} drives`, '', libraryText(r.library, color)];
  if (r.groups) {
    out.push('', `by ${r.groups.tag}:`, table([r.groups.tag, 'drives', 'hours', 'km', 'false alarms', '/1000 h', '/10^4 km', 'detected', 'p50', 'p95'],
      r.groups.rows.map((g) => [g.value, String(g.drives), num(g.hours, 2), num(g.km), String(g.alerts), num(g.per1000h), num(g.per10000km), g.incidents ? `${g.detected}/${g.incidents}` : '–', dur(g.p50), dur(g.p95)]),
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9])).split('\n').map((l) => '  ' + l).join('\n'));
  }
  const cov = coverageText(r.library);
  if (cov) out.push('', cov);
  if (r.baseline) {
    const b = r.baseline;
    out.push('', `baseline ${b.library.bundle.source} (sha256 ${b.library.bundle.sha256.slice(0, 12)}…): ${b.appeared} events appeared, ${b.disappeared} disappeared on ${b.diff.length} drive(s)`);
    for (const d of b.diff.slice(0, 30)) {
      const ev = (list: Array<{ rule: string; ms: number }>, sign: string) => list.map((e) => `${sign}${e.rule}@${formatRel(e.ms)}`);
      out.push(`  ${d.drive}: ${[...ev(d.appeared, '+'), ...ev(d.disappeared, '−')].join(', ')}`);
    }
    if (b.diff.length > 30) out.push(`  … ${b.diff.length - 30} more drives (see qa.json)`);
  }
  return out.join('\n');
}
