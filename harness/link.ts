/**
 * Fixtures the device-link tests and benchmarks share: fixed keys, the signed rule library at any version,
 * profile or signing mode, virtual devices in fresh folders, and the link artifact loaded in this process
 * with an in-memory store that can lose power at any byte.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFiles } from '../compiler/compile.ts';
import { generateKey, type KeyFile } from '../signing/keys.ts';
import { signBundle } from '../signing/bundle.ts';
import type { SigningMode } from '../compiler/dsl/rule.ts';
import { writeIdentity, type DeviceIdentity } from '../hil/virtual/config.ts';
import { VirtualDevice, type DeviceEngine } from '../hil/virtual/device.ts';
import { linkArtifactSource } from '../hil/virtual/artifact.ts';
import type { LinkAgent } from '../runtime/link/agent.ts';
import type { LinkConfig, LinkIo } from '../runtime/link/state.ts';
import type { LinkStore } from '../runtime/link/store.ts';
import * as C from '../runtime/link/constants.ts';
import { crc32 } from '../runtime/link/crc32.ts';
import { bundleId } from '../hil/link/bundle-id.ts';
import { boardRandom } from '../hil/virtual/random.ts';

export const seedOf = (label: string) => new Uint8Array(createHash('sha256').update(label).digest());

export const BUILD_KEY: KeyFile = generateKey('build', undefined, seedOf('edgerule link tests build key'));
export const OTHER_BUILD_KEY: KeyFile = generateKey('build', undefined, seedOf('edgerule link tests another build key'));
export const DEVICE_KEY: KeyFile = generateKey('device', 7, seedOf('edgerule link tests device 7'));

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let library: Promise<Uint8Array> | undefined;

/** The rule library (rules/), compiled once per process. */
export function libraryBundle(): Promise<Uint8Array> {
  library ??= compileFiles(['rules']).then((c) => c.bytes);
  return library;
}

const big = new Map<number, Promise<Uint8Array>>();

/**
 * A large valid bundle (for throughput and fault runs, where the 1.6 KB library is too short to measure): the
 * route-deviation rule on a generated route of `points` points (8 bytes each in the bundle). Compiled once per size.
 */
