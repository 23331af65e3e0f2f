// Injected runs on the device agent (runtime/link/inject.ts, from the built artifact) against the real host code,
// in process: what the device takes of each INJECT (resent, overlapping, beyond a lost frame, more than fits),
// what it refuses (malformed entries, another run, a device that takes no injected runs), the board's sensors
// being ignored, the run queue as flow control, a run given up after 30 s of silence — and, over many real
// recordings with and without a scenario, in both signing modes, records byte-identical to the simulator's.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as C from '../runtime/link/constants.ts';
import { crc32 } from '../runtime/link/crc32.ts';
import { InProcessDevice, MemoryStore, linkConfig, signedLibrary, freshLinkProgram, DEVICE_KEY } from '../harness/link.ts';
import { hilFiles } from '../harness/hil.ts';
import { sharedData } from '../harness/shared-data.ts';
import { LinkSession, status } from '../hil/link/session.ts';
import { flash } from '../hil/link/flash.ts';
import { bundleId } from '../hil/link/bundle-id.ts';
import { encodeFrame, FrameReader, type Body, type Frame, type Value } from '../hil/link/codec.ts';
import { InjectSource } from '../hil/run/samples.ts';
import { loadHilBundle } from '../hil/run/reference.ts';
import { runHil, HIL_DEFAULTS, type HilOptions } from '../hil/run/run.ts';
import { judge } from '../hil/run/verdict.ts';
import { SampleBuffer } from '../simulator/trace/samples.ts';
import { loadScenario } from '../simulator/scenario.ts';
import { signalMeta, type SignalName } from '../compiler/dsl/catalogue.ts';

const devices: InProcessDevice[] = [];
afterEach(() => { for (const d of devices.splice(0)) d.stop(); });
const map = (...e: Array<[number, Value]>) => new Map<number, Value>(e);

async function device(cfg = linkConfig({ injectBuffer: 1024 })): Promise<{ d: InProcessDevice; s: LinkSession }> {
  const d = new InProcessDevice(new MemoryStore(), cfg);
  devices.push(d);
  const r = await flash('lib', await signedLibrary({ version: 1 }), { port: 'in-process', open: async () => d.transport() });
  expect(r.ok).toBe(true);
  return { d, s: new LinkSession(d.transport(), { timeoutMs: 300, tries: 10 }) };
}

/** Samples at whole seconds from t0: [seconds, signal, value]. */
function samples(list: Array<[number, SignalName, number]>, t0 = 1_700_000_300_000): InjectSource {
  const b = new SampleBuffer(list.length);
  for (const [s, name, v] of list) b.push(t0 + s * 1000, signalMeta(name).id, v);
  return new InjectSource(b);
}

const fix = (s: number): Array<[number, SignalName, number]> => [[s, 'gnss.lat', -36.85], [s, 'gnss.lon', 174.76], [s, 'gnss.speed', 0]];
const RUN = 9;
const begin = (s: LinkSession, src: InjectSource, run = RUN) => s.request(C.MSG_INJECT, map([C.IQ_RUN, run], [C.IQ_ORIGIN, src.origin]));
const inject = (s: LinkSession, from: number, bytes: Uint8Array, run = RUN) => s.request(C.MSG_INJECT, map([C.IQ_RUN, run], [C.IQ_FROM, from], [C.IQ_SAMPLES, bytes]));
const counts = (b: Body) => [status(b), b.get(C.IR_NEXT), b.get(C.IR_DONE)];

