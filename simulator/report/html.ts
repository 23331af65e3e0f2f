/**
 * The replay report: one self-contained HTML file (inline SVG, CSS and a small script; a Content-Security-Policy
 * that forbids every network request), for local QA use. It shows:
 *   - what was replayed (bundle, recordings, scenario, samples read and skipped with reasons);
 *   - the events, filterable by rule;
 *   - a map: the track as the device saw it (and as recorded, when the scenario moved or hid positions), the
 *     bundle's geofences and route corridors (read back out of the bundle), and event markers;
 *   - timelines: every replayed signal (min/max envelope per pixel column, sample-and-hold like the device),
 *     scenario windows, and one row per rule with a marker at each event.
 * Rule "active spans" are not drawn: the runtime reports events (rising edges), not condition state.
 *
 * Deterministic: the same SimResult gives the same bytes (fixed number formatting, no clock, no randomness).
 * Real recordings can show where real people drove: keep reports local, do not publish them.
 */
import { SIGNAL_BY_ID, signalMeta, type SignalName } from '../../compiler/dsl/catalogue.ts';
import type { SimResult, SimEvent } from '../run.ts';
import type { SampleColumns } from '../trace/index.ts';
import { bundleGeometry, type DrawnGeometry } from '../geometry.ts';
import { formatRel, iso } from '../time.ts';
import { displayUnit, valueText } from '../units.ts';
import { CSS, JS } from './assets.ts';
import { M_PER_DEG_ROUNDED as M_PER_DEG } from '../../runtime/engine/geodesy.ts';

const ID = (n: SignalName) => signalMeta(n).id;
const LAT = ID('gnss.lat'), LON = ID('gnss.lon');

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
const f1 = (v: number) => (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, '');

interface TrackPoint { t: number; lat: number; lon: number }

/** Position fixes: after every sample time where lat or lon was set, the current (lat, lon). */
export function fixes(s: SampleColumns): TrackPoint[] {
  const out: TrackPoint[] = [];
  let lat = NaN, lon = NaN, changed = false;
  for (let i = 0; i < s.length; i++) {
    const g = s.sig[i];
    if (g === LAT) { lat = s.value[i]; changed = true; } else if (g === LON) { lon = s.value[i]; changed = true; }
    if (changed && (i + 1 === s.length || s.t[i + 1] !== s.t[i])) {
      if (lat === lat && lon === lon) out.push({ t: s.t[i], lat, lon });
      changed = false;
    }
  }
  return out;
}

/** The device's last position at time t (binary search over fixes), or undefined before the first fix. */
function positionAt(track: TrackPoint[], t: number): TrackPoint | undefined {
  let lo = 0, hi = track.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (track[mid].t <= t) lo = mid + 1; else hi = mid;
  }
  return lo ? track[lo - 1] : undefined;
}

interface Projection { x(lat: number, lon: number): number; y(lat: number, lon: number): number; mPerPx: number; width: number; height: number }