export function largeBundle(points: number): Promise<Uint8Array> {
  let p = big.get(points);
  if (!p) {
    const dir = mkdtempSync(join(tmpdir(), 'edgerule-large-'));
    mkdirSync(join(dir, 'geo'));
    const coords = Array.from({ length: points }, (_, i) => [174.7 + i * 0.0001, -36.8 - (i % 50) * 0.0001]);
    writeFileSync(join(dir, 'geo/route.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'long-route' }, geometry: { type: 'LineString', coordinates: coords } }] }));
    const dsl = fileURLToPath(new URL('../compiler/dsl/index.ts', import.meta.url));
    writeFileSync(join(dir, 'off-route.ts'), `import { rule, sig, place, offRoute, meters, minutes } from ${JSON.stringify(dsl)};
export default rule({ name: 'off-long-route', description: 'off a long generated route', when: offRoute(place('geo/route.geojson'), meters(200)).heldFor(minutes(1)),
  severity: 'warning', attach: { lat: sig('gnss.lat'), lon: sig('gnss.lon') } });
`);
    p = compileFiles([dir]).then((c) => c.bytes);
    big.set(points, p);
  }
  return p;
}

const forProfile = new Map<string, Promise<Uint8Array>>();

/** A small bundle (the door-open-at-rest rule) compiled for another profile than the test devices' 'full'. */
export function bundleForProfile(profile: string): Promise<Uint8Array> {
  let p = forProfile.get(profile);
  if (!p) {
    p = compileFiles(['rules/door-open-at-rest.ts'], { profile, typecheck: false }).then((c) => c.bytes);
    forProfile.set(profile, p);
  }
  return p;
}

export interface SignOptions { version: number; profile?: string; signing?: SigningMode; key?: KeyFile }

/** The library (or another bundle) signed as `edgerule sign` does. */
export async function signedLibrary(o: SignOptions, bundle?: Uint8Array): Promise<Uint8Array> {
  return signBundle(bundle ?? (await libraryBundle()), o.key ?? BUILD_KEY, { version: o.version, profile: o.profile ?? 'full', signing: o.signing ?? 'per-event' });
}

/** A device folder with the test keys (override any identity field). */
export function deviceFolder(over: Partial<DeviceIdentity> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-device-'));
  writeIdentity(dir, { device: 7, profile: 'full', trust: hex(BUILD_KEY.publicKey), seed: hex(DEVICE_KEY.seed!), ...over });
  return dir;
}

export async function startDevice(engine: DeviceEngine, over: Partial<DeviceIdentity> = {}, o: { tornRecords?: boolean } = {}): Promise<VirtualDevice> {
  return VirtualDevice.start({ dir: deviceFolder(over), engine, tornRecords: o.tornRecords });
}

/** An in-memory LinkStore with flash semantics; power is cut after `cutAfter` bytes of writes (throws PowerLost). */
export class MemoryStore implements LinkStore {
  slots: Array<Uint8Array | null> = [null, null];
  recs = new Map<string, Uint8Array>();
  written = 0;
  cutAfter = Infinity;
  /** Record writes in place (torn by a cut) instead of atomically: all of them, or those whose key it names. */
  torn: boolean | ((key: string) => boolean) = true;

  private take(n: number): number {
    const ok = Math.max(0, Math.min(n, this.cutAfter - this.written));
    this.written += ok;
    return ok;
  }

  create(slot: number, size: number, head: Uint8Array): boolean {
    const f = new Uint8Array(size).fill(0xff);
    const ok = this.take(head.length);
    this.slots[slot] = f;
    f.set(head.subarray(0, ok));
    if (ok < head.length) throw new PowerLost();
    return true;
  }

  write(slot: number, at: number, buf: Uint8Array, start: number, len: number): boolean {
    const f = this.slots[slot];
    if (!f) return false;
    for (let i = 0; i < len; i++) if (f[at + i] !== 0xff && f[at + i] !== buf[start + i]) throw new Error(`slot ${slot} byte ${at + i}: rewritten with another value (flash cannot do that)`);
    const ok = this.take(len);
    f.set(buf.subarray(start, start + ok), at);
    if (ok < len) throw new PowerLost();
    return true;
  }

  read(slot: number): Uint8Array | null {
    return this.slots[slot];
  }

  get(key: string): Uint8Array | null {
    return this.recs.get(key) ?? null;
  }

  put(key: string, bytes: Uint8Array): boolean {
    const ok = this.take(Math.max(1, bytes.length));
    if (bytes.length === 0) {
      if (ok) this.recs.delete(key);
    } else if (this.torn === true || (this.torn && this.torn(key))) {
      this.recs.set(key, bytes.slice(0, ok));
    } else if (ok === bytes.length) {
      this.recs.set(key, bytes.slice());
    }
    if (ok < Math.max(1, bytes.length)) throw new PowerLost();
    return true;
  }
}

export class PowerLost extends Error {
  constructor() {
    super('power lost');
  }
}

type LinkApi = { linkAgent(c: LinkConfig, io: LinkIo, s: LinkStore, now: number): LinkAgent };

let factory: { source: string; make: () => LinkApi } | undefined;

/** A fresh run of the three artifacts (a device program starting from nothing; parsed once per process). */
export function freshLinkProgram(): LinkApi {
  const source = linkArtifactSource();
  if (factory?.source !== source) factory = { source, make: new Function(source + '\nreturn EdgeRule;') as () => LinkApi };
  return factory.make();
}

export function linkConfig(over: Partial<LinkConfig> = {}): LinkConfig {
  return { device: 7, key: BUILD_KEY.publicKey, seed: DEVICE_KEY.seed!, profile: 'full', engine: 'node (in-process)', checkUnits: 1000, ...over };
}

/**
 * The link artifact running in this process behind a Transport (hil/link/transport.ts), so the real host code
 * (LinkSession, flash) talks to the real agent without a pty — for tests that cut the power thousands of times.
 * Bytes cross in both directions on later event-loop turns, as through a port. A PowerLost thrown by the store
 * discards the program; the next start evaluates the artifacts afresh from the same store.
 */
export class InProcessDevice {
  program: LinkApi | null = null;
  agent: LinkAgent | null = null;
  boots = 0;
  cuts = 0;
  now = 0;
  /** Frames the host has written to this device. */
  hostFrames = 0;
  private dataCb: (b: Uint8Array) => void = () => {};
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private readonly t0 = performance.now();
  open = true;

  /** The board's random source: a fixed stream per device (a test can make the same key again). */
  random: (buf: Uint8Array) => boolean;

  constructor(readonly store: MemoryStore, readonly config: LinkConfig = linkConfig(), randomSeed = 'in-process board') {
    this.random = boardRandom(createHash('sha256').update(randomSeed).digest('hex'));
    this.boot();
  }

  private clock(): number {
    return Math.floor(performance.now() - this.t0);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof PowerLost)) throw e;
      this.cuts++;
      this.store.cutAfter = Infinity;
      this.boot();
    }
  }

  boot(): void {
    this.agent = null;
    const io: LinkIo = {
      write: (buf, start, len) => {
        const copy = buf.slice(start, start + len);
        setImmediate(() => { if (this.open) this.dataCb(copy); });
      },
      restart: () => setImmediate(() => this.boot()),
      output() {},
      interval() {},
      random: (buf) => this.random(buf),
      clock: () => performance.now(),
    };
    this.program = freshLinkProgram();
    const program = this.program;
    this.guard(() => {
      this.agent = program.linkAgent({ ...this.config }, io, this.store, this.clock());
      this.boots++;
      this.schedule(0);
    });
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.paused) return;
    this.timer = setTimeout(() => this.guard(() => this.schedule(this.agent ? this.agent.poll(this.clock()) : 50)), Math.min(ms, 50));
  }

  /**
   * A Transport for the host side (each call gives a fresh one, as reopening a port does). `lose(frame)` picks
   * host frames the line loses (the host writes one frame per write), counted over this device's life.
   */
  transport(lose?: (frame: Uint8Array, n: number) => boolean): import('../hil/link/transport.ts').Transport {
    const dev = this;
    let closeCb: (why: string) => void = () => {};
    let isOpen = true;
    dev.open = true;
    return {
      path: 'in-process',
      get isOpen() { return isOpen; },
      write(bytes: Uint8Array) {
        if (lose?.(bytes, dev.hostFrames++)) return;
        const copy = bytes.slice();
        setImmediate(() => dev.guard(() => {
          dev.agent?.input(copy, 0, copy.length, dev.clock());
          dev.schedule(0);
        }));
      },
      drain: () => Promise.resolve(),
      onData(cb: (b: Uint8Array) => void) { dev.dataCb = cb; },
      onClose(cb: (why: string) => void) { closeCb = cb; },
      close() {
        isOpen = false;
        closeCb('closed');
        return Promise.resolve();
      },
    };
  }

  /** No more poll() calls (the board's main loop stalls); input is still taken and answered. */
  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.open = false;
  }
}

