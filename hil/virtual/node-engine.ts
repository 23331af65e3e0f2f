/**
 * The virtual device's Node engine (a child of device.ts): runs the three artifacts a linked device runs
 * (runtime, signing, link) and a board around the agent: serial bytes on stdin/stdout, storage in the device's
 * folder (file-store.ts), time from the monotonic clock. A power cut (the store's byte budget) or RESET
 * discards the whole program and evaluates the artifacts afresh, as a device restarts; a kill of this process
 * is the hard version of the same, and the supervisor starts it again.
 *
 *   node --import ./cli/register-ts.mjs hil/virtual/node-engine.ts <device folder>
 */
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { linkArtifactSource } from './artifact.ts';
import { readIdentity, hexBytes, injectBufferOf } from './config.ts';
import { FileStore } from './file-store.ts';
import { readLines, readSensorBatches, writeLine, PowerCut, type ToChild } from './control.ts';
import type { LinkAgent } from '../../runtime/link/agent.ts';
import type { LinkConfig, LinkIo } from '../../runtime/link/state.ts';

const dir = process.argv[2];
const id = readIdentity(dir);
if (!id) throw new Error(`${dir}: no device.json`);
const ctlIn = createReadStream('', { fd: 3 });
const ctlOut = createWriteStream('', { fd: 3 });
const source = linkArtifactSource();
const sensorSource = readFileSync(fileURLToPath(new URL('./sensor-feed.js', import.meta.url)), 'utf8');
const sensorsIn = createReadStream('', { fd: 4 });
const store = new FileStore(dir, { tornRecords: process.env.EDGERULE_TORN_RECORDS === '1', onCut: () => { throw new PowerCut('power cut'); } });
const t0 = performance.now();
const now = () => Math.floor(performance.now() - t0);
const config: LinkConfig = {
  device: id.device, key: hexBytes(id.trust), seed: hexBytes(id.seed), profile: id.profile, engine: `node ${process.version}`,
  maxFrame: id.maxFrame, slotMax: id.slotMax, queue: id.queue, checkUnits: 64, injectBuffer: injectBufferOf(id),
};
type Feed = { feed(bytes: Uint8Array, start: number): number };
let agent: LinkAgent | null = null;
let sensors: Feed | null = null;
let boots = 0;
let timer: NodeJS.Timeout | undefined;

const io: LinkIo = {
  write(buf, start, len) { process.stdout.write(Buffer.from(buf.subarray(start, start + len))); },
  restart() { setImmediate(boot); },
  free() { return getHeapStatistics().total_available_size; },
  clock() { return performance.now(); },
  output() {},
  interval() {},
};

function guard(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof PowerCut)) throw e;
    writeLine(ctlOut, { cut: store.written });
    store.setCut(Infinity);
    boot();
  }
}

function schedule(ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => guard(() => schedule(agent ? agent.poll(now()) : 1000)), Math.min(ms, 1000));
}

function boot(): void {
  agent = null;
  sensors = null;
  const program = new Function(`${source}\n${sensorSource}\nreturn { EdgeRule: EdgeRule, makeSensorFeed: makeSensorFeed };`)() as {
    EdgeRule: { linkAgent(c: LinkConfig, io: LinkIo, s: FileStore, t: number): LinkAgent };
    makeSensorFeed(a: LinkAgent, clock: () => number): Feed;
  };
  guard(() => {
    const a = program.EdgeRule.linkAgent({ ...config }, io, store, now());
    if (a.fault) throw new Error(a.fault);
    agent = a;
    sensors = program.makeSensorFeed(a, () => performance.now());
    boots++;
    writeLine(ctlOut, { booted: boots, engine: config.engine });
    schedule(0);
  });
}

process.stdin.on('data', (b: Buffer) => guard(() => {
  agent?.input(new Uint8Array(b.buffer, b.byteOffset, b.length), 0, b.length, now());
  schedule(0);
}));
process.stdin.on('end', () => process.exit(0));
readSensorBatches(sensorsIn, (batch) => {
  guard(() => { sensors?.feed(batch, 0); });
  schedule(0);
});
readLines<ToChild>(ctlIn, (m) => {
  if (m.cut !== undefined) store.setCut(m.cut);
  if (m.written) writeLine(ctlOut, { written: store.written });
  if (m.reboot) boot();
});
boot();