function projection(track: TrackPoint[], geoms: DrawnGeometry[]): Projection | undefined {
  if (!track.length) return undefined;
  let minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
  for (const p of track) {
    if (p.lat < minLat) minLat = p.lat; if (p.lat > maxLat) maxLat = p.lat;
    if (p.lon < minLon) minLon = p.lon; if (p.lon > maxLon) maxLon = p.lon;
  }
  const lat0 = (minLat + maxLat) / 2;
  const k = Math.cos(lat0 * Math.PI / 180);
  // Geometry near the track (within 20 km of its box) widens the view; far-away fences are left out of the frame.
  const near = (lat: number, lon: number) => Math.abs(lat - lat0) * M_PER_DEG < 20_000 + (maxLat - minLat) * M_PER_DEG && Math.abs(lon - (minLon + maxLon) / 2) * M_PER_DEG * k < 20_000 + (maxLon - minLon) * M_PER_DEG * k;
  for (const g of geoms) {
    for (const [lat, lon] of g.points) {
      if (!near(lat, lon)) continue;
      const r = (g.radiusM ?? 0) + (g.thresholdsM.length && g.kind === 'polyline' ? Math.max(...g.thresholdsM) : 0);
      const dLat = r / M_PER_DEG, dLon = r / (M_PER_DEG * k);
      minLat = Math.min(minLat, lat - dLat); maxLat = Math.max(maxLat, lat + dLat);
      minLon = Math.min(minLon, lon - dLon); maxLon = Math.max(maxLon, lon + dLon);
    }
  }
  const wM = Math.max((maxLon - minLon) * M_PER_DEG * k, 50);
  const hM = Math.max((maxLat - minLat) * M_PER_DEG, 50);
  const W = 1000, pad = 24;
  const scale = Math.min((W - 2 * pad) / wM, (760 - 2 * pad) / hM);
  const H = Math.round(hM * scale + 2 * pad);
  const cx = (minLon + maxLon) / 2, cy = (minLat + maxLat) / 2;
  return {
    x: (_lat, lon) => W / 2 + (lon - cx) * M_PER_DEG * k * scale,
    y: (lat) => H / 2 - (lat - cy) * M_PER_DEG * scale,
    mPerPx: 1 / scale, width: W, height: H,
  };
}

/** Polyline path, simplified to points ≥ 0.75 px apart, broken where fixes are more than 30 s apart. */
function trackPath(track: TrackPoint[], p: Projection): string {
  let d = '';
  let lx = NaN, ly = NaN, lt = -Infinity;
  for (const q of track) {
    const x = p.x(q.lat, q.lon), y = p.y(q.lat, q.lon);
    const gap = q.t - lt > 30_000;
    if (gap) d += `M${f1(x)} ${f1(y)}`;
    else if ((x - lx) * (x - lx) + (y - ly) * (y - ly) >= 0.5625) d += `L${f1(x)} ${f1(y)}`;
    else { lt = q.t; continue; }
    lx = x; ly = y; lt = q.t;
  }
  return d;
}

function niceStep(raw: number, steps: number[]): number {
  for (const s of steps) if (s >= raw) return s;
  return steps[steps.length - 1];
}

