// Fake ECMA-419 IO and Moddable platform modules for running the Moddable board adapter (firmware/moddable/) in
// XS without hardware (test/moddable-host.test.ts). They follow the shapes the spec and Moddable document
// (shared research notes, DEVICES.md): constructors take one options object with onReadable/onWritable/onError;
// read() returns undefined when nothing is there; write() throws when the buffer is full and never writes part.
// The test drives them through globalThis.__rig: bytes arriving on a serial port, pin levels, accelerometer
// counts, and a manual clock for Timer. Plain script (no modules): evaluated before the bundled board adapter.
var __rig = (function () {
  var now = 0, timers = [], nextTimer = 1, serials = {}, pins = {}, analog = {}, acc = [0, 0, 0], flash = {}, prefs = {};
  function Serial(o) {
    this.o = o; this.queue = []; this.out = []; this.capacity = 256;
    serials[o.port] = this;
  }
  Serial.prototype.read = function () { return this.queue.length ? this.queue.shift() : undefined; };
  Serial.prototype.write = function (buf) {
    var n = buf.byteLength;
    if (n > this.capacity) throw new Error("serial: buffer full");
    this.out.push(new Uint8Array(buf.slice(0)));
    return undefined;
  };
  Serial.prototype.close = function () {};
  function I2C(o) {
    if (o.address !== 24) throw new Error("i2c: no device at " + o.address);
    this.o = o; this.regs = new Uint8Array(128); this.regs[0x0f] = 0x33; this.ptr = 0;
  }
  I2C.prototype.write = function (b) {
    var u = new Uint8Array(b.buffer ? b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) : b);
    this.ptr = u[0];
    if (u.length > 1) this.regs[u[0] & 0x7f] = u[1];
  };
  I2C.prototype.read = function (n) {
    var out = new Uint8Array(n), i, r, v;
    for (i = 0; i < n; i++) {
      r = (this.ptr & 0x80 ? (this.ptr & 0x7f) + i : this.ptr) & 0x7f;
      if (r >= 0x28 && r <= 0x2d) {
        v = (acc[(r - 0x28) >> 1] * 16) & 0xffff;
        out[i] = r & 1 ? v >> 8 : v & 255;
      } else out[i] = r === 0x27 ? 0x08 : this.regs[r];
    }
    return out.buffer;
  };
  I2C.prototype.close = function () {};
  function Digital(o) { this.o = o; (pins[o.pin] = pins[o.pin] || { level: 1, watchers: [] }).watchers.push(this); }
  Digital.InputPullUp = 1; Digital.Rising = 1; Digital.Falling = 2;
  Digital.prototype.read = function () { return pins[this.o.pin].level; };
  function Analog(o) { this.o = o; }
  Analog.prototype.read = function () { return analog[this.o.pin]; };
  function Flash(name) {
    var f = flash[name] || (flash[name] = new Uint8Array(0x4000).fill(255));
    this.byteLength = f.length; this.blockSize = 4096; this.f = f;
  }
  Flash.prototype.erase = function (b) { this.f.fill(255, b * 4096, (b + 1) * 4096); };
  Flash.prototype.write = function (at, len, buf) {
    var src = new Uint8Array(buf), i;
    for (i = 0; i < len; i++) this.f[at + i] &= src[i]; // flash only clears bits
  };
  Flash.prototype.read = function (at, len) { return this.f.slice(at, at + len).buffer; };
  Flash.prototype.map = function () { return this.f.buffer; };
  var Preference = {
    get: function (d, k) { return prefs[d + "/" + k]; },
    set: function (d, k, v) { prefs[d + "/" + k] = typeof v === "string" ? v : v.slice(0); },
    delete: function (d, k) { delete prefs[d + "/" + k]; },
  };
  var Timer = {
    set: function (fn, ms) { var id = nextTimer++; timers.push({ id: id, due: now + (ms || 0), fn: fn }); return id; },
    clear: function (id) { timers = timers.filter(function (t) { return t.id !== id; }); },
  };
  Date.now = function () { return now; };
  return {
    Serial: Serial, I2C: I2C, Digital: Digital, Analog: Analog, Flash: Flash, Preference: Preference, Timer: Timer,
    serials: serials, pins: pins, analog: analog, acc: acc, prefs: prefs,
    /** Bytes arrive on a port: queued for read(), then onReadable(count) as the spec says. */
    arrive: function (port, bytes) {
      var s = serials[port];
      s.queue.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      s.o.onReadable.call(s, bytes.length);
    },
    /** A pin's level changes: its watchers' onReadable. */
    pin: function (pin, level) {
      var p = pins[pin], i;
      if (p.level === level) return;
      p.level = level;
      for (i = 0; i < p.watchers.length; i++) p.watchers[i].o.onReadable.call(p.watchers[i]);
    },
    /** Moves the clock to t, running every timer due on the way at its own time. */
    advance: function (t) {
      for (;;) {
        var k = -1, i, x;
        for (i = 0; i < timers.length; i++) if (timers[i].due <= t && (k < 0 || timers[i].due < timers[k].due)) k = i;
        if (k < 0) break;
        x = timers.splice(k, 1)[0];
        if (x.due > now) now = x.due;
        x.fn();
      }
      now = t;
    },
    setNow: function (t) { now = t; },
  };
})();
