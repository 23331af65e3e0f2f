// Batch replays on worker threads: unit discovery, results identical to single replays, deterministic shards.
import { beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadBundle, type LoadedBundle } from '../simulator/inputs.ts';
import { simulate, eventsJsonl } from '../simulator/run.ts';
import { batchUnits, parseShard, runBatch, shardUnits, unitDir } from '../simulator/batch.ts';
import { sharedData } from '../harness/shared-data.ts';
import { runCli } from '../harness/cli.ts';

const TRACES = sharedData('traces', 'batch tests replay real recordings from it');
const SHARED = TRACES.dir;

let folder: string;
let bundle: LoadedBundle;

beforeAll(async () => {
  bundle = await loadBundle('rules');
  folder = mkdtempSync(join(tmpdir(), 'edgerule-batch-'));
  if (!TRACES.present) return;
  for (const f of ['gpx/sbn.gpx', 'gpx/sbn-v13.gpx', 'nmea/bt451.log', 'nmea/ublox-lea-4h.log', 'imu/x-io-gait-short_walk.csv']) symlinkSync(join(SHARED, f), join(folder, f.split('/')[1]));
  mkdirSync(join(folder, 'quat-21'));
  for (const f of ['gps.2020-10-15-21.csv', 'accel.2020-10-15-21.csv']) symlinkSync(resolve('examples/quat-orient', f), join(folder, 'quat-21', f));
  symlinkSync(resolve('examples/quat-orient/LICENSE.txt'), join(folder, 'quat-21', 'LICENSE.txt'));
  writeFileSync(join(folder, 'quat-21', 'expect.json'), JSON.stringify({ name: 'quat-21 plain drive', expect: [{ rule: 'depot-exit-without-seal', at: '1m', tolerance: '5s' }], forbid: [{ rule: 'towing' }] }));
  writeFileSync(join(folder, 'broken.csv'), 'what,is,this\n1,2,3\n');
  writeFileSync(join(folder, 'README.md'), 'not a trace\n');
});

describe('batch', () => {
  test.skipIf(!TRACES.present)(`units: files, and sub-folders as one merged replay; README/licence/JSON are not traces${TRACES.skipped}`, () => {
    const units = batchUnits(folder);
    expect(units.map((u) => u.id)).toEqual(['broken.csv', 'bt451.log', 'quat-21', 'sbn-v13.gpx', 'sbn.gpx', 'ublox-lea-4h.log', 'x-io-gait-short_walk.csv']);
    expect(units.find((u) => u.id === 'quat-21')).toMatchObject({ traces: [join(folder, 'quat-21', 'accel.2020-10-15-21.csv'), join(folder, 'quat-21', 'gps.2020-10-15-21.csv')], expect: join(folder, 'quat-21', 'expect.json') });
  });

  test('shards are a deterministic partition', () => {
    const ids = Array.from({ length: 17 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    const shards = [1, 2, 3, 4, 5].map((k) => shardUnits(ids, { k, n: 5 }));
    expect(shards.flat().sort()).toEqual(ids);
    expect(shards[1]).toEqual(['u01', 'u06', 'u11', 'u16']);
    expect(shardUnits(ids, parseShard('2/5'))).toEqual(shards[1]);
    expect(() => parseShard('0/8')).toThrow('need 1 ≤ k ≤ n');
    expect(() => parseShard('2-8')).toThrow('expected k/n');
  });

  test.skipIf(!TRACES.present)(`worker threads give exactly the events of single replays, in unit order; bad units are reported, not fatal${TRACES.skipped}`, async () => {
    const out = mkdtempSync(join(tmpdir(), 'edgerule-batch-out-'));
    const units = batchUnits(folder);
    const results = await runBatch(bundle, units, { outDir: out, report: false }, { jobs: 2 });
    expect(results.map((r) => r.id)).toEqual(units.map((u) => u.id));
    const broken = results.find((r) => r.id === 'broken.csv')!;
    expect(broken).toMatchObject({ ok: false });
    expect(broken.error).toContain('broken.csv: cannot read trace: CSV header not recognised');
    for (const [i, r] of results.entries()) {
      if (r.error) continue;
      const single = simulate({ bundle, traces: units[i].traces });
      expect(readFileSync(join(unitDir(out, r.id), 'events.jsonl'), 'utf8'), r.id).toBe(eventsJsonl(single.events));
      expect(r.summary!.events.total).toBe(single.events.length);
    }
    const quat = results.find((r) => r.id === 'quat-21')!;
    expect(quat.expectations).toHaveLength(1);
    expect(quat.expectations[0]).toMatchObject({ ok: true, passed: 2 });
    // Workers loading the TypeScript sources (no pre-built script) agree.
    const some = units.filter((u) => ['quat-21', 'bt451.log'].includes(u.id));
    const viaTs = await runBatch(bundle, some, { report: false }, { jobs: 1, prebuilt: false });
    expect(viaTs.map((r) => r.summary!.events.perRule)).toEqual(some.map((u) => results.find((r) => r.id === u.id)!.summary!.events.perRule));
  });

  test.skipIf(!TRACES.present)(`CLI: --batch --shard k/n --json, the union of shards is the whole batch, JUnit for all${TRACES.skipped}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-batch-cli-'));
    const run = async (shard: string) => {
      const r = await runCli(['simulate', '--bundle', 'rules', '--batch', folder, '--shard', shard, '--jobs', '2', '--json', '--junit', join(dir, `junit-${shard.replace('/', 'of')}.xml`)]);
      return { status: r.code, json: JSON.parse(r.out), stderr: r.err };
    };
    const a = await run('1/2'), b = await run('2/2');
    expect(a.json.results.map((r: { id: string }) => r.id)).toEqual(['broken.csv', 'quat-21', 'sbn.gpx', 'x-io-gait-short_walk.csv']);
    expect(b.json.results.map((r: { id: string }) => r.id)).toEqual(['bt451.log', 'sbn-v13.gpx', 'ublox-lea-4h.log']);
    expect(a.status).toBe(1); // broken.csv
    expect(b.status, b.stderr).toBe(0);
    expect((await run('2/2')).json.results).toEqual(b.json.results);
    const junit = readFileSync(join(dir, 'junit-1of2.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="broken.csv: replay" tests="1" failures="1"');
    expect(junit).toContain('quat-21: ');
  });
});
