/**
 * The device host: the one interface between a board and the runtime (docs/HOSTS.md). It starts the device-link
 * agent on the board's storage, feeds the running bundle from the drivers — NMEA on the GNSS UART, the
 * accelerometer, debounced digital inputs, analog inputs, the modem's cell readings — through one sink, and runs
 * everything timed from one scheduler. A board adapter (Espruino, Moddable, Node, a test rig) provides the
 * platform: a clock, storage, the link's byte stream out, sensor objects, and calls in with what arrives:
 *
 *   var host = EdgeRule.startHost(config, identity, board, board.now());
 *   uart.on('data', …host.link(bytes, 0, n, now)…);   gnss uart → host.gnss(…);   modem uart → host.modem(…)
 *   pin watch → host.edge(index, level, t);             timer: var ms = host.tick(board.now()); sleep ms (≤ 1 s)
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import type { LinkAgent } from '../link/agent.ts';
import type { LinkConfig, LinkIo } from '../link/state.ts';
import type { LinkStore } from '../link/store.ts';
import { newSched, schedAdd, schedAt, schedRun, type Sched } from './sched.ts';
import { newSink, sinkAt, sinkSet, sinkFlush, type Sink } from './sink.ts';
import { newNmea, nmeaInput, nmeaFlush, nmeaReset, type Nmea } from './nmea.ts';
import { newDigitalInput, digitalEdge, digitalAnnounce, type DigitalInput } from './digital.ts';
import { newModem, modemInput, modemSend, type Modem } from './modem.ts';
import { accelMag, tiltDeg } from './derive.ts';
import { hexKey, type HostConfig, type HostIdentity } from './config.ts';
import { Sig } from './signals.generated.ts';

declare var EdgeRule: { linkAgent(cfg: LinkConfig, io: LinkIo, store: LinkStore, now: number): LinkAgent } | undefined;

/** What the board gives the host. */
export interface HostBoard {
  /** Engine name and version for HELLO. */
  engine: string;
  /** Board time: wall-clock ms (monotonic; the board may set it from GNSS or the link's CLOCK). */
  now(): number;
  /** A µs clock for evaluation statistics. */
  micros(): number;
  store: LinkStore;
  restart(): void;
  /** Link bytes to the UART (not used when the link runs over the modem). */
  write?: (buf: Uint8Array, start: number, len: number) => void;
  /** Bytes to the modem's UART. */
  modemWrite?: (buf: Uint8Array, start: number, len: number) => void;
  /** The accelerometer (lis3dh.ts), or null. */
  accel?: { sample(): { x: number; y: number; z: number } | undefined } | null;
  /** Analog readings and initial pin levels, by the config's analog / inputs index. */
  analog?: Array<(() => number) | null>;
  level?: Array<(() => number) | null>;
  /** Something arrived: call tick() soon (the board's timer may sleep until then). */
  wake?: () => void;
  console?: (ms: number) => void;
  free?: () => number;
  keepCode?: (source: string) => string;
  /** What keepCode() returned at an earlier boot, read back (Espruino: the Storage file); undefined: nothing kept. */
  keptCode?: () => string | undefined;
  sha512?: ((msg: Uint8Array) => Uint8Array) | null;
  /** The board's hardware random source (Espruino E.hwRand, a TRNG): fills buf, returns true; absent, the device cannot make its own key (docs/PROVISIONING.md). */
  random?: (buf: Uint8Array) => boolean;
  output?: (id: number, value: number) => void;
  interval?: (ms: number) => void;
  event?: (rule: number, severity: number, t: number, values: Float64Array, n: number) => void;
  /** An epoch's UTC time from the GNSS (ms since 1970), at board time t: a board without a clock can set one. */
  gnssTime?: (utc: number, t: number) => void;
}

