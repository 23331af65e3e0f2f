/**
 * Corpus manifests and folders: what a drive is, errors by file and JSON path, time zones, injected scenarios;
 * driving exposure (hours, km) from a recording.
 */
import { describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { CorpusSchema, loadCorpus, unknownRules } from '../qa/corpus.ts';
import { GatesSchema } from '../qa/gates.ts';
import { zonedToEpoch, localTime } from '../qa/zone.ts';
import { exposure } from '../qa/exposure.ts';
import { readInputs } from '../simulator/inputs.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';

const QUAT = ['gps.2020-10-15-21.csv', 'accel.2020-10-15-21.csv'].map((f) => resolve('examples/quat-orient', f));

function manifest(value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-corpus-'));
  const file = join(dir, 'corpus.json');
  writeFileSync(file, JSON.stringify(value, null, 1));
  return file;
}

async function problems(value: unknown): Promise<string[]> {
  const file = manifest(value);
  try {
    await loadCorpus(file);
    return [];
  } catch (e) {
    return (e as Error).message.split('\n').map((l) => l.replace(file, '<corpus>'));
  }
}

describe('corpus manifest', () => {
  test('the JSON schemas shipped for editors are the ones the loaders use', () => {
    expect(JSON.parse(readFileSync('qa/corpus.schema.json', 'utf8'))).toEqual(JSON.parse(JSON.stringify(CorpusSchema)));
    expect(JSON.parse(readFileSync('qa/gates.schema.json', 'utf8'))).toEqual(JSON.parse(JSON.stringify(GatesSchema)));
  });

  test('the example corpus: a normal drive and the same drive with the door-theft scenario as an incident drive', async () => {
    const c = await loadCorpus('qa/corpora/example.json');
    expect(c.drives.map((d) => [d.id, d.kind, d.incidents.length])).toEqual([['quat-21', 'normal', 0], ['quat-21@door-theft', 'incident', 7]]);
    expect(c.drives[1].tags).toEqual({ vehicle: 'car', city: 'Auckland', injected: 'door-theft' });
    expect(c.drives[1].scenario?.scenario.name).toBe('door-theft');
    expect(c.drives[0].startMs).toBe(Date.parse('2020-10-15T21:00:00+13:00'));
    expect(c.drives[1].incidents[5]).toEqual({ from: 360_000, to: 1_080_000, rules: ['door-open-at-rest'], note: 'trailer emptied' });
    expect(c.detectWithinMs).toBe(300_000);
  });

  test('errors name the file and the JSON path', async () => {
    expect(await problems({ name: 'x', drives: [{ id: 'a', traces: [QUAT[0]], kind: 'weird', colour: 'red' }] })).toEqual([
      `<corpus>: $.drives[0]: unknown property 'colour'`,
      `<corpus>: $.drives[0].kind: must be one of "normal", "incident" (got "weird")`,
    ]);
    expect(await problems({ name: 'x', drives: [
      { id: 'a', traces: [QUAT[0], 'missing.csv'] },
      { id: 'a', traces: [QUAT[0]], start: '2020-10-15T21:00:00', timeZone: 'Mars/Olympus' },
      { id: 'b', traces: [QUAT[0]], kind: 'incident', incidents: [{ from: '5m', to: '1m', rules: ['towing'] }] },
      { id: 'c', traces: [QUAT[0]], start: '2020-10-15T21:00:00' },
      { id: 'd', traces: [QUAT[0]], kind: 'incident' },
    ] })).toEqual([
      expect.stringMatching(/^<corpus>: \$\.drives\[0\]\.traces\[1\]: no such file: .*missing\.csv$/),
      `<corpus>: $.drives[1].start: unknown time zone 'Mars/Olympus' (an IANA name such as Europe/Berlin or Pacific/Auckland)`,
      `<corpus>: $.drives[2].incidents[0].to: the window ends before it starts`,
      `<corpus>: $.drives[3].start: '2020-10-15T21:00:00' has no UTC offset: add one (e.g. +13:00) or give timeZone`,
      `<corpus>: $.drives[4]: an incident drive needs incidents, or a scenario with events to take them from`,
      `<corpus>: $.drives[1]: drive id 'a' is already used at $.drives[0]`,
    ]);
    expect(await problems({ name: 'x', drives: [{ id: 'a', traces: [QUAT[0]], scenario: 'nope.json' }] })).toEqual([
      expect.stringMatching(/^<corpus>: \$\.drives\[0\]\.scenario: .*nope\.json: \$: cannot read: ENOENT/),
    ]);
  });

  test('incidents may come from scenario windows, with the rules the manifest maps each event type to; unknown rule names are caught', async () => {
    const file = manifest({ name: 'x', scenarioRules: { tow: ['towing'], shock: ['shock-or-tamper', 'no-such-rule'] },
      drives: [{ id: 'q', traces: QUAT, start: '2020-10-15T21:00:00+13:00', scenario: resolve('examples/scenarios/door-theft.json') }] });
    const c = await loadCorpus(file);
    const d = c.drives[0];
    expect(d.kind).toBe('incident');
    expect(d.incidents.map((x) => [x.from, x.to, x.rules.join('+')])).toEqual([
      [55_000, 75_000, ''], [60_000, 60_000, ''], [120_000, 170_000, ''], [250_000, 250_000, 'shock-or-tamper+no-such-rule'], [270_000, 270_000, 'towing'], [360_000, 1_080_000, ''],
    ]);
    expect(unknownRules(c, ['towing', 'shock-or-tamper'])).toEqual([`${file}: $.drives[0].incidents[3]: the bundle has no rule 'no-such-rule'`]);
  });

  test('a plain folder: each recording or sub-folder a normal drive, metadata from <name>.drive.json / drive.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-folder-'));
    writeFileSync(join(dir, 'short.csv'), 'time,lat,lon,speed\n0,-36.85,174.76,0\n1000,-36.85,174.76,1\n');
    writeFileSync(join(dir, 'short.drive.json'), JSON.stringify({ tags: { lane: 'A' } }));
    mkdirSync(join(dir, 'trip'));
    for (const f of QUAT) writeFileSync(join(dir, 'trip', f.split('/').pop()!), '');
    writeFileSync(join(dir, 'trip', 'drive.json'), JSON.stringify({ kind: 'incident', incidents: [{ from: '1m', rules: ['towing'] }], start: '2020-10-15T21:00:00', timeZone: 'Pacific/Auckland' }));
    const c = await loadCorpus(dir);
    expect(c.drives.map((d) => [d.id, d.kind, d.traces.length, d.tags])).toEqual([['short.csv', 'normal', 1, { lane: 'A' }], ['trip', 'incident', 2, {}]]);
    writeFileSync(join(dir, 'trip', 'drive.json'), JSON.stringify({ kind: 'incident', incidents: [{ at: '1m' }] }));
    await expect(loadCorpus(dir)).rejects.toThrow(`${join(dir, 'trip', 'drive.json')}: $.incidents[0]: missing required property 'from'`);
  });
});

