/** The tuning page: false alarms (x) against p95 detection latency (y) per grid point, the Pareto front, a table. */
import { esc } from '../../simulator/report/html.ts';
import { formatRel } from '../../simulator/time.ts';
import type { TunePoint, TuneReport } from '../tune.ts';
import { page } from './html.ts';

const f1 = (v: number) => (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, '');
const label = (p: TunePoint) => Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(', ');

function tradeOff(t: TuneReport): string {
  const X0 = 80, X1 = 960, Y0 = 20, Y1 = 400;
  const fa = (p: TunePoint) => p.per1000h ?? p.alerts;
  const xs = t.points.map(fa), ys = t.points.map((p) => p.p95).filter((v): v is number => v !== null);
  const maxX = Math.max(1e-9, ...xs), maxY = Math.max(1000, ...ys);
  const sx = (v: number) => X0 + v / maxX * (X1 - X0);
  // Undetected points (no p95) sit on a band above the plot.
  const sy = (v: number | null) => (v === null ? Y0 - 8 : Y1 - v / maxY * (Y1 - Y0 - 10));
  const out = [`<svg id="tradeoff" class="plot" viewBox="0 0 1000 450" role="img" aria-label="false alarms against detection latency">`];
  for (let k = 0; k <= 4; k++) {
    const x = X0 + k / 4 * (X1 - X0), y = Y1 - k / 4 * (Y1 - Y0 - 10);
    out.push(`<line class="grid" x1="${f1(x)}" x2="${f1(x)}" y1="${Y0}" y2="${Y1}"/><text x="${f1(x)}" y="${Y1 + 16}" text-anchor="middle" class="muted">${f1(k / 4 * maxX)}</text>`);
    out.push(`<line class="grid" x1="${X0}" x2="${X1}" y1="${f1(y)}" y2="${f1(y)}"/><text x="${X0 - 6}" y="${f1(y + 4)}" text-anchor="end" class="muted">${esc(formatRel(Math.round(k / 4 * maxY)))}</text>`);
  }
  out.push(`<text x="${(X0 + X1) / 2}" y="${Y1 + 36}" text-anchor="middle">false alarms per 1,000 h of normal driving (${esc(t.rule)})</text>`);
  out.push(`<text x="14" y="${(Y0 + Y1) / 2}" transform="rotate(-90 14 ${(Y0 + Y1) / 2})" text-anchor="middle">p95 detection latency</text>`);
  const front = t.points.filter((p) => p.pareto && p.p95 !== null).sort((a, b) => fa(a) - fa(b));
  if (front.length > 1) out.push(`<polyline class="front" points="${front.map((p) => `${f1(sx(fa(p)))},${f1(sy(p.p95))}`).join(' ')}"/>`);
  for (const p of t.points) {
    out.push(`<circle class="pt${p.pareto ? ' pareto' : ''}" data-point="${esc(label(p))}" cx="${f1(sx(fa(p)))}" cy="${f1(sy(p.p95))}" r="${p.pareto ? 6 : 4}"><title>${esc(label(p))}: ${p.per1000h ?? '–'} false alarms/1000 h, detected ${p.detected}/${p.expected}, p95 ${p.p95 === null ? 'never' : esc(formatRel(p.p95))}${p.pareto ? ' (Pareto front)' : ''}</title></circle>`);
  }
  out.push('</svg>');
  return out.join('');
}

export function tuneHtml(t: TuneReport): string {
  const rows = t.points.map((p) => `<tr class="point${p.pareto ? ' pareto' : ''}">${t.axes.map((a) => `<td class="num">${p.params[a.name]}</td>`).join('')}<td class="num">${p.alerts}</td><td class="num">${p.per1000h ?? '–'}</td><td class="num">${p.per10000km ?? '–'}</td><td class="num">${p.expected ? `${p.detected}/${p.expected}` : '–'}</td><td class="num">${p.p50 === null ? '–' : esc(formatRel(p.p50))}</td><td class="num">${p.p95 === null ? '–' : esc(formatRel(p.p95))}</td><td>${p.pareto ? '<b>Pareto</b>' : ''}</td></tr>`);
  const body = [
    `<h2>Trade-off for ${esc(t.rule)} on ${esc(t.corpus.name)} (${t.corpus.drives} drives, ${t.points.length} points)</h2>`,
    '<div class="legend"><span>● red: Pareto front (no point has fewer false alarms, a higher detection rate and a lower p95 at once)</span><span>points above the plot: never detected</span></div>',
    tradeOff(t),
    `<h2>Points</h2><table id="points"><thead><tr>${t.axes.map((a) => `<th class="num">${esc(a.name)} (${esc(a.unit)})</th>`).join('')}<th class="num">false alarms</th><th class="num">/1000 h</th><th class="num">/10,000 km</th><th class="num">detected</th><th class="num">p50</th><th class="num">p95</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    t.errors.length ? `<h2>Could not replay</h2><ul>${t.errors.map((e) => `<li>[${esc(e.point)}] ${esc(e.message)}</li>`).join('')}</ul>` : '',
  ];
  return page(`edgerule tune — ${t.rule}`, body.join('\n'));
}
