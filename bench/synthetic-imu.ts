/**
 * The synthetic IMU recording the trace and simulator benchmarks read: x-io CSV layout (time in s, acceleration
 * in g), low noise at rest from a fixed LCG (same bytes every run), plus a 4.5 g knock once an hour so the shock
 * rule fires in end-to-end runs. Written in 1 MB chunks; returns the number of rows.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export function writeImuCsv(path: string, hours: number, hz = 100): number {
  const rows = Math.round(hours * 3600 * hz);
  const fd = openSync(path, 'w');
  writeSync(fd, 'Time (s),Accelerometer X (g),Accelerometer Y (g),Accelerometer Z (g)\n');
  const fmt = (v: number): string => { // fixed 6 decimals without toFixed's cost
    const n = Math.round(v * 1e6);
    const a = Math.abs(n);
    return (n < 0 ? '-' : '') + Math.floor(a / 1e6) + '.' + String(a % 1e6).padStart(6, '0');
  };
  let chunk = '';
  let seed = 12345;
  for (let i = 0; i < rows; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = (seed / 4294967296 - 0.5) * 0.02;
    const t = i / hz;
    const knock = i % (3600 * hz) === 1000 ? 4.5 : 0;
    chunk += fmt(t) + ',' + fmt(0.01 * Math.sin(t) + noise + knock) + ',' + fmt(-0.02 + noise) + ',' + fmt(0.998 + noise) + '\n';
    if (chunk.length > 1 << 20) { writeSync(fd, chunk); chunk = ''; }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  return rows;
}

/**
 * The same layout for recordings of days or weeks (bench/stream.bench.ts): each row is a time and one of 4,096
 * readings pre-formatted from the same LCG (plus the hourly knock), written byte by byte into a buffer, so
 * gigabytes are written at near disk speed rather than number-formatting speed. Returns the number of rows.
 */
export function writeLongImuCsv(path: string, hours: number, hz = 100): number {
  const rows = Math.round(hours * 3600 * hz);
  const fmt = (v: number): string => {
    const n = Math.round(v * 1e6);
    const a = Math.abs(n);
    return (n < 0 ? '-' : '') + Math.floor(a / 1e6) + '.' + String(a % 1e6).padStart(6, '0');
  };
  const tails: Buffer[] = [];
  let seed = 12345;
  for (let k = 0; k < 4096; k++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = (seed / 4294967296 - 0.5) * 0.02;
    tails.push(Buffer.from(',' + fmt(0.01 * Math.sin(k) + noise) + ',' + fmt(-0.02 + noise) + ',' + fmt(0.998 + noise) + '\n'));
  }
  const knock = Buffer.from(',' + fmt(4.5) + ',' + fmt(-0.02) + ',' + fmt(0.998) + '\n');
  const frac = Array.from({ length: hz }, (_, k) => Buffer.from('.' + String(Math.round(k * 1e6 / hz)).padStart(6, '0')));
  const fd = openSync(path, 'w');
  writeSync(fd, 'Time (s),Accelerometer X (g),Accelerometer Y (g),Accelerometer Z (g)\n');
  const buf = Buffer.allocUnsafe(1 << 22);
  const digits = new Uint8Array(16);
  let n = 0;
  for (let i = 0; i < rows; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    if (n > buf.length - 128) { writeSync(fd, buf, 0, n); n = 0; }
    let sec = Math.floor(i / hz), d = 0; // whole seconds, digit by digit
    do { digits[d++] = 48 + sec % 10; sec = Math.floor(sec / 10); } while (sec > 0);
    while (d > 0) buf[n++] = digits[--d];
    n += frac[i % hz].copy(buf, n);
    n += (i % (3600 * hz) === 1000 ? knock : tails[seed >>> 20]).copy(buf, n);
  }
  writeSync(fd, buf, 0, n);
  closeSync(fd);
  return rows;
}
