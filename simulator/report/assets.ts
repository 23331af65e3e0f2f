/** The report's stylesheet and its small script, inlined into every report (no network, no external files). */

export const CSS = `
:root { --fg: #1d2330; --muted: #667085; --line: #d0d5dd; --bg: #fff; --panel: #f7f8fa;
  --info: #2e90fa; --warning: #f79009; --critical: #d92d20; --track: #155eef; --rec: #98a2b3; --zone: #12b76a; --route: #7a5af8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 16px 24px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { margin: 0 0 4px; font-size: 20px; }
.private { color: var(--critical); font-size: 12px; }
main { padding: 8px 24px 32px; max-width: 1400px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.event { cursor: pointer; }
tr.event:hover { background: #eef4ff; }
tr.event.sel { background: #d1e0ff; }
.sev { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 12px; }
.sev.info { background: var(--info); } .sev.warning { background: var(--warning); } .sev.critical { background: var(--critical); }
.vals { color: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0 8px; }
.chips label { border: 1px solid var(--line); border-radius: 12px; padding: 1px 8px; font-size: 12px; cursor: pointer; user-select: none; }
.chips label.none { color: var(--muted); }
svg { display: block; width: 100%; height: auto; background: #fff; border: 1px solid var(--line); }
svg text { font: 11px system-ui, sans-serif; fill: var(--fg); }
svg .muted { fill: var(--muted); }
.trk-rec { fill: none; stroke: var(--rec); stroke-width: 1.5; stroke-dasharray: 4 3; }
.trk { fill: none; stroke: var(--track); stroke-width: 2; stroke-linejoin: round; }
.zone { fill: var(--zone); fill-opacity: .12; stroke: var(--zone); stroke-width: 1.5; }
.route { fill: none; stroke: var(--route); stroke-width: 2; }
.corridor { fill: none; stroke: var(--route); stroke-opacity: .12; stroke-linejoin: round; stroke-linecap: round; }
.poi { fill: var(--zone); }
.mk circle, .mk path { stroke: #fff; stroke-width: 1.5; }
.mk.info circle, .mk.info path { fill: var(--info); } .mk.warning circle, .mk.warning path { fill: var(--warning); } .mk.critical circle, .mk.critical path { fill: var(--critical); }
.mk { cursor: pointer; }
rect.active { fill: #98a2b3; opacity: 0.55; }
.mk.sel circle, .mk.sel path { stroke: #000; stroke-width: 3; }
.mk text { font-size: 10px; fill: #fff; text-anchor: middle; dominant-baseline: central; pointer-events: none; }
.span { fill: #fec84b; fill-opacity: .22; }
.span-bar { fill: #f79009; fill-opacity: .55; }
.span-edge { stroke: #f79009; stroke-opacity: .5; stroke-dasharray: 3 3; }
.span-label { fill: #93370d; font-size: 10px; }
.grid { stroke: #eaecf0; stroke-width: 1; }
.sigfill { fill: #344054; fill-opacity: .18; stroke: #344054; stroke-width: .8; stroke-linejoin: round; }
.rowlabel { font-size: 11px; }
.cursor { stroke: #000; stroke-width: .5; pointer-events: none; }
.hidden { display: none; }
.dev circle { fill: none; stroke: #101828; stroke-width: 1.5; }
td.devyes { color: #067647; } td.devno { color: var(--critical); font-weight: 600; }
.legend { font-size: 12px; color: var(--muted); margin: 4px 0; }
.legend span { margin-right: 14px; white-space: nowrap; }
.swatch { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 4px; }
`;

/** Selection, rule filters and a time cursor on the timeline. ES2017, no libraries. */
export const JS = `
(function () {
  'use strict';
  var rows = document.querySelectorAll('tr.event');
  function select(i) {
    document.querySelectorAll('.sel').forEach(function (el) { el.classList.remove('sel'); });
    document.querySelectorAll('[data-ev="' + i + '"]').forEach(function (el) { el.classList.add('sel'); });
  }
  rows.forEach(function (r) { r.addEventListener('click', function () { select(r.getAttribute('data-ev')); }); });
  document.querySelectorAll('.mk').forEach(function (m) {
    m.addEventListener('click', function () {
      var i = m.getAttribute('data-ev');
      select(i);
      var row = document.querySelector('tr.event[data-ev="' + i + '"]');
      if (row) row.scrollIntoView({ block: 'nearest' });
    });
  });
  document.querySelectorAll('.chips input').forEach(function (box) {
    box.addEventListener('change', function () {
      var rule = box.getAttribute('data-rule');
      document.querySelectorAll('[data-rule="' + CSS.escape(rule) + '"]').forEach(function (el) {
        if (el !== box) el.classList.toggle('hidden', !box.checked);
      });
    });
  });
  var tl = document.getElementById('timeline');
  if (tl) {
    var cur = tl.querySelector('.cursor'), label = tl.querySelector('.cursor-label');
    var x0 = +tl.getAttribute('data-x0'), x1 = +tl.getAttribute('data-x1'), t0 = +tl.getAttribute('data-t0'), t1 = +tl.getAttribute('data-t1');
    tl.addEventListener('mousemove', function (e) {
      var pt = tl.createSVGPoint(); pt.x = e.clientX; pt.y = e.clientY;
      var p = pt.matrixTransform(tl.getScreenCTM().inverse());
      if (p.x < x0 || p.x > x1) { cur.setAttribute('visibility', 'hidden'); label.setAttribute('visibility', 'hidden'); return; }
      var s = (t0 + (p.x - x0) / (x1 - x0) * (t1 - t0)) / 1000;
      var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = (s % 60).toFixed(1);
      cur.setAttribute('x1', p.x); cur.setAttribute('x2', p.x); cur.setAttribute('visibility', 'visible');
      label.setAttribute('x', p.x + 4); label.setAttribute('visibility', 'visible');
      label.textContent = '+' + (h ? h + 'h' : '') + (h || m ? m + 'm' : '') + sec + 's';
    });
  }
})();
`;