function mapSvg(r: SimResult, events: SimEvent[], geoms: DrawnGeometry[]): string {
  const track = fixes(r.replayed);
  const p = projection(track, geoms);
  if (!p) return '<p class="legend">No positions in the replayed stream: nothing to draw on a map.</p>';
  const parts: string[] = [];
  parts.push(`<svg id="map" viewBox="0 0 ${p.width} ${p.height}" role="img" aria-label="track, geofences and events">`);
  for (const g of geoms) {
    const title = `<title>${esc(g.name)} (${g.kind}${g.radiusM ? `, ${f1(g.radiusM)} m` : ''})${g.rules.length ? ' — used by ' + esc(g.rules.join(', ')) : ''}</title>`;
    const pts = g.points.map(([lat, lon]) => `${f1(p.x(lat, lon))},${f1(p.y(lat, lon))}`).join(' ');
    const [lat, lon] = g.points[0];
    const lx = p.x(lat, lon), ly = p.y(lat, lon);
    if (lx < -p.width || lx > 2 * p.width || ly < -p.height || ly > 2 * p.height) continue; // far away
    if (g.kind === 'polygon') parts.push(`<g class="geom">${title}<polygon class="zone" points="${pts}"/><text x="${f1(lx)}" y="${f1(ly - 4)}" class="muted">${esc(g.name)}</text></g>`);
    else if (g.kind === 'circle') parts.push(`<g class="geom">${title}<circle class="zone" cx="${f1(lx)}" cy="${f1(ly)}" r="${f1(Math.max(g.radiusM! / p.mPerPx, 2))}"/><text x="${f1(lx)}" y="${f1(ly - g.radiusM! / p.mPerPx - 4)}" class="muted" text-anchor="middle">${esc(g.name)}</text></g>`);
    else if (g.kind === 'polyline') {
      const corridor = g.thresholdsM.length ? Math.max(...g.thresholdsM) : 0;
      parts.push(`<g class="geom">${title}${corridor ? `<polyline class="corridor" points="${pts}" stroke-width="${f1(2 * corridor / p.mPerPx)}"/>` : ''}<polyline class="route" points="${pts}"/><text x="${f1(lx + 4)}" y="${f1(ly + 12)}" class="muted">${esc(g.name)}${corridor ? ` (±${f1(corridor)} m)` : ''}</text></g>`);
    } else parts.push(`<g class="geom">${title}<circle class="poi" cx="${f1(lx)}" cy="${f1(ly)}" r="3"/><text x="${f1(lx + 5)}" y="${f1(ly)}" class="muted">${esc(g.name)}</text></g>`);
  }
  const moved = r.scenario?.spans.some((s) => s.type === 'spoof' || s.type === 'gnss-jam');
  if (moved) parts.push(`<path class="trk-rec" d="${trackPath(fixes(r.recorded), p)}"><title>track as recorded</title></path>`);
  parts.push(`<path class="trk" d="${trackPath(track, p)}"><title>track as the device saw it</title></path>`);
  const start = track[0], end = track[track.length - 1];
  parts.push(`<circle cx="${f1(p.x(start.lat, start.lon))}" cy="${f1(p.y(start.lat, start.lon))}" r="4" fill="#12b76a"><title>first fix ${esc(formatRel(start.t - r.t0))}</title></circle>`);
  parts.push(`<rect x="${f1(p.x(end.lat, end.lon) - 4)}" y="${f1(p.y(end.lat, end.lon) - 4)}" width="8" height="8" fill="#1d2330"><title>last fix ${esc(formatRel(end.t - r.t0))}</title></rect>`);
  for (const e of events) {
    const at = positionAt(track, e.t);
    if (!at) continue;
    parts.push(`<g class="mk ${e.severity}" data-ev="${e.index}" data-rule="${esc(e.rule)}"><title>#${e.index + 1} ${esc(e.rule)} at ${esc(formatRel(e.rel))} (${esc(e.severity)})</title><circle cx="${f1(p.x(at.lat, at.lon))}" cy="${f1(p.y(at.lat, at.lon))}" r="8"/><text x="${f1(p.x(at.lat, at.lon))}" y="${f1(p.y(at.lat, at.lon))}">${e.index + 1}</text></g>`);
  }
  // Scale bar
  const bar = niceStep(p.mPerPx * 150, [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000]);
  const bw = bar / p.mPerPx;
  parts.push(`<g><rect x="16" y="${p.height - 20}" width="${f1(bw)}" height="4" fill="#1d2330"/><text x="16" y="${p.height - 24}">${bar >= 1000 ? bar / 1000 + ' km' : bar + ' m'}</text></g>`);
  parts.push('</svg>');
  return parts.join('');
}

const TIME_STEPS = [1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];

/** Display transform per signal, the terminal's (simulator/units.ts): speed in km/h, the rest in catalogue units. */
function display(sig: number): { label: string; k: number } {
  const name = SIGNAL_BY_ID[sig] ?? `signal#${sig}`;
  const shown = displayUnit(signalMeta(name).unit);
  return { label: shown.unit ? `${name} (${shown.unit})` : name, k: shown.k };
}

