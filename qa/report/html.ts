/**
 * The QA page: one offline HTML file (inline SVG and CSS, the report's Content-Security-Policy, no script) with
 * false alarms per rule, detection latency distributions, the coverage matrix, the baseline diff, the drives,
 * and the gates. Deterministic: the same report gives the same bytes.
 */
import { esc, pageTop } from '../../simulator/report/html.ts';
import { CSS } from '../../simulator/report/assets.ts';
import { formatRel } from '../../simulator/time.ts';
import type { ExpectationReport } from '../../simulator/expect.ts';
import type { LibraryFigures, RuleFigures } from '../figures.ts';
import type { QaReport } from '../run.ts';

export const QA_CSS = `
.plot .bar { fill: var(--track); } .plot .bar.km { fill: var(--route); }
.plot .dot { fill: var(--critical); fill-opacity: .55; } .plot .p50 { stroke: #1d2330; stroke-width: 2; } .plot .p95 { stroke: var(--warning); stroke-width: 2; }
.cov .both { fill: #12b76a; } .cov .true-only { fill: #fdb022; } .cov .false-only { fill: #84adff; } .cov .never { fill: #d0d5dd; }
.cov .fired { fill: #d92d20; } .cov .silent { fill: #fff; stroke: #d92d20; }
.pass { color: #067647; font-weight: 600; } .fail { color: var(--critical); font-weight: 600; }
.front { fill: none; stroke: var(--critical); stroke-width: 1.5; } .pt { fill: var(--track); } .pt.pareto { fill: var(--critical); }
`;

export function page(title: string, body: string): string {
  return `${pageTop(title, CSS + QA_CSS, "drive names can point at real people's trips")}
<main>
${body}
</main>
</body>
</html>
`;
}

const f1 = (v: number) => (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, '');
const fmt = (v: number | null, d = 1) => (v === null ? '–' : v.toFixed(d));
const dur = (v: number | null) => (v === null ? '–' : formatRel(v));

/** Horizontal bars, one per row, scaled to the largest value (null: drawn as "n/a"). */
export function barChart(id: string, rows: Array<{ label: string; value: number | null }>, cls: string, unit: string): string {
  const X0 = 230, X1 = 900, ROW = 18;
  const max = Math.max(1e-9, ...rows.map((r) => r.value ?? 0));
  const h = rows.length * ROW + 24;
  const out = [`<svg id="${id}" class="plot" viewBox="0 0 1000 ${h}" role="img" aria-label="${esc(unit)}">`];
  rows.forEach((r, i) => {
    const y = 8 + i * ROW;
    const w = r.value ? (r.value / max) * (X1 - X0) : 0;
    out.push(`<text x="${X0 - 6}" y="${y + 12}" text-anchor="end">${esc(r.label)}</text>`);
    out.push(`<rect class="bar ${cls}" data-rule="${esc(r.label)}" x="${X0}" y="${y + 2}" width="${f1(Math.max(w, r.value ? 1 : 0))}" height="${ROW - 5}"><title>${esc(r.label)}: ${r.value === null ? 'n/a' : r.value} ${esc(unit)}</title></rect>`);
    out.push(`<text x="${f1(X0 + w + 4)}" y="${y + 12}" class="muted">${r.value === null ? 'n/a' : r.value}</text>`);
  });
  out.push(`<text x="${X0}" y="${h - 4}" class="muted">${esc(unit)}</text></svg>`);
  return out.join('');
}

