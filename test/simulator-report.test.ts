// The HTML report in headless Chromium: loads offline without console errors or network requests, shows the
// events in the table, on the map and on the timeline, and its filters and selection work.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CHROMIUM, haveChromium as chromiumThere, launchChromium, openOffline } from '../harness/browser.ts';
import { loadBundle } from '../simulator/inputs.ts';
import { simulate, type SimResult } from '../simulator/run.ts';
import { loadScenario } from '../simulator/scenario.ts';
import { renderReport } from '../simulator/report/html.ts';
import { bundleGeometry } from '../simulator/geometry.ts';
import { bundleFrom } from '../simulator/inputs.ts';
import { rule, places, inside, offRoute, meters, seconds } from '../compiler/dsl/index.ts';
import { compileRules } from '../compiler/compile.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { M_PER_DEG_ROUNDED } from '../runtime/engine/geodesy.ts';

const haveChromium = chromiumThere();
if (!haveChromium) console.warn(`SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium); the HTML report is not checked in a browser`);
const QUAT = ['examples/quat-orient/gps.2020-10-15-21.csv', 'examples/quat-orient/accel.2020-10-15-21.csv'];

let browser: Browser;
let result: SimResult;
let file: string;

beforeAll(async () => {
  const bundle = await loadBundle('rules');
  const scenario = { file: 'examples/scenarios/door-theft.json', scenario: await loadScenario('examples/scenarios/door-theft.json') };
  result = simulate({ bundle, traces: QUAT, startMs: Date.parse('2020-10-15T21:00:00+13:00'), scenario });
  file = join(mkdtempSync(join(tmpdir(), 'edgerule-report-')), 'report.html');
  writeFileSync(file, renderReport(result));
  if (haveChromium) {
    browser = await launchChromium();
  }
});

afterAll(async () => {
  await browser?.close();
});

const open = () => openOffline(browser, file);