describe('time zones', () => {
  test('local times resolve with the offset in force at that moment (DST included)', () => {
    expect(zonedToEpoch('2020-10-15T21:00:00', 'Pacific/Auckland')).toBe(Date.parse('2020-10-15T21:00:00+13:00'));
    expect(zonedToEpoch('2020-06-15T21:00:00', 'Pacific/Auckland')).toBe(Date.parse('2020-06-15T21:00:00+12:00'));
    expect(zonedToEpoch('2021-03-28T12:30:00', 'Europe/Berlin')).toBe(Date.parse('2021-03-28T12:30:00+02:00'));
    expect(zonedToEpoch('2020-10-15T21:00:00Z')).toBe(Date.parse('2020-10-15T21:00:00Z'));
    expect(localTime(Date.parse('2020-10-15T08:00:00Z'), 'Pacific/Auckland')).toBe('2020-10-15 21:00:00');
    expect(() => zonedToEpoch('yesterday', 'UTC')).toThrow("'yesterday' is not an ISO 8601 date-time");
  });
});

describe('exposure', () => {
  const LAT = signalMeta('gnss.lat').id, LON = signalMeta('gnss.lon').id;
  function stream(points: Array<[number, number, number]>) {
    const t: number[] = [], sig: number[] = [], value: number[] = [];
    for (const [ms, lat, lon] of points) { t.push(ms, ms); sig.push(LAT, LON); value.push(lat, lon); }
    return { t: Float64Array.from(t), sig: Uint8Array.from(sig), value: Float64Array.from(value), length: t.length };
  }

  test('hours and km leave out gaps longer than maxGap and position jumps faster than 300 km/h', () => {
    // 0.001° of latitude ≈ 111.2 m; 10 s apart (40 km/h). Then a 1-hour gap, then a 20 km jump in 10 s.
    const s = stream([[0, 0, 0], [10_000, 0.001, 0], [20_000, 0.002, 0], [3_620_000, 0.003, 0], [3_630_000, 0.183, 0]]);
    const x = exposure(s, 300_000);
    expect(x.hours).toBeCloseTo(30_000 / 3_600_000, 12);
    expect(x.km).toBeCloseTo(0.2224, 3);
  });

  test('the example drive: about 6 minutes and 3.7 km', () => {
    const x = exposure(readInputs(QUAT, { startMs: 0 }).samples, 300_000);
    expect(x.hours * 60).toBeGreaterThan(5.5);
    expect(x.hours * 60).toBeLessThan(6.5);
    expect(x.km).toBeGreaterThan(3.5);
    expect(x.km).toBeLessThan(4);
  });
});