/** Latency of each detection on a log-like axis (0, 1 s, 10 s, 1 min, 10 min, 1 h), with p50 and p95 ticks. */
function latencyPlot(rules: RuleFigures[]): string {
  const shown = rules.filter((r) => r.incidents.expected > 0);
  if (!shown.length) return '<p class="legend">No incident in the corpus names a rule: no per-rule latencies.</p>';
  const X0 = 230, X1 = 960, ROW = 20;
  const maxMs = Math.max(3_600_000, ...shown.flatMap((r) => r.incidents.latenciesMs));
  const sx = (ms: number) => X0 + Math.log10(1 + ms / 1000) / Math.log10(1 + maxMs / 1000) * (X1 - X0);
  const h = shown.length * ROW + 30;
  const out = [`<svg id="latency" class="plot" viewBox="0 0 1000 ${h}" role="img" aria-label="detection latency per rule">`];
  for (const [t, label] of [[0, '0'], [1000, '1s'], [10_000, '10s'], [60_000, '1m'], [600_000, '10m'], [3_600_000, '1h']] as Array<[number, string]>) {
    if (t > maxMs) continue;
    out.push(`<line class="grid" x1="${f1(sx(t))}" x2="${f1(sx(t))}" y1="4" y2="${h - 18}"/><text x="${f1(sx(t))}" y="${h - 4}" text-anchor="middle" class="muted">${label}</text>`);
  }
  shown.forEach((r, i) => {
    const y = 8 + i * ROW + ROW / 2;
    out.push(`<text x="${X0 - 6}" y="${y + 4}" text-anchor="end">${esc(r.rule)} (${r.incidents.detected}/${r.incidents.expected})</text>`);
    for (const ms of r.incidents.latenciesMs) out.push(`<circle class="dot" data-rule="${esc(r.rule)}" cx="${f1(sx(ms))}" cy="${y}" r="4"><title>${esc(r.rule)}: ${esc(formatRel(ms))}</title></circle>`);
    if (r.incidents.p50 !== null) out.push(`<line class="p50" x1="${f1(sx(r.incidents.p50))}" x2="${f1(sx(r.incidents.p50))}" y1="${y - 8}" y2="${y + 8}"><title>p50 ${esc(formatRel(r.incidents.p50))}</title></line>`);
    if (r.incidents.p95 !== null) out.push(`<line class="p95" x1="${f1(sx(r.incidents.p95))}" x2="${f1(sx(r.incidents.p95))}" y1="${y - 8}" y2="${y + 8}"><title>p95 ${esc(formatRel(r.incidents.p95))}</title></line>`);
  });
  out.push('</svg>');
  return out.join('');
}

function status(c: { trueDrives: number; falseDrives: number }): string {
  return c.trueDrives && c.falseDrives ? 'both' : c.trueDrives ? 'true-only' : c.falseDrives ? 'false-only' : 'never';
}

/** Rules × sub-conditions: one cell per sub-condition coloured by what the corpus saw, then whether the rule fired. */
function coverageMatrix(rules: RuleFigures[]): string {
  const withCov = rules.filter((r) => r.coverage);
  if (!withCov.length) return '<p class="legend">Coverage was not measured (--no-coverage).</p>';
  const X0 = 230, CELL = 16, ROW = 20;
  const maxN = Math.max(1, ...withCov.map((r) => r.coverage!.conditions.length));
  const w = Math.max(1000, X0 + (maxN + 2) * CELL + 20);
  const h = withCov.length * ROW + 12;
  const out = [`<svg id="coverage" class="cov" viewBox="0 0 ${w} ${h}" role="img" aria-label="coverage matrix">`];
  withCov.forEach((r, i) => {
    const y = 6 + i * ROW;
    const c = r.coverage!;
    out.push(`<text x="${X0 - 6}" y="${y + 12}" text-anchor="end"${c.complete ? '' : ' class="muted"'}>${esc(r.rule)}</text>`);
    c.conditions.forEach((x, k) => {
      out.push(`<rect class="cell ${status(x)}" data-rule="${esc(r.rule)}" data-at="${x.at}" x="${X0 + k * CELL}" y="${y + 1}" width="${CELL - 2}" height="${CELL - 2}"><title>${esc(r.rule)} ${x.role === 'condition' ? '(whole condition)' : ''}: ${esc(x.text)}${x.loc ? ` — ${esc(x.loc)}` : ''}; true on ${x.trueDrives}, false on ${x.falseDrives} drives</title></rect>`);
    });
    const fx = X0 + (c.conditions.length + 1) * CELL;
    out.push(`<circle class="${c.firedDrives ? 'fired' : 'silent'}" data-rule="${esc(r.rule)}" cx="${fx + 6}" cy="${y + 8}" r="6"><title>${esc(r.rule)} fired on ${c.firedDrives} drives</title></circle>`);
  });
  out.push('</svg>');
  return out.join('');
}

