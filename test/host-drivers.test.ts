// The device host's drivers (runtime/host/, the code dist/edgerule-host.js carries to every board), on Node:
// the NMEA reader on real recordings gives the simulator's reader's samples, whatever chunks the UART delivers;
// the LIS3DH driver through a fake part on an ECMA-419-shaped I2C class; the record log (where the event queue,
// the writer state and the slot pointer live on Espruino and Moddable) across power cuts at 50 random points of
// a queue's writes, on storage with flash semantics: no record lost, none doubled, none torn.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { newSink } from '../runtime/host/sink.ts';
import { newNmea, nmeaInput, nmeaFlush, nmeaReset } from '../runtime/host/nmea.ts';
import { lis3dh } from '../runtime/host/lis3dh.ts';
import { openLog, logGet, logPut, type Region } from '../runtime/host/record-log.ts';
import { readNmea } from '../simulator/trace/nmea.ts';
import { sharedData } from '../harness/shared-data.ts';
import { rng } from '../hil/relay/mangle.ts';
import type { Runtime } from '../runtime/engine/runtime.ts';

const TRACES = sharedData('traces', 'the NMEA reader is compared with the simulator\'s on real recordings');

/** Samples as the device's NMEA reader gives them, the UART's bytes in random chunks. */
function deviceSamples(bytes: Uint8Array, seed: number): string[] {
  const got: string[] = [];
  const rt = { set: (s: number, v: number) => { got.push(`${s}:${v}`); }, advanceTo() {}, step() {} } as unknown as Runtime;
  const sink = newSink({ runtime: () => rt, account() {} }, () => 0);
  const n = newNmea(sink);
  nmeaReset(n);
  const r = rng(seed);
  let t = 0;
  for (let at = 0; at < bytes.length;) {
    const len = 1 + Math.floor(r() * 200);
    nmeaInput(n, bytes, at, Math.min(len, bytes.length - at), t++);
    at += len;
  }
  nmeaFlush(n, t);
  return got;
}

describe.skipIf(!TRACES.present)(`NMEA on the device: the simulator's samples from the same bytes${TRACES.skipped}`, () => {
  for (const file of ['nmea/nmea-rtk.log', 'nmea/ublox-zed-f9p-nmea.log', 'nmea/gpsdf.log']) {
    test(file, () => {
      const bytes = new Uint8Array(readFileSync(TRACES.path(file)));
      const sim = readNmea(bytes, file).samples;
      const want: string[] = [];
      for (let i = 0; i < sim.length; i++) want.push(`${sim.sig[i]}:${sim.value[i]}`);
      expect(want.length).toBeGreaterThan(50);
      for (const seed of [1, 2, 3]) expect(deviceSamples(bytes, seed).sort()).toEqual([...want].sort());
    });
  }
  test('nmea/telit-he910.log: one epoch more on the device, the one whose UTC time goes backwards', () => {
    // The simulator drops an epoch whose time goes back (a trace file's policy); the device stamps every epoch with
    // its own clock when it completes, so it has no such case and passes the epoch on.
    const bytes = new Uint8Array(readFileSync(TRACES.path('nmea/telit-he910.log')));
    const sim = readNmea(bytes, 'telit-he910.log');
    expect(sim.stats.droppedBackwards).toBe(1);
    const want: string[] = [];
    for (let i = 0; i < sim.samples.length; i++) want.push(`${sim.samples.sig[i]}:${sim.samples.value[i]}`);
    const got = deviceSamples(bytes, 1);
    for (const x of want) got.splice(got.indexOf(x), 1);
    expect(got.map((x) => Number(x.split(':')[0])).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]); // one epoch: fix, lat, lon, speed, course, hdop, sats
  });
});

/** An LIS3DH on a fake bus, in ECMA-419 I2C's shape: `new I2C({data, clock, hz, address})`, write(bytes), read(n). */
function fakeLis3dh(counts: number[]) {
  const regs = new Uint8Array(128);
  regs[0x0f] = 0x33;
  let ptr = 0;
  return class FakeI2C {
    constructor(readonly o: { address?: number }) {
      if (o.address !== 0x18) throw new Error(`no device at ${o.address}`);
    }
    write(b: Uint8Array) {
      ptr = b[0];
      if (b.length > 1) regs[b[0] & 0x7f] = b[1];
    }
    read(n: number): ArrayBuffer {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const r = (ptr & 0x80 ? (ptr & 0x7f) + i : ptr) & 0x7f;
        if (r >= 0x28 && r <= 0x2d) {
          const v = (counts[(r - 0x28) >> 1] * 16) & 0xffff;
          out[i] = r & 1 ? v >> 8 : v & 255;
        } else out[i] = r === 0x27 ? 0x08 : regs[r];
      }
      return out.buffer;
    }
    close() {}
  };
}