export interface Host {
  fault: string;
  agent: LinkAgent | null;
  sink: Sink;
  sched: Sched;
  nmea: Nmea;
  inputs: DigitalInput[];
  modem: Modem | null;
  /** Runs what is due at board time `now`; returns ms until it wants the next tick. */
  tick(now: number): number;
  gnss(buf: Uint8Array, start: number, len: number, t: number): void;
  link(buf: Uint8Array, start: number, len: number, t: number): void;
  modemIn(buf: Uint8Array, start: number, len: number, t: number): void;
  edge(index: number, level: number, t: number): void;
  /** A sample from elsewhere (a test bench, recorded inputs), with its own time; settle() evaluates the last group. */
  inject(sig: number, value: number, t: number): void;
  settle(): void;
}

/** The link agent's io: the board's, with the link's bytes going to the UART or the modem. */
function linkIo(board: HostBoard, h: { modem: Modem | null }): LinkIo {
  var io: LinkIo = {
    write: function (buf: Uint8Array, start: number, len: number) {
      if (h.modem) modemSend(h.modem, buf, start, len);
      else if (board.write) board.write(buf, start, len);
    },
    restart: function () { board.restart(); },
    output: function (id: number, value: number) { if (board.output) board.output(id, value); },
    interval: function (ms: number) { if (board.interval) board.interval(ms); },
  };
  if (board.console) io.console = board.console;
  if (board.free) io.free = board.free;
  if (board.keepCode) io.keepCode = board.keepCode;
  if (board.keptCode) io.keptCode = board.keptCode;
  if (board.event) io.event = board.event;
  if (board.random) io.random = board.random;
  // the agent's evaluation statistics read the board's µs clock, in ms
  io.clock = function () { return board.micros() / 1000; };
  return io;
}

/** The accelerometer task: x, y, z, magnitude and tilt at each sample time. */
function accelTask(board: HostBoard, sink: Sink, ref: number[]): (t: number) => void {
  return function (t: number) {
    var s = board.accel ? board.accel.sample() : undefined;
    if (!s) return;
    sinkSet(sink, Sig.ACCEL_X, s.x, t);
    sinkSet(sink, Sig.ACCEL_Y, s.y, t);
    sinkSet(sink, Sig.ACCEL_Z, s.z, t);
    sinkSet(sink, Sig.ACCEL_MAG, accelMag(s.x, s.y, s.z), t);
    sinkSet(sink, Sig.ACCEL_TILT, tiltDeg(s.x, s.y, s.z, ref[0], ref[1], ref[2]), t);
  };
}

/** An analog task: reading × scale ÷ div + offset. */
function analogTask(read: () => number, sink: Sink, sig: number, scale: number, div: number, offset: number): (t: number) => void {
  return function (t: number) {
    var v = read();
    if (v === v) sinkSet(sink, sig, (v * scale) / div + offset, t);
  };
}

/** Task ids the host's closures need. */
interface Tasks { poll: number; quiet: number; rt: unknown }

/** The agent's polls (slot-check slices, signing, event (re)sends); a bundle that has just started hears the inputs' levels. */
function pollTask(h: Host, k: Tasks): (t: number) => void {
  return function (t: number) {
    var ms, rt, i;
    if (!h.agent) return;
    ms = h.agent.poll(t);
    schedAt(h.sched, k.poll, t + (ms > 1000 ? 1000 : ms));
    rt = h.agent.runtime();
    if (rt === k.rt) return;
    k.rt = rt;
    if (rt) for (i = 0; i < h.inputs.length; i++) digitalAnnounce(h.sink, h.inputs[i], t);
  };
}

function startInputs(h: Host, cfg: HostConfig, board: HostBoard, t: number): void {
  var inputs = cfg.inputs || [];
  var analog = cfg.analog || [];
  var i, read;
  for (i = 0; i < inputs.length; i++) {
    read = board.level ? board.level[i] : null;
    h.inputs.push(newDigitalInput(h.sched, h.sink, inputs[i].sig, !!inputs[i].invert, inputs[i].debounce === undefined ? 50 : inputs[i].debounce as number, read ? read() : 0));
  }
  for (i = 0; i < analog.length; i++) {
    read = board.analog ? board.analog[i] : null;
    if (read) {
      schedAdd(h.sched, analogTask(read, h.sink, analog[i].sig, analog[i].scale === undefined ? 1 : analog[i].scale as number, analog[i].div || 1, analog[i].offset || 0),
        analog[i].every || 1000, t);
    }
  }
}

