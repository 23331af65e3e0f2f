/**
 * A device-link session as one plain ES5 script for any engine (harness/engines): the three artifacts, an
 * in-memory store with flash semantics, and a fixed list of host frames fed to the agent on a fixed clock; the
 * script prints every byte the agent sends as hex lines. Same artifacts, same frames, same clock: every engine
 * must print the same bytes (test/link-engines.test.ts).
 */
import * as C from '../runtime/link/constants.ts';
import { cobsEncode, cobsMax } from '../runtime/link/cobs.ts';
import { crc32 } from '../runtime/link/crc32.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';
import { linkArtifactSource } from '../hil/virtual/artifact.ts';
import { rawFrame, FrameReader, type Frame, type Value } from '../hil/link/codec.ts';
import { bundleId } from '../hil/link/bundle-id.ts';
import { BUILD_KEY, DEVICE_KEY, OTHER_BUILD_KEY, signedLibrary } from './link.ts';
import { rotateKeyStatement, trustStatement, resetStatement, STATEMENT_MAX } from '../runtime/link/statements.ts';
import { runScript } from './engines/engines.ts';
import { signBytes } from '../signing/ed.ts';
import { SampleBuffer } from '../simulator/trace/samples.ts';
import { InjectSource } from '../hil/run/samples.ts';

/**
 * A short injected run's samples (fractional times on purpose): a stop, a position jump, an impact, a power cut
 * and a door opened at rest, so the run's records include several rules and a timer (door-open-at-rest fires 10
 * minutes after the door opens, at the end of the run).
 */