test('LIS3DH driver: WHO_AM_I checked, range set, counts become g the same way on every engine', () => {
  const a = lis3dh({ sensor: { io: fakeLis3dh([250, -500, 1000]) as never, address: 0x18 } });
  a.configure({ rate: 25, range: 4 });
  expect(a.sample()).toEqual({ x: 0.5, y: -1, z: 2 }); // ±4 g: 2 mg per count
  const errors: unknown[] = [];
  lis3dh({ sensor: { io: fakeLis3dh([0, 0, 0]) as never, address: 0x19 }, onError: (e) => errors.push(e) });
  expect(errors).toHaveLength(1);
});

/** Two flash regions: bytes programmed once after an erase (4-byte words), power lost after `budget` bytes. */
function flash(size: number) {
  const mem = [new Uint8Array(size).fill(255), new Uint8Array(size).fill(255)];
  const p = { budget: Infinity, dead: false };
  const region = (i: number): Region => ({
    size,
    erase() {
      if (p.dead) return false;
      if (p.budget < 1) { p.dead = true; return false; }
      p.budget -= 1;
      mem[i].fill(255);
      return true;
    },
    write(at, buf, start, len) {
      if (p.dead) return false;
      for (let k = 0; k < len; k++) if (mem[i][at + k] !== 255 && mem[i][at + k] !== buf[start + k]) throw new Error(`region ${i} byte ${at + k} programmed twice`);
      const ok = Math.min(len, Math.floor(p.budget / 4) * 4);
      mem[i].set(buf.subarray(start, start + ok), at);
      p.budget -= ok;
      if (ok < len) { p.dead = true; return false; }
      return true;
    },
    read(at, len) { return mem[i].slice(at, at + len); },
  });
  return { p, regions: [region(0), region(1)] as const };
}

test('record log: power cut at 50 random points of a queue\'s writes; every record either as before or as written', () => {
  const f = flash(2048);
  const r = rng(20261201);
  const payload = (seq: number) => new Uint8Array(Array.from({ length: 40 + (seq % 23) }, (_, i) => (seq * 7 + i) & 255));
  // the queue as the event writer keeps it: q<seq> records appended, the head record says what was acknowledged
  let next = 1, acked = 0, cuts = 0, lost = 0, doubled = 0, torn = 0;
  const written = new Set<number>();
  while (cuts < 50) {
    f.p.budget = 200 + Math.floor(r() * 3000);
    f.p.dead = false;
    let log = openLog(f.regions[0], f.regions[1]);
    // after the restart: what the log says
    const head = logGet(log, 'head');
    const ackedNow = head ? new DataView(head.buffer, head.byteOffset).getUint32(0, true) : 0;
    if (ackedNow < acked) lost++;
    for (const s of written) {
      const got = logGet(log, `q${s}`);
      if (s > acked && !got) lost++;
      if (got && Buffer.compare(Buffer.from(got), Buffer.from(payload(s))) !== 0) torn++;
    }
    // keep queueing and acknowledging until the power goes
    for (;;) {
      const seq = next;
      if (!logPut(log, `q${seq}`, payload(seq))) break;
      written.add(seq);
      next++;
      if (seq % 3 === 0) {
        const h = new Uint8Array(4);
        new DataView(h.buffer).setUint32(0, seq - 2, true);
        if (!logPut(log, 'head', h)) break;
        acked = seq - 2;
        for (let s = seq - 4; s <= seq - 2; s++) if (s > 0 && !logPut(log, `q${s}`, new Uint8Array(0))) break;
      }
    }
    cuts++;
    log = openLog(f.regions[0], f.regions[1]);
    // a record whose put did not return is either absent or whole; the head never goes back
    const h2 = logGet(log, 'head');
    const a2 = h2 ? new DataView(h2.buffer, h2.byteOffset).getUint32(0, true) : 0;
    if (a2 < acked) lost++;
    if (a2 > acked) acked = a2; // the cut came after the head's write had landed
    const inFlight = logGet(log, `q${next}`);
    if (inFlight) {
      if (Buffer.compare(Buffer.from(inFlight), Buffer.from(payload(next))) !== 0) torn++;
      written.add(next);
      next++;
    }
    const keys = new Set<string>();
    for (const s of written) if (logGet(log, `q${s}`)) { if (keys.has(`q${s}`)) doubled++; keys.add(`q${s}`); }
  }
  expect({ cuts, lost, doubled, torn }).toEqual({ cuts: 50, lost: 0, doubled: 0, torn: 0 });
  expect(next).toBeGreaterThan(200); // the queue went round the regions many times
});
