/**
 * The Espruino board adapter (er.board.js on the device; docs/HOSTS.md): the device host (runtime/host/) on
 * Espruino's Storage, UARTs, I2C, pin watches and analog inputs, started by the boot file after it has checked
 * every file:
 *
 *   var S = require("Storage");
 *   var h = EdgeRule.espruino(S.readJSON("er.cfg", 1), S.readJSON("er.id", 1), S, crypto);   // crypto: require("crypto") or null
 *
 * Storage: bundle slots are the files er.s0 and er.s1 (created at an upload's BEGIN, then written in place);
 * records go to the record log in er.l0 / er.l1, fixed-size files written in place, so in steady state nothing
 * creates or replaces a Storage file (no file header is written) except when the log changes region. That is
 * what keeps a power cut from leaving a half-written file header, the damage that makes Espruino erase all of
 * Storage at the next boot ("Storage is corrupt", docs/HOSTS.md).
 *
 * Platform calls go through one object so a test rig can stand in for the hardware: `EdgeRuleRig`, when defined
 * before the host starts, supplies any of now, setTimeout, clearTimeout, setWatch, digitalRead, analogRead,
 * Storage and named I2C or UART objects (the Linux build of Espruino has no GPIO, I²C or ADC).
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import type { Host, HostBoard } from '../host/host.ts';
import type { HostConfig, HostIdentity } from '../host/config.ts';
import type { SlotFiles } from '../host/store.ts';
import type { Region } from '../host/record-log.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare var EdgeRule: any;
declare var EdgeRuleRig: any;
declare var global: any;
declare var E: any;
declare var process: any;
declare function getTime(): number;

/** The Espruino-specific part of er.cfg (besides runtime/host/config.ts's fields). */
export interface EspruinoConfig {
  /** Record log region size in bytes (each of the two files); default 8192. */
  logSize?: number;
  /** Keep the translated rules in Storage (er.code) instead of RAM; default true. */
  keepCode?: boolean;
}

var SLOT = ['er.s0', 'er.s1'];
var LOG = ['er.l0', 'er.l1'];
var SETUP: { [k: string]: number } = { rx: 1, tx: 1, ck: 1, cts: 1, bytesize: 1, parity: 1, stopbits: 1, flow: 1, path: 1, errors: 1 };

/** The platform: Espruino's globals, or the rig's stand-ins. */
function platform(): any {
  var rig = typeof EdgeRuleRig !== 'undefined' ? EdgeRuleRig : {};
  var names = ['setTimeout', 'clearTimeout', 'setWatch', 'digitalRead', 'analogRead', 'pinMode'];
  var p: any = {};
  var i;
  for (i = 0; i < names.length; i++) p[names[i]] = rig[names[i]] || global[names[i]];
  p.now = rig.now || function () { return Math.floor(Date.now()); };
  p.restart = rig.restart || function () { if (E.reboot) E.reboot(); else global.load(); };
  p.device = function (name: string) { return rig[name] || global[name]; };
  return p;
}

/** Writes data into a file of Storage at `at`, skipping bytes that already hold the same value (flash is written once). */
function writeOnce(S: any, name: string, at: number, buf: Uint8Array, start: number, len: number): boolean {
  var f = S.read(name, at, len);
  var have, i, j;
  if (f === undefined) return false;
  have = new Uint8Array(E.toArrayBuffer(f));
  i = 0;
  while (i < len) {
    if (have[i] === buf[start + i]) {
      i++;
      continue;
    }
    if (have[i] !== 255) return false;
    j = i;
    while (j < len && have[j] === 255 && have[j] !== buf[start + j]) j++;
    if (!S.write(name, buf.subarray(start + i, start + j), at + i)) return false;
    i = j;
  }
  return true;
}

function slotFiles(S: any): SlotFiles {
  return {
    create: function (slot: number, size: number, head: Uint8Array) {
      try {
        return S.write(SLOT[slot], head, 0, size);
      } catch (e) {
        return false;
      }
    },
    write: function (slot: number, at: number, buf: Uint8Array, start: number, len: number) {
      try {
        return at > 0 && writeOnce(S, SLOT[slot], at, buf, start, len);
      } catch (e) {
        return false;
      }
    },
    read: function (slot: number) {
      var f = S.read(SLOT[slot]);
      return f === undefined ? null : new Uint8Array(E.toArrayBuffer(f));
    },
  };
}

/** A record log region: a fixed-size Storage file, never written at offset 0 after it is made. */
function region(S: any, name: string, size: number): Region {
  var ff = new Uint8Array([255, 255, 255, 255]);
  return {
    size: size,
    erase: function () {
      try {
        return S.write(name, ff, 0, size);
      } catch (e) {
        return false;
      }
    },
    write: function (at: number, buf: Uint8Array, start: number, len: number) {
      try {
        return S.write(name, buf.subarray(start, start + len), at);
      } catch (e) {
        return false;
      }
    },
    read: function (at: number, len: number) {
      var f = S.read(name, at, len);
      return f === undefined || f.length < len ? null : new Uint8Array(E.toArrayBuffer(f));
    },
  };
}

/** An I2C object of Espruino's kind in ECMA-419 I2C's shape (write(bytes), read(count)), for the drivers. */
function i2cBus(i2c: any): (o: any) => any {
  return function (o: any) {
    if (i2c.setup) i2c.setup({ scl: o.clock, sda: o.data, bitrate: o.hz });
    return {
      write: function (b: Uint8Array) { i2c.writeTo(o.address, b); },
      read: function (n: number) { return i2c.readFrom(o.address, n); },
    };
  };
}