describe('what the device takes', () => {
  test('a device whose board sets no injectBuffer answers UNSUPPORTED; BEGIN without a running bundle, NOT_FOUND', async () => {
    const { s } = await device(linkConfig());
    expect(status(await begin(s, samples(fix(0))))).toBe(C.ST_UNSUPPORTED);
    expect(status(await s.request(C.MSG_END_RUN, map([C.NQ_RUN, 1], [C.NQ_SAMPLES, 0])))).toBe(C.ST_UNSUPPORTED);
    const bare = new InProcessDevice(new MemoryStore(), linkConfig({ injectBuffer: 1024 }));
    devices.push(bare);
    expect(status(await begin(new LinkSession(bare.transport()), samples(fix(0))))).toBe(C.ST_NOT_FOUND);
  });

  test('resent and overlapping frames add nothing twice, a frame after a lost one adds nothing, a full buffer takes whole entries', async () => {
    const { s } = await device();
    const src = samples([...fix(0), ...fix(1), ...fix(2), ...fix(3), ...fix(4), ...fix(5), ...fix(6), ...fix(7)]);
    expect(counts(await begin(s, src))).toEqual([C.ST_OK, 0, 0]);
    const a = src.payload(0, 60); // the three samples at 0 s (17 + 9 + 9 bytes) and the first at 1 s (17)
    expect(a.to).toBe(4);
    expect((await inject(s, 0, a.bytes)).get(C.IR_NEXT)).toBe(4);
    expect((await inject(s, 0, a.bytes)).get(C.IR_NEXT)).toBe(4); // resent
    expect((await inject(s, 10, src.payload(10, 200).bytes)).get(C.IR_NEXT)).toBe(4); // beyond a hole: not taken
    const b = src.payload(1, 200); // overlaps 1 … 3: only 4 on is taken
    expect((await inject(s, 1, b.bytes)).get(C.IR_NEXT)).toBe(b.to);
    const st = await s.request(C.MSG_END_RUN, map([C.NQ_RUN, RUN], [C.NQ_SAMPLES, src.length]));
    expect([status(st), st.get(C.NR_NEXT)]).toEqual([C.ST_INCOMPLETE, b.to]);
    expect(status(await s.request(C.MSG_END_RUN, map([C.NQ_RUN, RUN], [C.NQ_SAMPLES, 2])))).toBe(C.ST_MALFORMED); // fewer than it holds
    // what fits of a frame larger than the free space: whole entries only, the rest sent again from the reply's index
    const small = new InProcessDevice(new MemoryStore(), linkConfig({ injectBuffer: 1024 }));
    devices.push(small);
    await flash('lib', await signedLibrary({ version: 1 }), { port: 'in-process', open: async () => small.transport() });
    const big = samples(Array.from({ length: 150 }, (_, i) => [i, 'gnss.speed', i] as [number, SignalName, number]));
    const ss = new LinkSession(small.transport(), { timeoutMs: 300, tries: 10 });
    await begin(ss, big);
    small.pause(); // no polls: nothing is evaluated, the buffer fills
    const r1 = await inject(ss, 0, big.payload(0, 1000).bytes);
    expect([r1.get(C.IR_NEXT), r1.get(C.IR_FREE)]).toEqual([58, 1024 - 58 * 17 - 1]); // each sample 17 bytes, and the group end after the last one taken
    const r2 = await inject(ss, 58, big.payload(58, 1000).bytes);
    expect([r2.get(C.IR_NEXT), r2.get(C.IR_FREE)]).toEqual([60, (r1.get(C.IR_FREE) as number) - 2 * 17]); // two more whole samples
  });

  test('malformed entries are refused whole; another run id is NO_RUN', async () => {
    const { s } = await device();
    const src = samples([...fix(0), ...fix(1)]);
    await begin(s, src);
    const good = src.payload(0, 1000).bytes;
    const untimed = Uint8Array.from([signalMeta('door').id, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    const truncated = good.subarray(0, 20);
    const back = samples([[5, 'door', 1], [4, 'door', 0]].map(([t, n, v]) => [t, n, v] as [number, SignalName, number])).payload(0, 100).bytes;
    for (const bad of [untimed, truncated, back, Uint8Array.of(C.TAG_GROUP_END)]) expect(status(await inject(s, 0, bad))).toBe(C.ST_MALFORMED);
    expect((await inject(s, 0, good)).get(C.IR_NEXT)).toBe(6);
    const again = samples([[1, 'door', 1]]).payload(0, 100).bytes; // the time after a group end that closed it
    expect(status(await inject(s, 6, again))).toBe(C.ST_MALFORMED);
    expect(status(await inject(s, 6, good, RUN + 1))).toBe(C.ST_NO_RUN);
  });
});

/** The agent with a clock of our own (for the 30 s abandon), fed whole frames; returns the frames it sends back. */
async function manualDevice() {
  const api = freshLinkProgram();
  const store = new MemoryStore();
  const out: Frame[] = [];
  const reader = new FrameReader((f) => out.push(f));
  let now = 1000;
  const agent = api.linkAgent(linkConfig({ injectBuffer: 1024 }), { write: (b, s, n) => reader.push(b.slice(s, s + n)), restart() {}, output() {}, interval() {} }, store, now);
  let seq = 1;
  const send = (type: number, body: Map<number, Value>, advance = 10): Frame[] => {
    out.length = 0;
    now += advance;
    const w = encodeFrame(type, seq++, body);
    agent.input(w, 0, w.length, now);
    // poll() answers 0 while it wants to be called again at once; bounded, so a device that never settles fails here instead of hanging
    for (let k = 0; agent.poll(now) === 0; k++, now++) if (k > 100_000) throw new Error(`the agent asked for 100,000 immediate polls after a frame of type 0x${type.toString(16)}`);
    return out.slice();
  };
  const v1 = await signedLibrary({ version: 1 });
  const id = bundleId(v1);
  send(C.MSG_BEGIN, map([C.BQ_ID, id], [C.BQ_SIZE, v1.length], [C.BQ_CRC, crc32(0, v1, 0, v1.length)]));
  for (let off = 0; off < v1.length; off += 512) send(C.MSG_CHUNK, map([C.CQ_OFFSET, off], [C.CQ_DATA, v1.subarray(off, off + 512)])); // within the device's frame limit
  for (let k = 0; ; k++) { // PENDING while the slot check runs; bounded, so a refusal fails here instead of spinning
    const st = status(send(C.MSG_ACTIVATE, map([C.AQ_ID, id]))[0].body);
    if (st === C.ST_OK) break;
    if (st !== C.ST_PENDING || k > 10_000) throw new Error(`ACTIVATE answered status ${st} after ${k} tries`);
    now += 10;
  }
  return { agent, send, idle: (ms: number) => { now += ms; agent.poll(now); } };
}

describe('the run and the board', () => {
  test('during a run the board\'s sensors are ignored; a run nobody talks to for 30 s is given up, and the sensors are back', async () => {
    const { agent, send, idle } = await manualDevice();
    const rt = agent.runtime();
    expect(rt).not.toBeNull();
    const src = samples(fix(0));
    expect(status(send(C.MSG_INJECT, map([C.IQ_RUN, 5], [C.IQ_ORIGIN, src.origin]))[0].body)).toBe(C.ST_OK);
    expect(agent.runtime()).toBeNull();
    const hello = (f: Frame[]) => f.find((x) => x.type === (C.MSG_HELLO | C.REPLY))!.body;
    expect(hello(send(C.MSG_HELLO, map([C.HQ_NONCE, new Uint8Array(16)], [C.HQ_MAX_FRAME, 4096]))).get(C.HR_RUN)).toBe(5);
    idle(C.INJECT_IDLE - 100);
    expect(agent.runtime()).toBeNull();
    idle(200);
    expect(agent.runtime()).toBe(rt); // the bundle's own state was left as it was
    expect(hello(send(C.MSG_HELLO, map([C.HQ_NONCE, new Uint8Array(16)], [C.HQ_MAX_FRAME, 4096]))).has(C.HR_RUN)).toBe(false);
    expect(status(send(C.MSG_INJECT, map([C.IQ_RUN, 5], [C.IQ_FROM, 0], [C.IQ_SAMPLES, src.payload(0, 100).bytes]))[0].body)).toBe(C.ST_NO_RUN);
  });

  test('the run queue is the flow control: evaluation waits while more than half its slots are unacknowledged, and goes on when the host acknowledges', async () => {
    const { send } = await manualDevice();
    // 20 impacts two minutes apart (shock-or-tamper's cooldown is one minute), each followed by a calm reading a
    // second later so the next is a new rising edge: 20 records, 40 samples
    const src = samples(Array.from({ length: 20 }, (_, i) => [[i * 120, 'accel.mag', 50], [i * 120 + 1, 'accel.mag', 1]] as Array<[number, SignalName, number]>).flat());
    send(C.MSG_INJECT, map([C.IQ_RUN, 6], [C.IQ_ORIGIN, src.origin]));
    const r = send(C.MSG_INJECT, map([C.IQ_RUN, 6], [C.IQ_FROM, 0], [C.IQ_SAMPLES, src.payload(0, 1000).bytes]));
    expect(r[0].body.get(C.IR_NEXT)).toBe(40);
    const probe = () => send(C.MSG_INJECT, map([C.IQ_RUN, 6], [C.IQ_FROM, 40]))[0].body.get(C.IR_DONE) as number;
    const held = probe();
    expect(held).toBeLessThan(40);
    expect(held).toBeGreaterThanOrEqual(C.RUN_QUEUE / 2);
    expect(probe()).toBe(held); // no acknowledgement, no progress
    send(C.MSG_EVENT | C.REPLY, map([C.K_STATUS, C.ST_OK], [C.ER_ACK, held]));
    expect(probe()).toBeGreaterThan(held); // acknowledged: evaluation goes on
  });
});

const shared = sharedData('traces', 'the identity runs replay real recordings');
const RECORDINGS = ['gpx/sbn.gpx', 'nmea/bt451.log', 'gpx/skytraq-realdata.gpx', 'imu/x-io-gait-short_walk.csv'];

describe.each(['per-event', 'checkpoint'] as const)(`%s signing: records byte-identical to the simulator's on real recordings${shared.skipped}`, (signing) => {
  let bundle: ReturnType<typeof loadHilBundle>;
  let d: InProcessDevice;
  beforeAll(async () => {
    if (!shared.present) return;
    bundle = loadHilBundle((await hilFiles({ signing })).bundle);
    d = new InProcessDevice(new MemoryStore(), linkConfig({ injectBuffer: 2048 }));
  });
  afterAll(() => d?.stop());

  test.skipIf(!shared.present).each(RECORDINGS)('%s, without and with the door-theft scenario', async (rec) => {
    const scenario = { file: 'door-theft', scenario: await loadScenario('examples/scenarios/door-theft.json') };
    let records = 0;
    for (const sc of [undefined, scenario]) {
      const o: HilOptions = { ...HIL_DEFAULTS, port: 'in-process', bundle, inputs: { traces: [shared.path(rec)], scenario: sc }, flash: true, reset: false, deviceKey: DEVICE_KEY, open: async () => d.transport() };
      const r = judge(await runHil(o), o);
      expect(r.verdict, `${rec}${sc ? ' with door-theft' : ''}`).toMatch(/^PASS/);
      expect(r.run.received).toBe(r.run.samples);
      records += r.run.recordsMade ?? 0;
    }
    expect(records).toBeGreaterThan(0);
  });
});
