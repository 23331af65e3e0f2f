/**
 * The virtual device's Node engine (a child of device.ts): runs the four artifacts a device runs (runtime,
 * signing, link, host) and the Node board around the device host (runtime/host/host.ts, docs/HOSTS.md): serial
 * bytes on stdin/stdout, storage in the device's folder (file-store.ts), time from the monotonic clock, injected
 * sensor samples from the supervisor. A power cut (the store's byte budget) or RESET discards the whole program
 * and evaluates the artifacts afresh, as a device restarts; a kill of this process is the hard version of the
 * same, and the supervisor starts it again.
 *
 *   node --import ./cli/register-ts.mjs hil/virtual/node-engine.ts <device folder>
 */
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { boardRandom } from './random.ts';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { deviceArtifactSource } from './artifact.ts';
import { readIdentity, injectBufferOf } from './config.ts';
import { FileStore } from './file-store.ts';
import { readLines, readSensorBatches, writeLine, PowerCut, type ToChild } from './control.ts';
import type { Host, HostBoard } from '../../runtime/host/host.ts';
import type { HostConfig, HostIdentity } from '../../runtime/host/config.ts';

const dir = process.argv[2];
const id = readIdentity(dir);
if (!id) throw new Error(`${dir}: no device.json`);
const ctlIn = createReadStream('', { fd: 3 });
const ctlOut = createWriteStream('', { fd: 3 });
const source = deviceArtifactSource();
const sensorSource = readFileSync(fileURLToPath(new URL('./sensor-feed.js', import.meta.url)), 'utf8');
const sensorsIn = createReadStream('', { fd: 4 });
const store = new FileStore(dir, { tornRecords: process.env.EDGERULE_TORN_RECORDS === '1', onCut: () => { throw new PowerCut('power cut'); } });
const t0 = performance.now();
const now = () => Math.floor(performance.now() - t0);
const config: HostConfig = { profile: id.profile, link: { maxFrame: id.maxFrame, slotMax: id.slotMax, checkUnits: 64, injectBuffer: injectBufferOf(id) }, queue: id.queue };
const identity: HostIdentity = { device: id.device, trust: id.trust, seed: id.seed };
const engine = `node ${process.version}`;
type Program = {
  EdgeRule: { startHost(c: HostConfig, i: HostIdentity, b: HostBoard, t: number): Host };
  feedSensorBatch(h: Host, bytes: Uint8Array, start: number): number;
};
let host: Host | null = null;
let program: Program | null = null;
let boots = 0;
let timer: NodeJS.Timeout | undefined;

const board: HostBoard = {
  engine, now, store,
  micros: () => performance.now() * 1000,
  write(buf, start, len) { process.stdout.write(Buffer.from(buf.subarray(start, start + len))); },
  restart() { setImmediate(boot); },
  free() { return getHeapStatistics().total_available_size; },
  random: boardRandom(),
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
  timer = setTimeout(() => guard(() => schedule(host ? host.tick(now()) : 1000)), Math.min(ms, 1000));
}

function boot(): void {
  host = null;
  program = new Function(`${source}\n${sensorSource}\nreturn { EdgeRule: EdgeRule, feedSensorBatch: feedSensorBatch };`)() as Program;
  guard(() => {
    const h = program!.EdgeRule.startHost(config, identity, board, now());
    if (h.fault) throw new Error(h.fault);
    host = h;
    boots++;
    writeLine(ctlOut, { booted: boots, engine });
    schedule(0);
  });
}

process.stdin.on('data', (b: Buffer) => guard(() => {
  host?.link(new Uint8Array(b.buffer, b.byteOffset, b.length), 0, b.length, now());
  schedule(0);
}));
process.stdin.on('end', () => process.exit(0));
readSensorBatches(sensorsIn, (batch) => {
  guard(() => { if (host) program!.feedSensorBatch(host, batch, 0); });
  schedule(0);
});
readLines<ToChild>(ctlIn, (m) => {
  if (m.cut !== undefined) store.setCut(m.cut);
  if (m.written) writeLine(ctlOut, { written: store.written });
  if (m.reboot) boot();
});
boot();
