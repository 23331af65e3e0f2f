// The Espruino host in the Linux build of Espruino (env ESPRUINO), on simulated inputs through the rig
// (hil/espruino/rig.js): a real NMEA recording written to the GNSS UART's pseudo-terminal and handed over at
// virtual times, accelerometer counts through a fake LIS3DH on a fake I²C bus, a contact toggled by the test.
// With no bundle flashed every sample reaches the sink and is counted as lost (nothing runs it): what is checked
// is what the drivers on Espruino made of the inputs, against the simulator's reader on the same bytes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, describe, expect, test } from 'vitest';
import { EspruinoDevice, espruinoBinary } from '../hil/espruino/device.ts';
import { sharedData } from '../harness/shared-data.ts';
import { readNmea } from '../simulator/trace/nmea.ts';

const esp = espruinoBinary();
const TRACES = sharedData('traces', 'the Espruino host reads a real NMEA recording');
const MINUTES = 60_000;
const T0 = 1_700_000_000_000;
let d: EspruinoDevice | undefined;
afterAll(async () => { await d?.stop(); });

describe.skipIf(!esp.bin || !TRACES.present)(`the Espruino host on simulated inputs${esp.bin ? TRACES.skipped : ` — SKIPPED, not passed: ${esp.why}`}`, () => {
  test('NMEA on the GNSS UART, a fake I²C accelerometer and a contact: the simulator\'s epochs, every sample to the sink', async () => {
    const nmea = new Uint8Array(readFileSync(TRACES.path('nmea/ublox-zed-f9p-nmea.log')));
    d = await EspruinoDevice.start({
      dir: mkdtempSync(join(tmpdir(), 'edgerule-espruino-host-')), clock: 'virtual', start: T0, identity: { device: 7 },
      board: {
        gnss: { quietMs: 200 }, accel: { driver: 'lis3dh', i2c: 'RigI2C', address: 24, hz: 25, range: 4 },
        inputs: [{ signal: 'door', pin: 'D4', invert: true, debounce: 50 }],
      },
    });
    const gnss = await new Promise<SerialPort>((res, rej) => { const p = new SerialPort({ path: d!.gnssPort, baudRate: 9600 }, (e) => (e ? rej(e) : res(p))); });
    // one second of accelerometer counts at 25 Hz: 1 g on z at ±4 g is 500 counts
    const counts = Buffer.alloc(25 * 6);
    for (let i = 0; i < 25; i++) counts.writeInt16LE(500, i * 6 + 4);
    await d.go([['x', T0, 40, counts.toString('base64')]]);
    // the recording written to the UART 1,000 bytes at a time, each handed over 100 ms of virtual time after the
    // last (the Linux build's input FIFO overflows when a pty delivers much more at once)
    let t = T0;
    for (let at = 0; at < nmea.length; at += 1000) {
      const part = nmea.subarray(at, at + 1000);
      await new Promise<void>((res) => gnss.write(Buffer.from(part), () => gnss.drain(() => res())));
      await d.go([['t', (t += 100)], ['g', at + part.length]], 5 * MINUTES);
    }
    await d.go([['t', (t += 1000)], ['p', 'D4', 1], ['t', (t += 1000)], ['p', 'D4', 0], ['t', (t += 1000)]], 5 * MINUTES);
    const st = await d.stats() as { fed: number; nmea: number[]; sink: { fed: number; lost: number } };
    gnss.close();
    const sim = readNmea(nmea, 'ublox-zed-f9p-nmea.log');
    expect(st.fed).toBe(nmea.length);
    expect(st.nmea[0]).toBe(nmea.length); // NmeaStat.BYTES
    expect(st.nmea[7]).toBe(sim.stats.epochs); // NmeaStat.EPOCHS
    expect(st.sink.fed).toBe(0);
    // GNSS samples, 5 accelerometer signals at 25 Hz over the run, the contact's debounced edges
    expect(st.sink.lost).toBeGreaterThan(sim.samples.length + 5 * 25 + 2);
  }, 30 * MINUTES);
});
