/**
 * The control channel between the virtual device's supervisor (device.ts) and its engine child (node-engine.ts,
 * xs-engine.ts): JSON lines on the child's fd 3. The serial bytes themselves travel on the child's stdin/stdout.
 *   supervisor → child: {cut: n}   power is cut after n more bytes of storage writes
 *                       {reboot: true}   restart the device program now (power cycle)
 *                       {written: true}  report the bytes of storage written so far
 *   child → supervisor: {booted: n, engine}   the device program started (n-th start of this child)
 *                       {cut: written}        a power cut happened (bytes written by then); the device restarts
 *                       {written: n}          bytes of storage written so far (the answer to {written: true})
 *                       {log: text}
 */
import type { Readable, Writable } from 'node:stream';

export interface ToChild { cut?: number; reboot?: boolean; written?: boolean }
export interface FromChild { booted?: number; engine?: string; cut?: number; log?: string; written?: number }

/** Reads JSON lines from a stream, one callback per message. */
export function readLines<T>(stream: Readable, onMessage: (m: T) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (s: string) => {
    buf += s;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onMessage(JSON.parse(line) as T);
    }
  });
}

export function writeLine(stream: Writable, m: ToChild | FromChild): void {
  stream.write(JSON.stringify(m) + '\n');
}

/** Thrown by the file store when the power is cut: the device program is gone, the child starts it again. */
export class PowerCut extends Error {}

/**
 * Sensor batches from the supervisor (device.ts `sensors`) on the child's fd 4: [u32 LE count] then count samples
 * of 17 bytes (sensor-feed.js); calls onBatch with each whole batch.
 */
export function readSensorBatches(stream: Readable, onBatch: (batch: Uint8Array) => void): void {
  let pending = Buffer.alloc(0);
  stream.on('data', (b: Buffer) => {
    pending = Buffer.concat([pending, b]);
    while (pending.length >= 4) {
      const size = 4 + pending.readUInt32LE(0) * 17;
      if (pending.length < size) break;
      onBatch(new Uint8Array(pending.subarray(0, size)));
      pending = pending.subarray(size);
    }
  });
}