function timelineSvg(r: SimResult, events: SimEvent[], device?: DeviceOverlay): string {
  const s = r.replayed;
  const t0 = r.t0, t1 = Math.max(r.until, t0 + 1);
  const X0 = 170, X1 = 1190, W = X1 - X0, ROW = 38, GAP = 6;
  const xOf = (t: number) => X0 + (t - t0) / (t1 - t0) * W;
  // Signals present (not lat/lon: they are on the map), in catalogue order.
  const present = new Uint32Array(256);
  for (let i = 0; i < s.length; i++) present[s.sig[i]]++;
  const sigs: number[] = [];
  for (let g = 0; g < 256; g++) if (present[g] && g !== LAT && g !== LON) sigs.push(g);
  const rules = [...r.bundle.rules].sort((a, b) => a.id - b.id);
  for (const e of events) if (!rules.some((x) => x.id === e.ruleId)) rules.push({ id: e.ruleId, name: e.rule, severity: e.severity, attach: [], attachUnits: [], description: '' });
  const spans = r.scenario?.spans ?? [];
  const SPAN_ROW = 15;
  const top = 14 + spans.length * SPAN_ROW + (spans.length ? 6 : 0);
  const height = top + sigs.length * (ROW + GAP) + rules.length * 18 + 30;
  const out: string[] = [];
  out.push(`<svg id="timeline" viewBox="0 0 1200 ${height}" data-x0="${X0}" data-x1="${X1}" data-t0="0" data-t1="${t1 - t0}" role="img" aria-label="signals and events over time">`);
  // Time grid
  const step = niceStep((t1 - t0) / 10, TIME_STEPS);
  for (let t = 0; t <= t1 - t0; t += step) {
    const x = f1(X0 + t / (t1 - t0) * W);
    const anchor = X0 + t / (t1 - t0) * W > X1 - 30 ? 'end' : 'middle';
    out.push(`<line class="grid" x1="${x}" x2="${x}" y1="8" y2="${height - 16}"/><text x="${x}" y="${height - 4}" text-anchor="${anchor}" class="muted">+${esc(formatRel(t))}</text>`);
  }
  // Scenario events: one row each (a bar over its window), and a faint band down through the signals for short windows.
  spans.forEach((sp, k) => {
    const x = xOf(sp.from), w = Math.max(xOf(sp.to) - x, 2);
    const yy = 10 + k * SPAN_ROW;
    const title = `<title>${esc(sp.label)}${sp.note ? ' — ' + esc(sp.note) : ''}: +${esc(formatRel(sp.from - t0))}${sp.to > sp.from ? ' to +' + esc(formatRel(sp.to - t0)) : ''}</title>`;
    out.push(`<g class="scn">${title}<text class="rowlabel muted" x="4" y="${yy + 9}">scenario ${k + 1}</text><rect class="span-bar" x="${f1(x)}" y="${yy + 1}" width="${f1(w)}" height="10"/>`
      + (w < W / 4 ? `<rect class="span" x="${f1(x)}" y="${top}" width="${f1(w)}" height="${height - top - 16}"/>` : `<line class="span-edge" x1="${f1(x)}" x2="${f1(x)}" y1="${top}" y2="${height - 16}"/>`)
      + `<text class="span-label" x="${f1(Math.min(x + w + 4, X1 - 150))}" y="${yy + 9}">${esc(sp.label)}</text></g>`);
  });
  // Signal envelopes: per pixel column the min, max and last value of each signal (one pass over the samples).
  let y = top;
  const cols = W;
  const slot = new Int16Array(256).fill(-1);
  sigs.forEach((g, k) => { slot[g] = k; });
  const lo = new Float64Array(sigs.length * cols).fill(NaN);
  const hi = new Float64Array(sigs.length * cols).fill(NaN);
  const last = new Float64Array(sigs.length * cols).fill(NaN);
  const scale = sigs.map((g) => display(g).k);
  const vmin = new Float64Array(sigs.length).fill(Infinity), vmax = new Float64Array(sigs.length).fill(-Infinity);
  const first = new Int32Array(sigs.length).fill(-1);
  for (let i = 0; i < s.length; i++) {
    const k = slot[s.sig[i]];
    if (k < 0) continue;
    const v = s.value[i] * scale[k];
    if (!(v === v)) continue;
    const c = Math.min(cols - 1, Math.max(0, Math.floor((s.t[i] - t0) / (t1 - t0) * cols)));
    const at = k * cols + c;
    if (first[k] < 0) first[k] = c;
    if (!(lo[at] <= v)) lo[at] = v;
    if (!(hi[at] >= v)) hi[at] = v;
    last[at] = v;
    if (v < vmin[k]) vmin[k] = v;
    if (v > vmax[k]) vmax[k] = v;
  }
  sigs.forEach((g, k) => {
    out.push(`<text class="rowlabel" x="4" y="${y + 14}">${esc(display(g).label)}</text>`);
    if (first[k] >= 0) {
      // Sample and hold: a column starts at the value held from the previous one.
      const span = vmax[k] - vmin[k] || 1;
      const yv = (v: number) => f1(y + ROW - 2 - (v - vmin[k]) / span * (ROW - 4));
      const xs: string[] = [], tops: string[] = [], bots: string[] = [];
      let held = NaN;
      for (let c = first[k]; c < cols; c++) {
        const at = k * cols + c;
        let a = lo[at], b = hi[at];
        if (a === a) {
          if (held === held) { a = Math.min(a, held); b = Math.max(b, held); }
          held = last[at];
        } else { a = held; b = held; }
        xs.push(f1(X0 + c + 0.5));
        tops.push(yv(b));
        bots.push(yv(a));
      }
      // Flat runs need only their two ends.
      const keep = xs.map((_, i) => i === 0 || i === xs.length - 1 || tops[i] !== tops[i - 1] || bots[i] !== bots[i - 1] || tops[i] !== tops[i + 1] || bots[i] !== bots[i + 1]);
      const topPts: string[] = [], botPts: string[] = [];
      for (let i = 0; i < xs.length; i++) if (keep[i]) { topPts.push(`${xs[i]},${tops[i]}`); botPts.push(`${xs[i]},${bots[i]}`); }
      out.push(`<polygon class="sigfill" points="${topPts.join(' ')} ${botPts.reverse().join(' ')}"/>`);
      out.push(`<text x="${X0 - 4}" y="${y + 10}" text-anchor="end" class="muted">${esc(fmtNum(vmax[k]))}</text><text x="${X0 - 4}" y="${y + ROW - 2}" text-anchor="end" class="muted">${esc(fmtNum(vmin[k]))}</text>`);
    }
    out.push(`<line class="grid" x1="${X0}" x2="${X1}" y1="${y + ROW}" y2="${y + ROW}"/>`);
    y += ROW + GAP;
  });
  // Rule rows: a bar where the rule's condition was true (active span), and event markers.
  for (const rule of rules) {
    const mine = events.filter((e) => e.ruleId === rule.id);
    out.push(`<g data-rule="${esc(rule.name)}"><text class="rowlabel${mine.length ? '' : ' muted'}" x="4" y="${y + 12}">${esc(rule.name)}</text><line class="grid" x1="${X0}" x2="${X1}" y1="${y + 8}" y2="${y + 8}"/>`);
    for (const a of (r.active ?? []).filter((sp) => sp.ruleId === rule.id)) {
      const x = xOf(a.from), w = Math.max(xOf(a.to) - x, 1.5);
      out.push(`<rect class="active" data-rule="${esc(rule.name)}" x="${f1(x)}" y="${y + 3}" width="${f1(w)}" height="10"><title>${esc(rule.name)} active +${esc(formatRel(a.from - t0))} to +${esc(formatRel(a.to - t0))}</title></rect>`);
    }
    for (const e of mine) {
      const x = xOf(e.t);
      out.push(`<g class="mk ${e.severity}" data-ev="${e.index}" data-rule="${esc(e.rule)}"><title>#${e.index + 1} ${esc(e.rule)} at +${esc(formatRel(e.rel))}</title><path d="M${f1(x)} ${y + 1}l6 7-6 7-6-7z"/></g>`);
    }
    for (const e of device?.events.filter((d) => d.ruleId === rule.id) ?? []) {
      out.push(`<g class="dev" data-rule="${esc(e.rule)}"><title>${esc(device!.label)}: ${esc(e.rule)} at +${esc(formatRel(e.rel))}</title><circle cx="${f1(xOf(e.t))}" cy="${y + 8}" r="4.5"/></g>`);
    }
    out.push('</g>');
    y += 18;
  }
  out.push(`<line class="cursor" x1="0" x2="0" y1="14" y2="${height - 16}" visibility="hidden"/><text class="cursor-label" x="0" y="${height - 18}" visibility="hidden"></text>`);
  out.push('</svg>');
  return out.join('');
}