function rulesTable(f: LibraryFigures): string {
  const rows = f.rules.map((r) => `<tr data-rule="${esc(r.rule)}"><td>${esc(r.rule)}</td><td>${esc(r.severity)}</td><td class="num">${r.alerts}</td><td class="num">${fmt(r.per1000h)}</td><td class="num">${fmt(r.per10000km)}</td><td class="num">${r.incidents.expected ? `${r.incidents.detected}/${r.incidents.expected}` : '–'}</td><td class="num">${dur(r.incidents.p50)}</td><td class="num">${dur(r.incidents.p95)}</td><td class="num">${dur(r.incidents.max)}</td><td class="num">${r.otherAlerts}</td><td>${r.coverage ? `${r.coverage.conditions.filter((x) => x.trueDrives && x.falseDrives).length}/${r.coverage.conditions.length}, fired on ${r.coverage.firedDrives}` : ''}</td></tr>`);
  const o = f.overall;
  rows.push(`<tr><td><b>all rules</b></td><td></td><td class="num">${o.alerts}</td><td class="num">${fmt(o.per1000h)}</td><td class="num">${fmt(o.per10000km)}</td><td class="num">${o.incidents.total ? `${o.incidents.detected}/${o.incidents.total}` : '–'}</td><td class="num">${dur(o.incidents.p50)}</td><td class="num">${dur(o.incidents.p95)}</td><td class="num">${dur(o.incidents.max)}</td><td></td><td></td></tr>`);
  return `<table id="rules"><thead><tr><th>rule</th><th>severity</th><th class="num">false alarms</th><th class="num">/1000 h</th><th class="num">/10,000 km</th><th class="num">detected</th><th class="num">p50</th><th class="num">p95</th><th class="num">max</th><th class="num">other</th><th>sub-conditions seen both ways</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function drivesTable(f: LibraryFigures): string {
  const rows = f.drives.map((d) => `<tr class="drive${d.error ? ' error' : ''}"><td>${esc(d.id)}</td><td>${d.kind}</td><td>${esc(d.localStart ?? d.start ?? '')}</td><td>${esc(Object.entries(d.tags).map(([k, v]) => `${k}=${v}`).join(' '))}</td><td class="num">${d.hours.toFixed(2)}</td><td class="num">${d.km.toFixed(1)}</td><td class="num">${d.events.length}</td><td>${d.error ? `<span class="fail">${esc(d.error)}</span>` : d.incidents.map((x) => `${esc(formatRel(x.from))}${x.rules.length ? ` (${esc(x.rules.join(', '))})` : ''}: ${x.detected.length ? x.detected.map((h) => `${esc(h.rule)} +${esc(formatRel(h.latencyMs))}`).join(', ') : '<span class="fail">missed</span>'}`).join('<br>')}</td></tr>`);
  return `<table id="drives"><thead><tr><th>drive</th><th>kind</th><th>start</th><th>tags</th><th class="num">hours</th><th class="num">km</th><th class="num">events</th><th>incidents / error</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function gatesHtml(g: ExpectationReport | undefined): string {
  if (!g) return '';
  return `<h2>Gates: <span class="${g.ok ? 'pass' : 'fail'}">${g.passed} passed, ${g.failed} failed</span></h2><table id="gates"><tbody>${g.cases.map((c) => `<tr><td class="${c.ok ? 'pass' : 'fail'}">${c.ok ? 'PASS' : 'FAIL'}</td><td>${esc(c.name)}</td><td>${esc(c.message ?? '')}</td></tr>`).join('')}</tbody></table>`;
}

export function qaHtml(r: QaReport, gates?: ExpectationReport): string {
  const f = r.library;
  const x = f.exposure;
  const parts: string[] = [];
  parts.push(`<h2>Corpus</h2><dl class="facts"><dt>corpus</dt><dd>${esc(r.corpus.name)} (${esc(r.corpus.source)})</dd><dt>library</dt><dd>${esc(f.bundle.source)} — ${f.bundle.rules} rules, sha256 ${f.bundle.sha256.slice(0, 16)}…</dd><dt>normal driving</dt><dd>${x.normalDrives} drives, ${x.hours.toFixed(2)} h, ${x.km.toFixed(1)} km</dd><dt>incidents</dt><dd>${x.incidents} on ${x.incidentDrives} drives (detection window: end + ${esc(formatRel(r.corpus.detectWithinMs))})</dd><dt>could not replay</dt><dd>${f.errors.length ? f.errors.map((e) => `<span class="fail">${esc(e.message)}</span>`).join('<br>') : 'none'}</dd></dl>`);
  parts.push(gatesHtml(gates));
  parts.push('<h2>Per rule</h2>' + rulesTable(f));
  if (r.groups) {
    const rows = r.groups.rows.map((g) => `<tr class="group"><td>${esc(g.value)}</td><td class="num">${g.drives}</td><td class="num">${g.hours.toFixed(2)}</td><td class="num">${g.km.toFixed(1)}</td><td class="num">${g.alerts}</td><td class="num">${fmt(g.per1000h)}</td><td class="num">${fmt(g.per10000km)}</td><td class="num">${g.incidents ? `${g.detected}/${g.incidents}` : '–'}</td><td class="num">${dur(g.p50)}</td><td class="num">${dur(g.p95)}</td></tr>`);
    parts.push(`<h2>By ${esc(r.groups.tag)}</h2><table id="groups"><thead><tr><th>${esc(r.groups.tag)}</th><th class="num">drives</th><th class="num">hours</th><th class="num">km</th><th class="num">false alarms</th><th class="num">/1000 h</th><th class="num">/10,000 km</th><th class="num">detected</th><th class="num">p50</th><th class="num">p95</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  parts.push('<h2>False alarms per 1,000 h of normal driving</h2>' + barChart('fa-hours', f.rules.map((x) => ({ label: x.rule, value: x.per1000h })), 'hours', 'false alarms per 1,000 h'));
  parts.push('<h2>False alarms per 10,000 km of normal driving</h2>' + barChart('fa-km', f.rules.map((x) => ({ label: x.rule, value: x.per10000km })), 'km', 'false alarms per 10,000 km'));
  parts.push('<h2>Detection latency</h2><div class="legend"><span>● one detected incident</span><span>| black: p50</span><span>| orange: p95</span></div>' + latencyPlot(f.rules));
  parts.push('<h2>Coverage</h2><div class="legend"><span><i class="swatch" style="background:#12b76a"></i>seen true and false</span><span><i class="swatch" style="background:#fdb022"></i>only true</span><span><i class="swatch" style="background:#84adff"></i>only false</span><span><i class="swatch" style="background:#d0d5dd"></i>never evaluated</span><span>● red: the rule fired</span></div>' + coverageMatrix(f.rules));
  if (r.baseline) {
    const b = r.baseline;
    const rows = b.diff.map((d) => `<tr class="diff"><td>${esc(d.drive)}</td><td>${d.appeared.map((e) => `+${esc(e.rule)} at ${esc(formatRel(e.ms))}`).join('<br>')}</td><td>${d.disappeared.map((e) => `−${esc(e.rule)} at ${esc(formatRel(e.ms))}`).join('<br>')}</td></tr>`);
    parts.push(`<h2>Against the baseline ${esc(b.library.bundle.source)}: ${b.appeared} appeared, ${b.disappeared} disappeared</h2>${rows.length ? `<table id="diff"><thead><tr><th>drive</th><th>appeared</th><th>disappeared</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p>No event changed.</p>'}`);
  }
  parts.push('<h2>Drives</h2>' + drivesTable(f));
  return page(`edgerule qa — ${r.corpus.name}`, parts.join('\n'));
}
