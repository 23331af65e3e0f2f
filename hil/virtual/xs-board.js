// The board of the virtual device under Moddable XS (hil/virtual/xs-engine.ts evaluates it after the four
// artifacts and sensor-feed.js, with CFG, OP and NOW0 defined before it): the device host (runtime/host/host.ts)
// runs here; its serial line, storage and restart go to the Node side over xsnap's synchronous command channel;
// Node feeds serial bytes, injected samples and time in through handleCommand. Plain ES5, as the runtime itself.
var BOARD = (function () {
  function u32(b, at, v) {
    b[at] = v & 255; b[at + 1] = (v >>> 8) & 255; b[at + 2] = (v >>> 16) & 255; b[at + 3] = (v >>> 24) & 255;
  }
  function rd32(b, at) {
    return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 16777216;
  }
  // A message to Node: op, a header of `head` bytes filled by fill(), then data[start…start+len); the reply's
  // first byte is OP.ok, OP.no or OP.cut (the power is gone: nothing of this program may run on).
  function call(op, head, fill, data, start, len) {
    var m = new Uint8Array(1 + head + len);
    var r, i;
    m[0] = op;
    if (fill) fill(m);
    for (i = 0; i < len; i++) m[1 + head + i] = data[start + i];
    r = new Uint8Array(issueCommand(m.buffer));
    if (r[0] === OP.cut) throw new Error('power cut');
    return r;
  }
  function keyed(op, key, data) {
    return call(op, 1 + key.length, function (m) {
      m[1] = key.length;
      for (var i = 0; i < key.length; i++) m[2 + i] = key.charCodeAt(i);
    }, data, 0, data ? data.length : 0);
  }
  var EMPTY = new Uint8Array(0);
  var store = {
    create: function (slot, size, head) {
      return call(OP.create, 5, function (m) { m[1] = slot; u32(m, 2, size); }, head, 0, head.length)[0] === OP.ok;
    },
    write: function (slot, at, buf, start, len) {
      return call(OP.write, 5, function (m) { m[1] = slot; u32(m, 2, at); }, buf, start, len)[0] === OP.ok;
    },
    read: function (slot) {
      var r = call(OP.read, 1, function (m) { m[1] = slot; }, EMPTY, 0, 0);
      return r[0] === OP.ok ? r.subarray(1) : null;
    },
    get: function (key) {
      var r = keyed(OP.get, key, null);
      return r[0] === OP.ok ? r.subarray(1) : null;
    },
    put: function (key, bytes) {
      return keyed(OP.put, key, bytes)[0] === OP.ok;
    },
  };
  var clock = NOW0;
  var board = {
    engine: CFG.engine, store: store,
    now: function () { return clock; },
    micros: function () { return Date.now() * 1000; },
    write: function (buf, start, len) { call(OP.uart, 0, null, buf, start, len); },
    restart: function () { call(OP.restart, 0, null, EMPTY, 0, 0); },
    // the board's hardware random source: the host's (Node's CSPRNG), as a real board reads its TRNG
    random: function (buf) {
      var r = call(OP.random, 1, function (m) { m[1] = buf.length; }, EMPTY, 0, 0);
      var i;
      if (r[0] !== OP.ok) return false;
      for (i = 0; i < buf.length; i++) buf[i] = r[1 + i];
      return true;
    },
  };
  var host = EdgeRule.startHost({ profile: CFG.profile, link: { maxFrame: CFG.maxFrame, slotMax: CFG.slotMax, checkUnits: 64, injectBuffer: CFG.injectBuffer }, queue: CFG.queue },
    { device: CFG.device, trust: CFG.trust, seed: CFG.seed }, board, NOW0);
  if (host.fault) throw new Error(host.fault);
  function wait(ms) {
    var out = new Uint8Array(4);
    u32(out, 0, ms === Infinity || ms > 4294967295 ? 4294967295 : ms);
    return out.buffer;
  }
  globalThis.handleCommand = function (msg) {
    var m = new Uint8Array(msg);
    clock = rd32(m, 1);
    if (m[0] === OP.input) host.link(m, 5, m.length - 5, clock);
    else if (m[0] === OP.sensors) feedSensorBatch(host, m, 5);
    return wait(host.tick(clock));
  };
  return host;
})();