function injectedSamples(): InjectSource {
  const b = new SampleBuffer(64);
  const id = (n: Parameters<typeof signalMeta>[0]) => signalMeta(n).id;
  const at = (t: number, n: Parameters<typeof signalMeta>[0], v: number) => b.push(1_700_000_100_000.25 + t, id(n), v);
  for (let k = 0; k < 8; k++) {
    const t = k * 1000;
    at(t, 'gnss.lat', -36.85 + (k === 5 ? 0.05 : 0));
    at(t, 'gnss.lon', 174.76);
    at(t, 'gnss.speed', k < 3 ? 8 : 0);
    at(t, 'gnss.hdop', 0.9);
    if (k === 0) at(t, 'power.external', 1);
    if (k === 0) at(t, 'door', 0);
    if (k === 2) at(t + 0.5, 'accel.mag', 50);
    if (k === 4) at(t, 'power.external', 0);
    if (k === 6) at(t, 'door', 1);
  }
  return new InjectSource(b);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function wire(type: number, seq: number, body: Map<number, Value>): string {
  const raw = rawFrame(type, seq, body);
  const out = new Uint8Array(cobsMax(raw.length));
  return hex(out.subarray(0, cobsEncode(raw, raw.length, out, 0)));
}

/** What the script printed, as the frames the agent sent after each host frame. */
export function replyFrames(stdout: string): Frame[][] {
  return stdout.split('--\n').slice(1).map((part) => {
    const frames: Frame[] = [];
    const r = new FrameReader((f) => frames.push(f));
    for (const line of part.split('\n')) if (/^[0-9a-f]+$/.test(line)) r.push(new Uint8Array(Buffer.from(line, 'hex')));
    return frames;
  });
}

/** The host's side of the session: [clock ms, frame hex, what happens before it] in order. */
async function hostFrames(): Promise<Array<[number, string, string]>> {
  const v1 = await signedLibrary({ version: 1 });
  const v0 = await signedLibrary({ version: 0 });
  const id1 = bundleId(v1);
  const id0 = bundleId(v0);
  const nonce = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
  const m = (...e: Array<[number, Value]>) => new Map<number, Value>(e);
  let seq = 0x7000;
  let t = 2000;
  const f: Array<[number, string, string]> = [];
  const add = (type: number, body: Map<number, Value>, before = '') => f.push([(t += 37), wire(type, seq++, body), before]);
  add(C.MSG_HELLO, m([C.HQ_NONCE, nonce], [C.HQ_MAX_FRAME, 4096]));
  for (const [id, b] of [[id1, v1], [id0, v0]] as const) {
    add(C.MSG_BEGIN, m([C.BQ_ID, id], [C.BQ_SIZE, b.length], [C.BQ_CRC, crc32(0, b, 0, b.length)]));
    add(C.MSG_CHUNK, m([C.CQ_OFFSET, 0], [C.CQ_DATA, b.subarray(0, 1000)]));
    add(C.MSG_CHUNK, m([C.CQ_OFFSET, 500], [C.CQ_DATA, b.subarray(500, 1000)]));
    add(C.MSG_CHUNK, m([C.CQ_OFFSET, 1000], [C.CQ_DATA, b.subarray(1000)]));
    add(C.MSG_VERIFY, m([C.VQ_ID, id]));
    add(C.MSG_ACTIVATE, m([C.AQ_ID, id], [C.AQ_TRIAL, 0]));
    add(C.MSG_ACTIVATE, m([C.AQ_ID, id], [C.AQ_TRIAL, 0]));
  }
  add(C.MSG_HELLO, m([C.HQ_NONCE, nonce], [C.HQ_MAX_FRAME, 4096], [C.HQ_FLAGS, C.HELLO_EVENTS]), 'impact');
  add(C.MSG_CLOCK, m([C.KQ_UNIX_MS, 1_700_000_000_000]));
  add(C.MSG_STATS, m());
  add(C.MSG_PROVISION, m());
  // an injected run: BEGIN, the samples in two frames (the first sent twice), END_RUN (answered while the device
  // evaluates and signs), the host's acknowledgement of the run's records, END_RUN again (its counts)
  const src = injectedSamples();
  const run = 77;
  add(C.MSG_INJECT, m([C.IQ_RUN, run], [C.IQ_ORIGIN, src.origin]));
  const p1 = src.payload(0, 160);
  add(C.MSG_INJECT, m([C.IQ_RUN, run], [C.IQ_FROM, 0], [C.IQ_SAMPLES, p1.bytes]));
  add(C.MSG_INJECT, m([C.IQ_RUN, run], [C.IQ_FROM, 0], [C.IQ_SAMPLES, p1.bytes]));
  const p2 = src.payload(p1.to, 1000);
  add(C.MSG_INJECT, m([C.IQ_RUN, run], [C.IQ_FROM, p1.to], [C.IQ_SAMPLES, p2.bytes]));
  const end = m([C.NQ_RUN, run], [C.NQ_SAMPLES, src.length], [C.NQ_UNTIL, src.rel[src.length - 1] + 660_000]);
  add(C.MSG_END_RUN, end);
  f.push([(t += 37), wire(C.MSG_EVENT | C.REPLY, 0, m([C.K_STATUS, C.ST_OK], [C.ER_ACK, 99])), '']);
  add(C.MSG_END_RUN, end);
  add(C.MSG_HELLO, m([C.HQ_NONCE, nonce], [C.HQ_MAX_FRAME, 4096]));
  return f;
}

/**
 * Provisioning on a device with no anchor and no key (docs/PROVISIONING.md): PROVISION, the same again (already),
 * another anchor (PROVISIONED), an event-key rotation the anchor signed, a forged one (SIGNATURE), a trust rotation,
 * a stale one (STALE), and HELLO; given the event key then in force, a factory reset: refused while a record is
 * unsent (UNSENT), not signed by the anchor (SIGNATURE), done, done already, provisioned again, then refused as a replay.
 */
function provisioningFrames(eventKey?: Uint8Array): Array<[number, string, string]> {
  const m = (...e: Array<[number, Value]>) => new Map<number, Value>(e);
  const nonce = Uint8Array.from({ length: 16 }, (_, i) => 3 * i);
  const statement = (fill: (b: Uint8Array) => number) => {
    const b = new Uint8Array(STATEMENT_MAX);
    return b.subarray(0, fill(b));
  };
  const signed = (fill: (b: Uint8Array) => number) => signBytes(statement(fill), BUILD_KEY.seed!);
  let seq = 0x5100;
  let t = 2000;
  const f: Array<[number, string, string]> = [];
  const add = (type: number, body: Map<number, Value>) => f.push([(t += 41), wire(type, seq++, body), '']);
  add(C.MSG_HELLO, m([C.HQ_NONCE, nonce], [C.HQ_MAX_FRAME, 4096]));
  add(C.MSG_PROVISION, m([C.PQ_ANCHOR, BUILD_KEY.publicKey], [C.PQ_DEVICE, 7], [C.PQ_NONCE, nonce]));
  add(C.MSG_PROVISION, m([C.PQ_ANCHOR, BUILD_KEY.publicKey], [C.PQ_DEVICE, 7], [C.PQ_NONCE, nonce]));
  add(C.MSG_PROVISION, m([C.PQ_ANCHOR, OTHER_BUILD_KEY.publicKey], [C.PQ_DEVICE, 7], [C.PQ_NONCE, nonce]));
  add(C.MSG_ROTATE_EVENT_KEY, m([C.XQ_DEVICE, 7], [C.XQ_EPOCH, 0], [C.XQ_SIGNATURE, signed((b) => rotateKeyStatement(b, 7, 0))], [C.XQ_NONCE, nonce]));
  add(C.MSG_ROTATE_EVENT_KEY, m([C.XQ_DEVICE, 7], [C.XQ_EPOCH, 1], [C.XQ_SIGNATURE, signed((b) => rotateKeyStatement(b, 7, 0))], [C.XQ_NONCE, nonce]));
  add(C.MSG_ROTATE_TRUST, m([C.TQ_ANCHOR, OTHER_BUILD_KEY.publicKey], [C.TQ_VERSION, 1], [C.TQ_SIGNATURE, signed((b) => trustStatement(b, 1, OTHER_BUILD_KEY.publicKey, 0))]));
  add(C.MSG_ROTATE_TRUST, m([C.TQ_ANCHOR, OTHER_BUILD_KEY.publicKey], [C.TQ_VERSION, 1], [C.TQ_SIGNATURE, signed((b) => trustStatement(b, 1, OTHER_BUILD_KEY.publicKey, 0))]));
  add(C.MSG_HELLO, m([C.HQ_NONCE, nonce], [C.HQ_MAX_FRAME, 4096]));
  if (!eventKey) return f;
  // the factory reset names the event key in force (epoch 1, made on the device: learnt from a first run)
  const reset = (flags: number, key = OTHER_BUILD_KEY) => m([C.ZQ_DEVICE, 7], [C.ZQ_EVENT_KEY, eventKey], [C.ZQ_FLAGS, flags], [C.ZQ_NONCE, nonce],
    [C.ZQ_SIGNATURE, signBytes(statement((b) => resetStatement(b, 7, eventKey, 0, flags, nonce, 0, nonce.length)), key.seed!)]);
  add(C.MSG_FACTORY_RESET, reset(0));
  add(C.MSG_FACTORY_RESET, reset(1, BUILD_KEY));
  add(C.MSG_FACTORY_RESET, reset(1));
  add(C.MSG_FACTORY_RESET, reset(1));
  add(C.MSG_HELLO, m([C.HQ_NONCE, nonce], [C.HQ_MAX_FRAME, 4096]));
  add(C.MSG_PROVISION, m([C.PQ_ANCHOR, BUILD_KEY.publicKey], [C.PQ_DEVICE, 7], [C.PQ_NONCE, nonce]));
  add(C.MSG_FACTORY_RESET, reset(1));
  add(C.MSG_HELLO, m([C.HQ_NONCE, nonce], [C.HQ_MAX_FRAME, 4096]));
  return f;
}

/**
 * The whole script: print(line) per chunk the agent writes, '--' between the host's frames. 'provisioning': a
 * device that leaves the factory without keys, with a fixed random source (so every engine makes the same key).
 */
export async function linkEngineScript(kind: 'session' | 'provisioning' = 'session'): Promise<string> {
  if (kind === 'provisioning') {
    const first = replyFrames((await runScript('node', engineScript(kind, provisioningFrames()))).stdout);
    return engineScript(kind, provisioningFrames(first[4][0].body.get(C.XR_EVENT_KEY) as Uint8Array));
  }
  return engineScript(kind, await hostFrames());
}

function engineScript(kind: 'session' | 'provisioning', frames: Array<[number, string, string]>): string {
  const keys = kind === 'session' ? `key: unhex('${hex(BUILD_KEY.publicKey)}'), seed: unhex('${hex(DEVICE_KEY.seed!)}')` : 'key: null, seed: null';
  return `${linkArtifactSource()}
var FRAMES = ${JSON.stringify(frames)};
var ACCEL_MAG = ${signalMeta('accel.mag').id};
function unhex(h) { var b = new Uint8Array(h.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(2 * i, 2), 16); return b; }
var DIGITS = '0123456789abcdef';
function hex(b, s, n) { var o = ''; for (var i = s; i < s + n; i++) o += DIGITS.charAt(b[i] >> 4) + DIGITS.charAt(b[i] & 15); return o; }
var store = {
  slots: [null, null], recs: {},
  create: function (slot, size, head) { var f = new Uint8Array(size); for (var i = 0; i < size; i++) f[i] = 255; f.set(head, 0); this.slots[slot] = f; return true; },
  write: function (slot, at, buf, start, len) { var f = this.slots[slot]; if (!f) return false; for (var i = 0; i < len; i++) f[at + i] = buf[start + i]; return true; },
  read: function (slot) { return this.slots[slot]; },
  get: function (k) { return this.recs[k] ? this.recs[k] : null; },
  put: function (k, b) { var c = new Uint8Array(b.length); c.set(b, 0); if (b.length) this.recs[k] = c; else delete this.recs[k]; return true; }
};
var RND = 7;
var io = { write: function (b, s, n) { print(hex(b, s, n)); }, restart: function () { print('restart'); }, output: function () {}, interval: function () {},
  random: function (b) { for (var i = 0; i < b.length; i++) { RND = (RND * 75 + 74) % 65537; b[i] = RND & 255; } return true; } };
var now = 1000;
var agent = EdgeRule.linkAgent({ device: 7, ${keys}, profile: 'full', engine: 'any', checkUnits: 40, injectBuffer: 1024 }, io, store, now);
if (agent.fault) throw new Error(agent.fault);
function settle() { for (var k = 0; k < 100000 && agent.poll(now) === 0; k++) now++; }
// in a function of its own: a board's globals are not the session's business (and on Espruino a bundle's
// translation at load can leak a loop variable into the globals: runtime/engine/translate.ts, OP_EMIT's 'i')
function session() {
  var f, w, rt;
  settle();
  for (f = 0; f < FRAMES.length; f++) {
    if (FRAMES[f][2] === 'impact') {
      rt = agent.runtime();
      rt.advanceTo(1700000000000);
      rt.set(ACCEL_MAG, 50, 1700000000000);
      rt.step(1700000000000);
    }
    if (FRAMES[f][0] > now) now = FRAMES[f][0];
    w = unhex(FRAMES[f][1]);
    print('--');
    agent.input(w, 0, w.length, now);
    settle();
  }
  print('end');
}
session();
`;
}
