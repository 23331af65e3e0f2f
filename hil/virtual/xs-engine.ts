/**
 * The virtual device's Moddable XS engine (a child of device.ts, like node-engine.ts): the four artifacts and
 * the board xs-board.js (the device host on a bridged board) run in an xsnap worker; this process feeds it serial bytes and time, and serves its
 * storage (file-store.ts, in the device's folder) and serial output over xsnap's command channel. A power cut
 * or RESET discards the worker and starts a fresh one from the same folder.
 *
 *   node --import ./cli/register-ts.mjs hil/virtual/xs-engine.ts <device folder>
 */
import '@endo/init';
import { spawn } from 'node:child_process';
import fs, { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { xsnap } from '@agoric/xsnap';
import { deviceArtifactSource } from './artifact.ts';
import { readIdentity, injectBufferOf } from './config.ts';
import { FileStore } from './file-store.ts';
import { readLines, readSensorBatches, writeLine, PowerCut, type ToChild } from './control.ts';
import { boardRandom } from './random.ts';

type Worker = Awaited<ReturnType<typeof xsnap>>;

/** Message codes between this process and xs-board.js (injected into the board as OP). */
const OP = { ok: 1, no: 0, cut: 254, uart: 1, create: 2, write: 3, read: 4, get: 5, put: 6, restart: 7, random: 8, input: 1, poll: 2, sensors: 3 };
const random = boardRandom();

const dir = process.argv[2];
const id = readIdentity(dir);
if (!id) throw new Error(`${dir}: no device.json`);
const ctlIn = createReadStream('', { fd: 3 });
const ctlOut = createWriteStream('', { fd: 3 });
const board = readFileSync(fileURLToPath(new URL('./sensor-feed.js', import.meta.url)), 'utf8') + '\n' + readFileSync(fileURLToPath(new URL('./xs-board.js', import.meta.url)), 'utf8');
const sensorsIn = createReadStream('', { fd: 4 });
const source = deviceArtifactSource();
const store = new FileStore(dir, { tornRecords: process.env.EDGERULE_TORN_RECORDS === '1', onCut: () => { throw new PowerCut('power cut'); } });
const t0 = performance.now();
const now = () => Math.floor(performance.now() - t0);
let worker: Worker | null = null;
let generation = 0;
let boots = 0;
let queue: Promise<unknown> = Promise.resolve();
let timer: NodeJS.Timeout | undefined;
let restartWanted = false;

const rd32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const reply = (code: number, data?: Uint8Array) => {
  const r = new Uint8Array(1 + (data?.length ?? 0));
  r[0] = code;
  if (data) r.set(data, 1);
  return r;
};

/** A storage or serial request from the board. */
function serve(m: Uint8Array): Uint8Array {
  const key = () => Buffer.from(m.subarray(2, 2 + m[1])).toString('latin1');
  try {
    switch (m[0]) {
      case OP.uart: process.stdout.write(Buffer.from(m.subarray(1))); return reply(OP.ok);
      case OP.create: return reply(store.create(m[1], rd32(m, 2), m.subarray(6)) ? OP.ok : OP.no);
      case OP.write: return reply(store.write(m[1], rd32(m, 2), m, 6, m.length - 6) ? OP.ok : OP.no);
      case OP.read: { const f = store.read(m[1]); return f ? reply(OP.ok, f) : reply(OP.no); }
      case OP.get: { const f = store.get(key()); return f ? reply(OP.ok, f) : reply(OP.no); }
      case OP.put: return reply(store.put(key(), m.subarray(2 + m[1])) ? OP.ok : OP.no);
      case OP.restart: restartWanted = true; return reply(OP.ok);
      case OP.random: { const b = new Uint8Array(m[1]); return random(b) ? reply(OP.ok, b) : reply(OP.no); }
      default: throw new Error(`xs-board: unknown request ${m[0]}`);
    }
  } catch (e) {
    if (!(e instanceof PowerCut)) throw e;
    writeLine(ctlOut, { cut: store.written });
    store.setCut(Infinity);
    restartWanted = true;
    return reply(OP.cut);
  }
}

async function boot(): Promise<void> {
  const old = worker;
  worker = null;
  generation++;
  restartWanted = false;
  if (old) await old.terminate().catch(() => {});
  const w = await xsnap({
    name: 'edgerule-device', os: os.type(), spawn, fs: { ...fs, ...fs.promises }, stdout: 'inherit', stderr: 'inherit', meteringLimit: 0,
    handleCommand: async (m: Uint8Array) => serve(m),
  });
  const cfg = { ...id, engine: 'xs (@agoric/xsnap)', injectBuffer: injectBufferOf(id!) };
  try {
    await w.evaluate(`${source}\nvar CFG = ${JSON.stringify(cfg)}; var OP = ${JSON.stringify(OP)}; var NOW0 = ${now()};\n${board}`);
  } catch (e) {
    await w.terminate().catch(() => {});
    if (restartWanted) return boot();
    throw e;
  }
  worker = w;
  boots++;
  writeLine(ctlOut, { booted: boots, engine: cfg.engine });
  schedule(0);
}

/** Runs one command in the worker (serially); a power cut or RESET inside it restarts the device. */
function command(op: number, bytes?: Uint8Array): void {
  const gen = generation;
  queue = queue.then(async () => {
    if (!worker || gen !== generation) return;
    const m = new Uint8Array(5 + (bytes?.length ?? 0));
    m[0] = op;
    new DataView(m.buffer).setUint32(1, now(), true);
    if (bytes) m.set(bytes, 5);
    let wait = 0;
    try {
      const r = await worker.issueCommand(m);
      wait = rd32(r.reply, 0);
    } catch (e) {
      if (!restartWanted) throw e;
    }
    if (restartWanted) return boot();
    schedule(wait === 0xffffffff ? 1000 : wait);
  });
}

function schedule(ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => command(OP.poll), Math.min(ms, 1000));
}

process.stdin.on('data', (b: Buffer) => command(OP.input, new Uint8Array(b.buffer, b.byteOffset, b.length)));
process.stdin.on('end', () => process.exit(0));
readSensorBatches(sensorsIn, (batch) => command(OP.sensors, batch));
readLines<ToChild>(ctlIn, (m) => {
  if (m.cut !== undefined) store.setCut(m.cut);
  if (m.written) writeLine(ctlOut, { written: store.written });
  if (m.reboot) queue = queue.then(() => boot());
});
queue = boot();
