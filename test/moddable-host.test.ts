// The Moddable build's board adapter (firmware/moddable/edgerule-board.js, as build-runtime --target moddable ships
// it) runs in XS (@agoric/xsnap) on fake ECMA-419 IO objects that follow the spec's shapes
// (harness/moddable/fake-io.js): the host starts on the same four artifacts, reads a real NMEA recording through
// embedded:io/serial's onReadable/read(), samples the LIS3DH through embedded:io/i2c, hears a contact through
// embedded:io/digital, keeps its records in Flash partitions and the slot pointer in Preference. With no bundle
// flashed, every sample reaches the sink and is counted as lost (nothing runs it) — what is compared here is what
// the drivers made of the inputs, against the simulator's reader on the same bytes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { beforeAll, describe, expect, test } from 'vitest';
import { engines, runScript } from '../harness/engines/engines.ts';
import { deviceArtifactSource } from '../hil/virtual/artifact.ts';
import { deviceConfig, readBoard, defaultBoardPath } from '../firmware/board-config.ts';
import { findProfile } from '../firmware/build.ts';
import { sharedData } from '../harness/shared-data.ts';
import { readNmea } from '../simulator/trace/nmea.ts';

const TRACES = sharedData('traces', 'the Moddable host reads a real NMEA recording');
const xs = engines().find((e) => e.name === 'xs')!;
const FAKES: Record<string, string> = {
  'embedded:io/serial': '__rig.Serial', 'embedded:io/i2c': '__rig.I2C', 'embedded:io/digital': '__rig.Digital', 'embedded:io/analog': '__rig.Analog',
  flash: '__rig.Flash', preference: '__rig.Preference', timer: '__rig.Timer', 'edgerule-host': 'EdgeRule',
};

/** The board adapter as one script, its platform modules resolved to the fakes and its config to `cfg`. */
async function boardScript(cfg: unknown): Promise<string> {
  const fakes: Plugin = {
    name: 'moddable-fakes',
    setup(b) {
      b.onResolve({ filter: /^(embedded:io\/\w+|flash|preference|timer|edgerule-host|edgerule-config)$/ }, (a) => ({ path: a.path, namespace: 'fake' }));
      b.onLoad({ filter: /.*/, namespace: 'fake' }, (a) => ({ contents: a.path === 'edgerule-config' ? `export default ${JSON.stringify(cfg)};` : `export default ${FAKES[a.path]};`, loader: 'js' }));
    },
  };
  const r = await build({
    entryPoints: [fileURLToPath(new URL('../firmware/moddable/edgerule-board.js', import.meta.url))], bundle: true, write: false,
    format: 'iife', globalName: 'EdgeRuleBoard', target: 'es2020', plugins: [fakes], logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

describe.skipIf((!xs.available && process.env.CI !== 'true') || !TRACES.present)(`the Moddable host in XS on fake ECMA-419 IO${TRACES.skipped}`, () => {
  let out: { fault: string; agent: boolean; nmea: number[]; sink: { fed: number; lost: number }; sent: number; prefs: string[] };
  let nmea: Uint8Array;
  beforeAll(async () => {
    const file = defaultBoardPath('moddable');
    const board = readBoard(file);
    // a line quiet for 200 ms completes the epoch (else the last one waits for the next)
    const cfg = deviceConfig({ ...board, gnss: { ...board.gnss, quietMs: 200 } }, await findProfile('full'), file);
    nmea = new Uint8Array(readFileSync(TRACES.path('nmea/ublox-zed-f9p-nmea.log')));
    const script = `${readFileSync(fileURLToPath(new URL('../harness/moddable/fake-io.js', import.meta.url)), 'utf8')}
${deviceArtifactSource()}
${await boardScript(cfg)}
__rig.setNow(1700000000000);
__rig.acc[0] = 0; __rig.acc[1] = 0; __rig.acc[2] = 500;
var h = EdgeRuleBoard.default();
var bytes = new Uint8Array([${Array.from(nmea).join(',')}]), at = 0, t = 1700000000000;
while (at < bytes.length) {
  var n = Math.min(97, bytes.length - at);
  __rig.arrive(2, bytes.subarray(at, at + n));
  at += n; t += 40;
  __rig.advance(t);
}
__rig.pin(4, 0); __rig.advance(t + 1000); __rig.pin(4, 1); __rig.advance(t + 2000);
var sent = 0, k; for (k in __rig.serials) if (+k === 1) sent = __rig.serials[k].out.length;
print(JSON.stringify({ fault: h.fault, agent: !!h.agent, nmea: Array.prototype.slice.call(h.nmea.stats), sink: { fed: h.sink.fed, lost: h.sink.lost }, sent: sent, prefs: Object.keys(__rig.prefs) }));
`;
    out = JSON.parse((await runScript('xs', script, { timeoutMs: 300_000 })).stdout.trim().split('\n').pop()!);
  }, 600_000);

  test('the host starts on the fake IO: the link agent runs, its slot pointer and records in Flash/Preference', () => {
    expect(out.fault).toBe('');
    expect(out.agent).toBe(true);
    expect(out.prefs.filter((k) => k.startsWith('edgerule/lp'))).not.toHaveLength(0); // the slot pointer's records (boot count)
  });

  test('the NMEA reader on embedded:io/serial sees the epochs the simulator\'s reader finds in the same bytes', () => {
    const sim = readNmea(nmea, 'ublox-zed-f9p-nmea.log');
    expect(out.nmea[7]).toBe(sim.stats.epochs); // NmeaStat.EPOCHS
    expect(out.nmea[0]).toBe(nmea.length); // every byte read through read() after onReadable
  });

  test('accelerometer, contact and GNSS samples reach the sink (lost: no bundle is flashed to run them)', () => {
    const sim = readNmea(nmea, 'ublox-zed-f9p-nmea.log');
    expect(out.sink.fed).toBe(0);
    // GNSS samples + 5 accelerometer signals at 25 Hz over the run + the door's debounced edges
    expect(out.sink.lost).toBeGreaterThan(sim.samples.length + 5 * 25);
  });
});
