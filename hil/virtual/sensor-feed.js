// The virtual device's injected sensors (plain ES5, run inside the engine by node-engine.ts and xs-board.js): batches
// of samples recorded from real traces arrive from the supervisor, whole time groups at a time, and go into the
// device host's sink (runtime/host/sink.ts) with their own times, as a device's drivers would put them — one
// advanceTo/set/step sequence per time, the last group stepped at the end of the batch. Each batch is
// [u32 LE count] then count samples of 17 bytes: t f64 LE, signal u8, value f64 LE. Samples that arrive while no
// bundle runs are lost, as a device's would be.
function feedSensorBatch(host, bytes, start) {
  var dv = new DataView(bytes.buffer, bytes.byteOffset + start, bytes.length - start);
  var n = dv.getUint32(0, true);
  var i, at;
  for (i = 0; i < n; i++) {
    at = 4 + i * 17;
    host.inject(bytes[start + at + 8], dv.getFloat64(at + 9, true), dv.getFloat64(at, true));
  }
  host.settle();
  return n;
}