/** A UART from the config ({uart: 'Serial1', baud, …setup options}); its bytes go to `into`. */
function uart(p: any, c: any, into: (b: Uint8Array, t: number) => void): any {
  var u = p.device(c.uart);
  var o: any = {};
  var k;
  // only Serial.setup's own options: it refuses any other key (the host's, such as quietMs, share the object)
  for (k in c) if (SETUP[k] === 1) o[k] = c[k];
  u.setup(c.baud || 9600, o);
  u.on('data', function (d: string) {
    into(E.toUint8Array(d), p.now());
  });
  return u;
}

/** Espruino's native SHA-512 (require("crypto"), when the firmware has it) for slot checks, the event chain and ed25519. */
function sha(c: any): ((m: Uint8Array) => Uint8Array) | null {
  var f = c ? EdgeRule.nativeSha512(c) : null;
  if (f) EdgeRule.setSha512(f);
  return f;
}

function baseTable(S: any): void {
  var t = S.read('er.tab');
  if (t !== undefined) EdgeRule.setBaseTable(new Uint16Array(E.toArrayBuffer(t)));
}

function analogReader(p: any, pin: any): () => number {
  return function () { return p.analogRead(pin); };
}

function levelReader(p: any, pin: any): () => number {
  return function () { return p.digitalRead(pin) ? 1 : 0; };
}

/** A pin watch on both edges; the edge's time (getTime() seconds) becomes board time. */
function watch(p: any, h: Host, i: number, pin: any): void {
  p.setWatch(function (e: any) {
    var now = p.now();
    h.edge(i, e.state ? 1 : 0, e.time === undefined ? now : now - Math.round((getTime() - e.time) * 1000));
  }, pin, { repeat: true, edge: 'both' });
}

/** Starts the host on this Espruino from its configuration and identity; returns it (h.fault says why not). */
export function espruino(cfg: HostConfig & EspruinoConfig & { [k: string]: any }, id: HostIdentity | undefined, S: any, crypto: any): Host {
  var p = platform();
  if (p.device('Storage')) S = p.device('Storage'); // the rig's Storage, which can lose power mid-write
  var logSize = cfg.logSize || 8192;
  var timer: any = null;
  var h: Host;
  var links: any = null;
  var modemUart: any = null;
  function loop(): void {
    var ms = h.tick(p.now());
    timer = p.setTimeout(loop, ms > 1000 ? 1000 : ms);
  }
  var board: HostBoard = {
    engine: 'espruino ' + process.version,
    now: p.now,
    micros: function () { return getTime() * 1000000; },
    store: EdgeRule.hostStore(slotFiles(S), region(S, LOG[0], logSize), region(S, LOG[1], logSize), null),
    restart: function () { p.restart(); },
    write: function (buf: Uint8Array, start: number, len: number) { if (links) links.write(buf.subarray(start, start + len)); },
    modemWrite: function (buf: Uint8Array, start: number, len: number) { if (modemUart) modemUart.write(buf.subarray(start, start + len)); },
    free: function () { return process.memory().free; },
    wake: function () {
      if (timer) p.clearTimeout(timer);
      timer = p.setTimeout(loop, 0);
    },
    sha512: sha(crypto),
    // the chip's hardware random source, for a key the device makes itself (PROVISION); a byte per call
    random: function (buf: Uint8Array) {
      if (!E.hwRand) return false;
      for (var j = 0; j < buf.length; j++) buf[j] = E.hwRand() & 255;
      return true;
    },
    analog: [],
    level: [],
  };
  var i, dev, c;
  if (cfg.keepCode !== false) {
    board.keepCode = function (src: string) {
      S.write('er.code', src);
      return S.read('er.code');
    };
    board.keptCode = function () { return S.read('er.code'); };
  }
  baseTable(S);
  if (cfg.accel) {
    dev = p.device(cfg.accel.i2c as string);
    c = EdgeRule.lis3dh({ sensor: { io: typeof dev === 'function' ? dev : i2cBus(dev), address: cfg.accel.address, hz: cfg.accel.hz, data: cfg.accel.sda, clock: cfg.accel.scl } });
    c.configure({ rate: cfg.accel.hz, range: cfg.accel.range });
    board.accel = c;
  }
  for (i = 0; cfg.analog && i < cfg.analog.length; i++) board.analog!.push(analogReader(p, cfg.analog[i].pin));
  for (i = 0; cfg.inputs && i < cfg.inputs.length; i++) {
    c = cfg.inputs[i];
    if (c.mode && p.pinMode) p.pinMode(c.pin, c.mode);
    board.level!.push(levelReader(p, c.pin));
  }
  h = EdgeRule.startHost(cfg, id || { device: 0 }, board, p.now());
  if (h.fault) return h;
  for (i = 0; cfg.inputs && i < cfg.inputs.length; i++) watch(p, h, i, cfg.inputs[i].pin);
  if (cfg.link && !cfg.link.modem && cfg.link.uart) links = uart(p, cfg.link, function (b: Uint8Array, t: number) { h.link(b, 0, b.length, t); });
  if (cfg.gnss && cfg.gnss.uart) uart(p, cfg.gnss, function (b: Uint8Array, t: number) { h.gnss(b, 0, b.length, t); });
  if (cfg.modem && cfg.modem.uart) modemUart = uart(p, cfg.modem, function (b: Uint8Array, t: number) { h.modemIn(b, 0, b.length, t); });
  loop();
  return h;
}

EdgeRule.espruino = espruino;
