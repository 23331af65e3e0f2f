/**
 * Every real recording in ../shared/traces replays through the runtime artifact with the whole rule library
 * without a crash: every sample the reader produced is fed, timers run to the end, events are well formed.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileFiles } from '../compiler/compile.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';
import { Replayer } from '../simulator/replay.ts';
import { readTrace } from '../simulator/trace/index.ts';
import { sharedData, PROJECT_ROOT } from '../harness/shared-data.ts';

const SHARED = sharedData('traces', 'these tests replay the shared recordings');
const TRACES = SHARED.dir;

function walk(d: string): string[] {
  return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
}
const recordings = SHARED.present ? walk(TRACES).filter((f) => /\.(log|gpx|csv)$/.test(f) && !f.endsWith('Metadata.csv')).sort() : [];
const library = await compileFiles([PROJECT_ROOT + 'rules']);
const ruleCount = library.map.rules.length;

describe.skipIf(!SHARED.present)(`replaying every shared recording through the library${SHARED.skipped}`, () => {
  test('there are recordings to replay', () => expect(recordings.length).toBe(34));

  test.each(recordings.map((f) => relative(TRACES, f)))('%s', (name) => {
    const trace = readTrace(join(TRACES, name));
    const r = new Replayer(loadRuntimeArtifact(), library.bytes);
    r.feed(trace.samples);
    r.finish(trace.samples.length ? trace.samples.t[trace.samples.length - 1] + 3_600_000 : undefined);
    expect(r.fed).toBe(trace.samples.length);
    for (let i = 0; i < r.events.length; i++) {
      expect(r.events.rule[i]).toBeLessThan(ruleCount);
      expect(Number.isFinite(r.events.t[i])).toBe(true);
    }
  });
});
