/**
 * The reference accelerometer driver: an ST LIS3DH (or a register-compatible part) on I²C, in the ECMA-419
 * sensor class pattern (as Moddable's own drivers): the constructor takes `{sensor: {io, address, …}, onError}`,
 * makes its bus object with `new sensor.io(sensor)` and checks WHO_AM_I; `configure({rate, range})`;
 * `sample()` returns `{x, y, z}` in g (one object, reused: read it before the next call); `close()`.
 *
 * The bus object is ECMA-419 I2C's shape: `write(bytes)` and `read(count)` (an ArrayBuffer or a byte array). On
 * Moddable it is `embedded:io/i2c`; the Espruino host wraps its I2C in the same shape; tests use a fake part.
 * Readings use high-resolution mode (12 bits, left-justified in 16): counts × sensitivity (1, 2, 4 or 12 mg per
 * count by range) ÷ 1000, so every engine gets the same g.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */

export enum Lis3dhReg { WHO_AM_I = 0x0f, CTRL_REG1 = 0x20, CTRL_REG4 = 0x23, STATUS = 0x27, OUT_X_L = 0x28, AUTO_INCREMENT = 0x80 }
export var LIS3DH_ID = 0x33;

export interface I2cBus {
  write(bytes: Uint8Array): void;
  read(count: number): ArrayBuffer | Uint8Array | number[];
  close?: () => void;
}

export interface Lis3dhOptions {
  sensor: { io: new (o: unknown) => I2cBus; address?: number; hz?: number; [k: string]: unknown };
  onError?: (e: unknown) => void;
}

export interface Lis3dh {
  configure(o: { rate?: number; range?: number }): void;
  sample(): { x: number; y: number; z: number } | undefined;
  close(): void;
}

/** Output data rates (Hz) by their CTRL_REG1 code (index); ranges (±g) and sensitivities (mg per count) by FS code. */
var RATES = [0, 1, 10, 25, 50, 100, 200, 400];
var RANGES = [2, 4, 8, 16];
var SENS = [1, 2, 4, 12];

/** A signed 12-bit count from a little-endian, left-justified 16-bit pair. */
function count(lo: number, hi: number): number {
  var v = (hi << 8) | lo;
  if (v >= 32768) v -= 65536;
  return (v - (v & 15)) / 16;
}

export function lis3dh(options: Lis3dhOptions): Lis3dh {
  var o = options.sensor;
  var io: I2cBus | null = null;
  var cmd = new Uint8Array(2);
  var reg = new Uint8Array(1);
  var out = { x: NaN, y: NaN, z: NaN };
  var sens = SENS[0];
  var id;
  function fail(e: unknown): void {
    if (options.onError) options.onError(e);
  }
  function read(at: number, n: number): Uint8Array {
    reg[0] = n > 1 ? at | Lis3dhReg.AUTO_INCREMENT : at;
    (io as I2cBus).write(reg);
    var r = (io as I2cBus).read(n);
    return r instanceof Uint8Array ? r : new Uint8Array(r as ArrayBuffer);
  }
  function set(at: number, v: number): void {
    cmd[0] = at;
    cmd[1] = v;
    (io as I2cBus).write(cmd);
  }
  var api: Lis3dh = {
    configure: function (c) {
      var r = 3;
      var f = 0;
      var i;
      if (!io) return;
      for (i = 1; i < RATES.length; i++) if (c.rate !== undefined && RATES[i] >= c.rate) { r = i; break; }
      for (i = 0; i < RANGES.length; i++) if (c.range !== undefined && RANGES[i] >= c.range) { f = i; break; }
      sens = SENS[f];
      set(Lis3dhReg.CTRL_REG1, (r << 4) | 7); // data rate, X, Y and Z on, normal (not low-power) mode
      set(Lis3dhReg.CTRL_REG4, 0x80 | (f << 4) | 0x08); // block data update, full scale, high resolution
    },
    sample: function () {
      var b;
      if (!io) return undefined;
      try {
        b = read(Lis3dhReg.OUT_X_L, 6);
      } catch (e) {
        fail(e);
        return undefined;
      }
      out.x = (count(b[0], b[1]) * sens) / 1000;
      out.y = (count(b[2], b[3]) * sens) / 1000;
      out.z = (count(b[4], b[5]) * sens) / 1000;
      return out;
    },
    close: function () {
      if (io && io.close) io.close();
      io = null;
    },
  };
  try {
    io = new o.io({ hz: o.hz || 400000, address: o.address === undefined ? 0x18 : o.address, data: o.data, clock: o.clock, port: o.port });
    id = read(Lis3dhReg.WHO_AM_I, 1)[0];
    if (id !== LIS3DH_ID) throw new Error('LIS3DH: WHO_AM_I reads ' + id + ', expected ' + LIS3DH_ID);
    api.configure({ rate: 25, range: 2 });
  } catch (e) {
    io = null;
    fail(e);
  }
  return api;
}
