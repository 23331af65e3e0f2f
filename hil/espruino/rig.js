// The Espruino test rig's stand-ins (Storage file er.rig.js, evaluated by the boot file before the host starts,
// through er.cfg's "pre"): the Linux build of Espruino has no GPIO, I²C or ADC, and a test must control time.
// It defines EdgeRuleRig, which the Espruino board adapter (runtime/boards/espruino.ts) takes its platform from:
//   now, setTimeout, clearTimeout  a virtual clock when RIG_CLOCK is "virtual" (the test advances it); else real
//   setWatch, digitalRead          pins the test sets
//   analogRead                     values the test sets
//   RigI2C                         an LIS3DH-class part on a fake I²C bus: registers, auto-increment, the test's samples
//   Serial1/2/3                    the real UARTs (on pseudo-terminals), silenced after a power cut; the GNSS UART's
//                                  bytes are held until the test releases them at a virtual time
//   Storage                        require("Storage") that can lose power after a number of bytes of writes
//   restart                        quit(): the process ends and the test's supervisor starts it again
// and R, the test's console commands: R.go(id, ops) runs a list of operations in order and prints
// "<<er ok id>>" when done (hil/espruino/device.ts sends them; the format is there). Plain ES5.
var EdgeRuleRig;
var R = (function () {
  var S = require("Storage");
  var cfg = S.readJSON("er.cfg", 1) || {};
  var virtual = cfg.rigClock === "virtual";
  var vnow = 0;
  var timers = [];
  var nextId = 1;
  var dead = false;
  var budget = Infinity;
  var written = 0;
  var pins = {};
  var watches = {};
  var analog = {};
  var held = [];
  var heldBytes = 0;
  var gnssFn = null;
  var fed = 0;
  var ops = [];
  var opId = null;
  var acc = { t: new Float64Array(0), c: new Int16Array(0), n: 0, reg: new Uint8Array(64), ptr: 0 };

  function vSet(fn, ms) {
    var id = nextId++;
    timers.push({ id: id, due: vnow + (ms > 0 ? ms : 0), fn: fn });
    return id;
  }
  function vClear(id) {
    for (var i = 0; i < timers.length; i++) if (timers[i].id === id) { timers.splice(i, 1); return; }
  }
  /** Runs the earliest virtual timer due at or before `until` (the clock moves to its due time); false if none. */
  function runOne(until) {
    var k = -1, i, t;
    for (i = 0; i < timers.length; i++) if (timers[i].due <= until && (k < 0 || timers[i].due < timers[k].due)) k = i;
    if (k < 0) return false;
    t = timers[k];
    timers.splice(k, 1);
    if (t.due > vnow) vnow = t.due;
    t.fn();
    return true;
  }

  // ---- power ----
  function die() {
    dead = true;
    print("<<er cut " + written + ">>");
    quit();
  }
  function dataLength(d) {
    return typeof d === "string" ? d.length : d.length === undefined ? ("" + d).length : d.length;
  }
  var storage = {};
  // Storage's methods are not enumerable (for…in finds none): the ones the host and the boot file use, by name
  ["read", "readJSON", "readArrayBuffer", "list", "getFree", "compact", "open"].forEach(function (k) { storage[k] = S[k]; });
  storage.write = function (name, data, offset, size) {
    var n = dataLength(data), keep;
    if (dead) return false;
    if (written + n > budget) {
      keep = Math.floor((budget - written) / 4) * 4; // flash programs whole 4-byte words
      if (keep > 0 && (offset || size)) S.write(name, typeof data === "string" ? data.substr(0, keep) : data.subarray(0, keep), offset || 0, size);
      written = budget;
      die();
      return false;
    }
    written += n;
    return S.write(name, data, offset, size);
  };
  storage.erase = function (name) {
    if (dead) return;
    if (written + 1 > budget) { die(); return; }
    written++;
    S.erase(name);
  };

  // ---- UARTs ----
  function uart(real, isGnss) {
    return {
      setup: function (baud, o) { real.setup(baud, o); },
      write: function (d) { if (!dead) real.write(d); },
      on: function (ev, fn) {
        if (!isGnss || !virtual) { real.on(ev, function (d) { if (!dead) fn(d); }); return; }
        gnssFn = fn;
        real.on(ev, function (d) { held.push(d); heldBytes += d.length; });
      },
      removeAllListeners: function (ev) { real.removeAllListeners(ev); },
    };
  }
  /** Hands held GNSS bytes to the host until `upto` have been handed over; false while they have not all arrived. */
  function feed(upto) {
    var d, n;
    while (fed < upto && held.length) {
      d = held.shift();
      n = Math.min(d.length, upto - fed);
      if (n < d.length) held.unshift(d.substr(n));
      heldBytes -= n;
      fed += n;
      if (gnssFn) gnssFn(d.substr(0, n));
    }
    return fed >= upto;
  }

  // ---- the LIS3DH-class part on a fake I²C bus ----
  function sampleAt(t) {
    var i = acc.n - 1;
    while (i >= 0 && acc.t[i] > t) i--;
    return i;
  }
  function readReg(r) {
    var i, v;
    if (r === 0x0f) return 0x33;
    if (r === 0x27) return acc.n ? 0x08 : 0;
    if (r >= 0x28 && r <= 0x2d) {
      i = sampleAt(vnow);
      if (i < 0) return 0;
      v = acc.c[i * 3 + ((r - 0x28) >> 1)] * 16; // 12-bit count, left-justified in 16 bits
      if (v < 0) v += 65536;
      return (r & 1) ? (v >> 8) & 255 : v & 255;
    }
    return acc.reg[r & 63];
  }
  function RigI2C(o) {
    return {
      write: function (b) {
        acc.ptr = b[0];
        if (b.length > 1) acc.reg[b[0] & 63] = b[1];
      },
      read: function (n) {
        var out = new Uint8Array(n), inc = (acc.ptr & 0x80) !== 0, r = acc.ptr & 0x7f, i;
        for (i = 0; i < n; i++) out[i] = readReg(inc ? r + i : r);
        return out;
      },
    };
  }
  function addSamples(t0, dt, b64) {
    var raw = E.toUint8Array(atob(b64)), n = raw.length / 6, t = new Float64Array(acc.n + n), c = new Int16Array((acc.n + n) * 3), i, v;
    t.set(acc.t.subarray(0, acc.n));
    c.set(acc.c.subarray(0, acc.n * 3));
    for (i = 0; i < n * 3; i++) {
      v = raw[2 * i] | (raw[2 * i + 1] << 8);
      c[acc.n * 3 + i] = v >= 32768 ? v - 65536 : v;
    }
    for (i = 0; i < n; i++) t[acc.n + i] = t0 + i * dt;
    acc.t = t;
    acc.c = c;
    acc.n += n;
  }

  // ---- pins ----
  function setPin(pin, level) {
    var list = watches[pin] || [], i;
    if ((pins[pin] || 0) === level) return;
    pins[pin] = level;
    for (i = 0; i < list.length; i++) list[i]({ state: !!level, time: undefined });
  }

  // ---- the test's operations ----
  // ["t", T]: advance the virtual clock to T, running every timer due on the way at its own time
  // ["g", n]: hand the GNSS UART's held bytes to the host until n have been handed over (waits for them)
  // ["p", pin, level] ["a", pin, value] ["x", t0, dt, base64 of int16 LE x,y,z counts] ["c", bytes until the power cut]
  // ["i", base64 of samples: t f64, signal u8, value f64 (17 bytes each)]: injected, then settled
  // ["s"]: print the host's statistics as "<<er stats {…}>>"
  function step() {
    var op, n;
    while (ops.length) {
      op = ops[0];
      if (op[0] === "t") {
        for (n = 0; n < 64; n++) if (!runOne(op[1])) break;
        if (n === 64) return;
        if (op[1] > vnow) vnow = op[1];
      } else if (op[0] === "g") {
        if (!feed(op[1])) return;
      } else if (op[0] === "p") setPin(op[1], op[2]);
      else if (op[0] === "a") analog[op[1]] = op[2];
      else if (op[0] === "x") addSamples(op[1], op[2], op[3]);
      else if (op[0] === "c") budget = written + op[1];
      else if (op[0] === "i") inject(op[1]);
      else if (op[0] === "s") print("<<er stats " + JSON.stringify(stats()) + ">>");
      ops.shift();
    }
    if (opId !== null) {
      print("<<er ok " + opId + ">>");
      opId = null;
    }
  }
  function inject(b64) {
    var b = E.toUint8Array(atob(b64)), dv = new DataView(b.buffer), i;
    if (typeof _erH === "undefined" || !_erH) return;
    for (i = 0; i + 17 <= b.length; i += 17) _erH.inject(b[i + 8], dv.getFloat64(i + 9, true), dv.getFloat64(i, true));
    _erH.settle();
  }
  function stats() {
    var h = typeof _erH !== "undefined" ? _erH : null;
    return {
      now: vnow, written: written, fed: fed, held: heldBytes,
      nmea: h ? [].slice.call(h.nmea.stats) : null, sink: h ? { fed: h.sink.fed, late: h.sink.late, lost: h.sink.lost } : null,
      log: h && h.agent ? null : null, memory: process.memory().usage,
    };
  }
  function pump() {
    if (virtual) for (var n = 0; n < 16 && runOne(vnow); n++);
    step();
  }

  EdgeRuleRig = {
    Storage: storage,
    Serial1: uart(Serial1, false),
    Serial2: uart(Serial2, true),
    Serial3: uart(Serial3, false),
    RigI2C: RigI2C,
    setWatch: function (fn, pin) { (watches[pin] = watches[pin] || []).push(fn); },
    digitalRead: function (pin) { return pins[pin] || 0; },
    analogRead: function (pin) { return analog[pin] === undefined ? NaN : analog[pin]; },
    pinMode: function () {},
    restart: function () { dead = true; quit(); },
  };
  if (virtual) {
    vnow = cfg.rigStart || 0;
    EdgeRuleRig.now = function () { return vnow; };
    EdgeRuleRig.setTimeout = vSet;
    EdgeRuleRig.clearTimeout = vClear;
  }
  setInterval(pump, virtual ? 2 : 50);
  setTimeout(function () {
    print("<<er booted " + (typeof _erH !== "undefined" && _erH && !_erH.fault ? "ok" : "failed") + ">>");
  }, 0);
  return {
    go: function (id, list) {
      opId = id;
      ops = list;
      step();
    },
  };
})();
