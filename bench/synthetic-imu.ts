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