/** What a store holds after a run: the active slot by the pointer, and whether each slot's bytes are what its header says. */
export function inspectStore(slots: Array<Uint8Array | null>, recs: Map<string, Uint8Array>): { active: string | undefined; corrupted: number } {
  const ptrs = C.POINTER_KEYS.map((k) => recs.get(k)).filter((b): b is Uint8Array => !!b && b.length === C.POINTER_BYTES && crc32(0, b, 0, C.PTR_CHECK) === new DataView(b.buffer, b.byteOffset).getUint32(C.PTR_CHECK, true));
  const ptr = ptrs.sort((a, b) => new DataView(b.buffer, b.byteOffset).getUint32(C.PTR_GEN, true) - new DataView(a.buffer, a.byteOffset).getUint32(C.PTR_GEN, true))[0];
  let corrupted = 0;
  const ids: Array<string | undefined> = [];
  for (const f of slots) {
    const dv = f ? new DataView(f.buffer, f.byteOffset) : undefined;
    if (!f || !dv || dv.getUint32(0, true) !== C.SLOT_MAGIC || crc32(0, f, 0, C.SH_CHECK) !== dv.getUint32(C.SH_CHECK, true)) {
      ids.push(undefined);
      continue;
    }
    const size = dv.getUint32(C.SH_SIZE, true);
    const granule = dv.getUint16(C.SH_GRANULE, true);
    const id = hex(f.subarray(C.SH_ID, C.SH_ID + C.BUNDLE_ID_BYTES));
    const marks = Math.ceil(size / granule);
    let done = 0;
    while (done < marks && f[C.SLOT_HEADER + size + done] === 0) done++;
    const complete = done === marks;
    // a complete slot must hold exactly its bundle; marks must never run ahead of the data they cover
    if (complete && hex(bundleId(f.subarray(C.SLOT_HEADER, C.SLOT_HEADER + size))) !== id) corrupted++;
    ids.push(complete ? id : undefined);
  }
  const active = ptr && ptr[C.PTR_ACTIVE] !== C.NO_SLOT ? ptr[C.PTR_ACTIVE] : undefined;
  return { active: active === undefined ? undefined : ids[active] ?? 'INCOMPLETE SLOT', corrupted };
}


/** inspectStore over a virtual device's folder (file-store.ts layout). */
export function inspectFolder(dir: string): { active: string | undefined; corrupted: number } {
  const slots = [0, 1].map((i) => (existsSync(join(dir, `slot${i}.bin`)) ? new Uint8Array(readFileSync(join(dir, `slot${i}.bin`))) : null));
  const recs = new Map<string, Uint8Array>();
  for (const k of existsSync(join(dir, 'rec')) ? readdirSync(join(dir, 'rec')) : []) if (!k.endsWith('.tmp')) recs.set(k, new Uint8Array(readFileSync(join(dir, 'rec', k))));
  return inspectStore(slots, recs);
}