export function startHost(cfg: HostConfig, id: HostIdentity, board: HostBoard, t: number): Host {
  var g = typeof EdgeRule !== 'undefined' ? EdgeRule : undefined;
  var sched = newSched(8 + (cfg.inputs ? cfg.inputs.length : 0) + (cfg.analog ? cfg.analog.length : 0), false);
  var sink = newSink({ runtime: function () { return null; }, account: function () {} }, board.micros);
  var k: Tasks = { poll: -1, quiet: -1, rt: null };
  var h: Host = {
    fault: '', agent: null, sink: sink, sched: sched, nmea: newNmea(sink), inputs: [], modem: null,
    tick: function (now: number) {
      var ms = schedRun(sched, now, 16);
      sinkAt(sink, now);
      return ms;
    },
    gnss: function (buf: Uint8Array, start: number, len: number, at: number) {
      nmeaInput(h.nmea, buf, start, len, at);
      if (cfg.gnss && cfg.gnss.quietMs) schedAt(sched, k.quiet, at + cfg.gnss.quietMs);
    },
    link: function (buf: Uint8Array, start: number, len: number, at: number) {
      if (!h.agent) return;
      h.agent.input(buf, start, len, at);
      schedAt(sched, k.poll, at);
      if (board.wake) board.wake();
    },
    modemIn: function (buf: Uint8Array, start: number, len: number, at: number) {
      if (h.modem) modemInput(h.modem, buf, start, len, at);
      if (board.wake) board.wake();
    },
    edge: function (index: number, level: number, at: number) {
      if (h.inputs[index]) digitalEdge(sched, sink, h.inputs[index], level, at);
      if (board.wake) board.wake();
    },
    inject: function (sig: number, value: number, at: number) { sinkSet(sink, sig, value, at); },
    settle: function () { sinkFlush(sink); },
  };
  k.quiet = schedAdd(sched, function (at: number) { nmeaFlush(h.nmea, at); }, 0, Infinity);
  nmeaReset(h.nmea);
  if (board.gnssTime) h.nmea.onTime = board.gnssTime;
  if (!g || !g.linkAgent) {
    h.fault = 'the host needs edgerule-runtime.js, edgerule-signing.js and edgerule-link.js loaded first';
    return h;
  }
  if (cfg.modem && board.modemWrite) {
    // the TCP connection only when the link goes over the modem (the config itself stays as it is: it may be frozen)
    h.modem = newModem({ apn: cfg.modem.apn, host: cfg.link && cfg.link.modem ? cfg.modem.host : undefined, port: cfg.modem.port,
      every: cfg.modem.every, retry: cfg.modem.retry, timeout: cfg.modem.timeout }, sched, sink, board.modemWrite, t);
    h.modem.received = function (buf: Uint8Array, start: number, len: number) { h.link(buf, start, len, sched.now); };
  }
  h.agent = g.linkAgent({
    device: id.device, key: hexKey(id.trust), seed: hexKey(id.seed), profile: cfg.profile, engine: board.engine,
    maxFrame: cfg.link ? cfg.link.maxFrame : undefined, slotMax: cfg.link ? cfg.link.slotMax : undefined,
    checkUnits: cfg.link ? cfg.link.checkUnits : undefined, injectBuffer: cfg.link ? cfg.link.injectBuffer : undefined, queue: cfg.queue,
    sha512: board.sha512 || null,
  }, linkIo(board, h), board.store, t);
  if (h.agent.fault) {
    h.fault = h.agent.fault;
    h.agent = null;
    return h;
  }
  sink.src = h.agent;
  k.poll = schedAdd(sched, pollTask(h, k), 0, t);
  if (cfg.accel && board.accel) schedAdd(sched, accelTask(board, sink, cfg.accel.reference || [0, 0, 1]), Math.round(1000 / (cfg.accel.hz || 25)), t);
  startInputs(h, cfg, board, t);
  return h;
}
