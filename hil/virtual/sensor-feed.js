// The virtual device's sensors (plain ES5, run inside the engine by node-engine.ts and xs-board.js): batches of
// samples recorded from real traces arrive from the supervisor, whole time groups at a time, and go into the
// running bundle as a device's sensor loop puts them: for each new time advanceTo(t), set() every sample of
// that time, step(t). Each batch is [u32 LE count] then count samples of 17 bytes: t f64 LE, signal u8,
// value f64 LE. Samples that arrive while no bundle runs are lost, as a device's would be.
function makeSensorFeed(agent, clock) {
  var dv = null;
  function feed(bytes, start) {
    var rt = agent.runtime();
    var n, i, at, t, cur, t0, g0, g, max;
    dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    n = dv.getUint32(start, true);
    if (!rt || n === 0) return n;
    t0 = clock();
    g0 = t0;
    max = 0;
    cur = NaN;
    for (i = 0; i < n; i++) {
      at = start + 4 + i * 17;
      t = dv.getFloat64(at, true);
      if (t !== cur) {
        if (cur === cur) {
          rt.step(cur);
          g = clock();
          if (g - g0 > max) max = g - g0;
          g0 = g;
        }
        rt.advanceTo(t);
        cur = t;
      }
      rt.set(bytes[at + 8], dv.getFloat64(at + 9, true), t);
    }
    rt.step(cur);
    g = clock();
    if (g - g0 > max) max = g - g0;
    // statistics in µs: the whole batch, and the longest time group (one sample time) in it
    agent.account(n, (g - t0) * 1000, max * 1000, cur);
    return n;
  }
  return { feed: feed };
}