function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

function fmtValue(v: number | null, unit: string | null | undefined): string {
  return v === null ? '—' : valueText(v, unit);
}

/** A device's events drawn over the simulator's (edgerule hil): markers on the rule rows, a column in the event table. */
export interface DeviceOverlay {
  /** Who produced them, e.g. "device 7 (node v20.11.0)". */
  label: string;
  /** The run's verdict line. */
  verdict: string;
  events: SimEvent[];
  /** For each simulator event, the index of the device event matched to it (−1: none). */
  pairs: number[];
}

export interface ReportOptions { title?: string; device?: DeviceOverlay }

/** Start of an offline page up to its header: the Content-Security-Policy that blocks every network request, styles, title, privacy note. */
export function pageTop(title: string, css: string, privacy: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<style>${css}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><div class="private">Local QA report: ${privacy}. Do not publish.</div></header>`;
}

export function renderReport(r: SimResult, opts: ReportOptions = {}): string {
  const events = r.events;
  const dev = opts.device;
  const geoms = bundleGeometry(r.bundle);
  const title = opts.title ?? `edgerule replay — ${r.scenario ? r.scenario.name + ' on ' : ''}${r.inputs.traces.map((t) => t.name).join(' + ')}`;
  const byRule = new Map<string, number>();
  for (const e of events) byRule.set(e.rule, (byRule.get(e.rule) ?? 0) + 1);
  const facts: Array<[string, string]> = [
    ['bundle', `${esc(r.bundle.source)} — ${r.bundle.bytes.length} bytes, ${r.bundle.rules.length || 'unknown number of'} rules, sha256 ${r.bundle.sha256.slice(0, 16)}…`],
    ['recordings', r.inputs.traces.map((t) => `${esc(t.name)} (${esc(t.format)}, ${t.samples} samples${t.hasDate ? '' : ', no date in the file'})`).join('<br>')],
    ['replayed', `${esc(iso(r.t0))} to ${esc(iso(r.until))} (${esc(formatRel(r.until - r.t0))}); ${r.counts.replayed} samples${r.thinned ? ` (drawn from ${r.replayed.length} kept: the timelines show each pixel's min, max and last value)` : ''}, ${r.steps} evaluation instants`],
  ];
  if (r.scenario) {
    const st = r.scenario.stats;
    const sup = Object.entries(st.suppressed).map(([k, v]) => `${v} ${k}`).join(', ');
    facts.push(['scenario', `${esc(r.scenario.name)} (${esc(r.scenario.file)}): ${r.scenario.spans.length} events; ${st.added} samples added, ${st.shifted} shifted${sup ? `, suppressed ${esc(sup)}` : ''}${r.scenario.description ? '<br>' + esc(r.scenario.description) : ''}`]);
  }
  if (dev) facts.push(['device', `${esc(dev.label)}: ${dev.events.length} events — ${esc(dev.verdict)}`]);
  facts.push(['skipped by the readers', r.skipped.length ? r.skipped.map((s) => `${s.count} ${esc(s.reason)}`).join('<br>') : 'none']);
  facts.push(['reader issues', `${r.inputs.issues.length}${r.inputs.issues.length ? ' — first: ' + esc(`${r.inputs.issues[0].file}:${r.inputs.issues[0].line} ${r.inputs.issues[0].reason}`) : ''}`]);

  const chips = [...r.bundle.rules].sort((a, b) => (a.name < b.name ? -1 : 1)).map((rule) => {
    const n = byRule.get(rule.name) ?? 0;
    return `<label class="${n ? '' : 'none'}"><input type="checkbox" checked data-rule="${esc(rule.name)}"> ${esc(rule.name)} (${n})</label>`;
  });
  const devCell = (i: number) => {
    if (!dev) return '';
    const k = dev.pairs[i] ?? -1;
    if (k < 0) return '<td class="devno">missing</td>';
    const d = dev.events[k];
    return `<td class="devyes">${d.t === events[i].t ? 'same' : `${d.t > events[i].t ? '+' : '−'}${esc(formatRel(Math.abs(d.t - events[i].t)))}`}</td>`;
  };
  const rows = events.map((e, i) => `<tr class="event" data-ev="${e.index}" data-rule="${esc(e.rule)}"><td class="num">${e.index + 1}</td><td>${esc(iso(e.t))}</td><td class="num">+${esc(formatRel(e.rel))}</td><td>${esc(e.rule)}</td><td><span class="sev ${esc(e.severity)}">${esc(e.severity)}</span></td><td class="vals">${Object.entries(e.values).map(([k, v]) => `${esc(k)}=${esc(fmtValue(v, e.units[k]))}`).join(' ')}</td>${devCell(i)}</tr>`);
  const matched = new Set(dev?.pairs ?? []);
  const extra = dev ? dev.events.filter((_, k) => !matched.has(k)) : [];
  const extraTable = dev ? `<h2>Device events the simulator does not have (${extra.length})</h2>${extra.length ? `<table><thead><tr><th>time (UTC)</th><th class="num">offset</th><th>rule</th><th>severity</th><th>attached values</th></tr></thead><tbody>${extra.map((e) => `<tr><td>${esc(iso(e.t))}</td><td class="num">+${esc(formatRel(e.rel))}</td><td>${esc(e.rule)}</td><td><span class="sev ${esc(e.severity)}">${esc(e.severity)}</span></td><td class="vals">${Object.entries(e.values).map(([k, v]) => `${esc(k)}=${esc(fmtValue(v, e.units[k]))}`).join(' ')}</td></tr>`).join('')}</tbody></table>` : '<p>None.</p>'}` : '';
  const data = JSON.stringify(events.map((e) => ({ time: iso(e.t), ms: e.t, offsetMs: e.rel, rule: e.rule, severity: e.severity, values: e.values }))).replace(/</g, '\\u003c');
  return `${pageTop(title, CSS, 'real recordings can show where real people drove')}
<main>
<h2>Replay</h2>
<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>
<h2 id="events-title">Events (${events.length})</h2>
<div class="chips">${chips.join('')}</div>
${events.length ? `<table id="events"><thead><tr><th class="num">#</th><th>time (UTC)</th><th class="num">offset</th><th>rule</th><th>severity</th><th>attached values</th>${dev ? '<th>device</th>' : ''}</tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p>No rule fired.</p>'}
${extraTable}
<h2>Map</h2>
<div class="legend"><span><i class="swatch" style="background:#155eef"></i>track as the device saw it</span>${r.scenario?.spans.some((s) => s.type === 'spoof' || s.type === 'gnss-jam') ? '<span><i class="swatch" style="background:#98a2b3"></i>as recorded</span>' : ''}<span><i class="swatch" style="background:#12b76a"></i>zones</span><span><i class="swatch" style="background:#7a5af8"></i>routes (band: corridor)</span><span>● numbered: events</span></div>
${mapSvg(r, events, geoms)}
<h2>Timeline</h2>
<div class="legend"><span>signals: min–max per pixel column of the value the device holds</span><span>◆ events (rule rows)</span>${dev ? `<span>○ ${esc(dev.label)}'s events</span>` : ''}${r.scenario ? '<span><i class="swatch" style="background:#fec84b"></i>scenario windows</span>' : ''}</div>
${timelineSvg(r, events, dev)}
</main>
<script type="application/json" id="events-data">${data}</script>
<script>${JS}</script>
</body>
</html>
`;
}