describe('HTML report', () => {
  test('is one self-contained file: no external references, a CSP that forbids the network', () => {
    const html = renderReport(result);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/\b(src|href)="(?!#)/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('Do not publish');
  });

  test('geofences, routes, corridors and the rules using them are read back out of the bundle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-geo-'));
    const geo = join(dir, 'zones.geojson');
    writeFileSync(geo, JSON.stringify({
      type: 'FeatureCollection', features: [
        { type: 'Feature', properties: { name: 'yard' }, geometry: { type: 'Polygon', coordinates: [[[174.78, -36.86], [174.79, -36.86], [174.79, -36.87], [174.78, -36.86]]] } },
        { type: 'Feature', properties: { name: 'client', radius_m: 120 }, geometry: { type: 'Point', coordinates: [174.8, -36.87] } },
        { type: 'Feature', properties: { name: 'road' }, geometry: { type: 'LineString', coordinates: [[174.78, -36.86], [174.785, -36.865], [174.8, -36.87]] } },
      ],
    }));
    const zones = places(geo);
    const rules = [
      rule({ name: 'in-yard', description: 'x', when: inside(zones[0]), severity: 'info' }),
      rule({ name: 'near-client', description: 'x', when: inside(zones[1]).or(inside(zones[0])), severity: 'info' }),
      rule({ name: 'off-road', description: 'x', when: offRoute(zones[2], meters(250)).heldFor(seconds(30)), severity: 'warning' }),
    ];
    const c = compileRules(rules, FULL_PROFILE);
    const g = bundleGeometry(bundleFrom('local', c.bytes, c.map, c.emitted.geometries.map((x) => x.name)));
    expect(g.map((x) => [x.name, x.kind, x.rules, x.thresholdsM])).toEqual([
      ['yard', 'polygon', ['in-yard', 'near-client'], []],
      ['client', 'circle', ['near-client'], []],
      ['road', 'polyline', ['off-road'], [250]],
    ]);
    expect(g[1].radiusM).toBe(120);
    // Points come back within half a quantisation step of the source: the bundle stores them as i16 multiples of
    // extent / 32767 metres around the centroid (docs/BYTECODE.md), i.e. 2.7 cm steps for this 1.8 km road.
    for (const [i, def] of c.emitted.geometries.entries()) {
      const lat0 = def.coords.reduce((s, p) => s + p[1], 0) / def.coords.length;
      const lon0 = def.coords.reduce((s, p) => s + p[0], 0) / def.coords.length;
      const cos = Math.cos(lat0 * Math.PI / 180);
      const extent = Math.max(...def.coords.map(([lon, lat]) => Math.max(Math.abs(lon - lon0) * M_PER_DEG_ROUNDED * cos, Math.abs(lat - lat0) * M_PER_DEG_ROUNDED)));
      const halfStep = Math.max(extent / 32767, 1e-3) / 2 + 1e-4;
      def.coords.forEach(([lon, lat], k) => {
        expect(Math.abs(g[i].points[k][0] - lat) * M_PER_DEG_ROUNDED, `${def.name} point ${k} latitude`).toBeLessThan(halfStep);
        expect(Math.abs(g[i].points[k][1] - lon) * M_PER_DEG_ROUNDED * cos, `${def.name} point ${k} longitude`).toBeLessThan(halfStep);
      });
    }
    // Without names (a bundle file with no sidecar geometry list) they are G0, G1, …
    expect(bundleGeometry(bundleFrom('anon', c.bytes, c.map)).map((x) => x.name)).toEqual(['G0', 'G1', 'G2']);
  });

  test.skipIf(!haveChromium)('loads in Chromium without console errors or requests and shows every event', async () => {
    const { page, problems } = await open();
    expect(await page.locator('#events-title').textContent()).toBe(`Events (${result.events.length})`);
    const rows = page.locator('tr.event');
    expect(await rows.count()).toBe(result.events.length);
    expect(await rows.nth(0).locator('td').nth(3).textContent()).toBe('position-jump');
    expect(await page.locator('#map .mk').count()).toBe(result.events.length);
    expect(await page.locator('#timeline .mk').count()).toBe(result.events.length);
    // Each rule's active spans (Host.state) are drawn on its row; every event lies at the start of one.
    expect(result.active.length).toBeGreaterThanOrEqual(result.events.length);
    expect(await page.locator('#timeline rect.active').count()).toBe(result.active.length);
    for (const e of result.events) expect(result.active.some((a) => a.ruleId === e.ruleId && a.from <= e.t && e.t <= a.to), `${e.rule} at ${e.t}`).toBe(true);
    const geoms = bundleGeometry(result.bundle);
    expect(await page.locator('#map polygon.zone').count()).toBe(geoms.filter((x) => x.kind === 'polygon').length);
    expect(await page.locator('#map circle.zone').count()).toBe(geoms.filter((x) => x.kind === 'circle').length);
    expect(await page.locator('#map .corridor').count()).toBe(geoms.filter((x) => x.kind === 'polyline' && x.thresholdsM.length).length);
    // The SVGs are laid out (non-zero size) and the event data is embedded for tools.
    const box = await page.locator('#map').boundingBox();
    expect(box!.width).toBeGreaterThan(500);
    const data = JSON.parse((await page.locator('#events-data').textContent())!);
    expect(data.map((e: { rule: string }) => e.rule)).toEqual(result.events.map((e) => e.rule));
    expect(problems).toEqual([]);
    await page.close();
  });

  test.skipIf(!haveChromium)('clicking an event selects it on the map and timeline; rule filters hide its rows and markers', async () => {
    const { page, problems } = await open();
    await page.locator('tr.event[data-ev="3"]').click();
    expect(await page.locator('.sel').count()).toBe(3); // table row, map marker, timeline marker
    expect(await page.locator('#map .mk.sel').getAttribute('data-rule')).toBe(result.events[3].rule);
    await page.locator('#map .mk[data-ev="5"]').click();
    expect(await page.locator('tr.event.sel').getAttribute('data-ev')).toBe('5');
    await page.locator(`.chips input[data-rule="towing"]`).uncheck();
    expect(await page.locator('tr.event.hidden').count()).toBe(1);
    expect(await page.locator('#map .mk.hidden').count()).toBe(1);
    await page.locator(`.chips input[data-rule="towing"]`).check();
    expect(await page.locator('.hidden').count()).toBe(0);
    await page.locator('#timeline').hover({ position: { x: 600, y: 200 } });
    expect(await page.locator('#timeline .cursor-label').textContent()).toMatch(/^\+\d+m[\d.]+s$/);
    expect(problems).toEqual([]);
    await page.close();
  });
});
