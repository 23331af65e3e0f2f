/**
 * Built-in CSV mappings, detected from the header line (and, where the header alone is ambiguous,
 * the file name).
 *
 *  x-io          x-io Technologies Fusion / Gait-Tracking exports: "Time (s)", "Accelerometer X (g)" …;
 *                time in s since start (no date), accel in g. Gyroscope and magnetometer have no
 *                catalogue signal and are not read.
 *  quat-orient   AndroSensor columns split into gps.*.csv / accel.*.csv, ','-separated, first column
 *                "Time since start in ms" (no date); ACCELEROMETER X/Y/Z in m/s², LOCATION Speed in
 *                km/h, LOCATION ORIENTATION = course. "Satellites in range" counts satellites in view,
 *                not used in the fix, so it is not mapped to gnss.sats.
 *  androsensor   the AndroSensor app's own ';'-separated export with the same column names (plus
 *                LIGHT (lux)). Its LOCATION cells repeat the last fix on every row, so they are pushed
 *                only when they change.
 *  sensorlogger-location / sensorlogger-accel
 *                Sensor Logger app: Location.csv (time in Unix ns, latitude, longitude, speed m/s,
 *                bearing) and TotalAcceleration.csv (time in Unix ns, columns ordered z, y, x, m/s²,
 *                gravity included like a tracker's accelerometer). Other z,y,x files of the app
 *                (Gyroscope, Gravity, Accelerometer = without gravity) are refused with a clear error.
 *  sensorlogger-metadata
 *                Sensor Logger's Metadata.csv: no samples; read as an empty trace with one issue.
 */
import { basename } from 'node:path';
import { axes, headerBase, headerKey } from './csv.ts';
import type { CsvColumn, CsvMapping } from './csv-mapping.ts';

export interface CsvPreset {
  name: string;
  /** Header cells (and file path) → mapping, or null if the preset does not apply. */
  detect(header: readonly string[], delimiter: string, file: string): CsvMapping | null;
}

function has(header: readonly string[], name: string): boolean {
  const k = headerKey(name), b = headerBase(name);
  return header.some((h) => headerKey(h) === k || headerBase(h) === b);
}

function androColumns(header: readonly string[], withLight: boolean): CsvColumn[] {
  const cols: CsvColumn[] = [];
  if (has(header, 'ACCELEROMETER X (m/s²)')) {
    cols.push(...axes('accel', ['ACCELEROMETER X (m/s²)', 'ACCELEROMETER Y (m/s²)', 'ACCELEROMETER Z (m/s²)'], 'xyz', 'm/s2'));
  }
  if (has(header, 'LOCATION Latitude :') && has(header, 'LOCATION Longitude :')) {
    cols.push({ column: 'LOCATION Latitude :', signal: 'gnss.lat' }, { column: 'LOCATION Longitude :', signal: 'gnss.lon' });
    if (has(header, 'LOCATION Speed ( Kmh)')) cols.push({ column: 'LOCATION Speed ( Kmh)', signal: 'gnss.speed', unit: 'km/h' });
    if (has(header, 'LOCATION ORIENTATION (°)')) cols.push({ column: 'LOCATION ORIENTATION (°)', signal: 'gnss.course', unit: 'deg' });
  }
  if (withLight && has(header, 'LIGHT (lux)')) cols.push({ column: 'LIGHT (lux)', signal: 'light' });
  return cols;
}

export const CSV_PRESETS: readonly CsvPreset[] = [
  {
    name: 'x-io',
    detect(header) {
      if (headerKey(header[0] ?? '') !== 'time (s)' || !has(header, 'Accelerometer X (g)')) return null;
      return {
        name: 'x-io',
        time: { column: 'Time (s)', unit: 's' },
        columns: axes('accel', ['Accelerometer X (g)', 'Accelerometer Y (g)', 'Accelerometer Z (g)'], 'xyz', 'g'),
      };
    },
  },
  {
    name: 'quat-orient',
    detect(header, delimiter) {
      if (delimiter !== ',' || headerBase(header[0] ?? '') !== 'time since start in ms') return null;
      const columns = androColumns(header, false);
      return columns.length ? { name: 'quat-orient', time: { column: 0, unit: 'ms' }, columns } : null;
    },
  },
  {
    name: 'androsensor',
    detect(header, delimiter) {
      if (delimiter !== ';' || !has(header, 'Time since start in ms')) return null;
      const columns = androColumns(header, true);
      if (!columns.length) return null;
      return {
        name: 'androsensor', delimiter: ';', decimalComma: true,
        time: { column: 'Time since start in ms', unit: 'ms' },
        columns,
        held: ['gnss.lat', 'gnss.lon', 'gnss.speed', 'gnss.course'],
      };
    },
  },
  {
    name: 'sensorlogger-location',
    detect(header) {
      if (headerKey(header[0] ?? '') !== 'time' || !has(header, 'seconds_elapsed') || !has(header, 'latitude') || !has(header, 'longitude')) return null;
      const columns: CsvColumn[] = [{ column: 'latitude', signal: 'gnss.lat' }, { column: 'longitude', signal: 'gnss.lon' }];
      if (has(header, 'speed')) columns.push({ column: 'speed', signal: 'gnss.speed', unit: 'm/s' });
      if (has(header, 'bearing')) columns.push({ column: 'bearing', signal: 'gnss.course', unit: 'deg' });
      return { name: 'sensorlogger-location', time: { column: 'time', unit: 'ns', absolute: true }, columns };
    },
  },
  {
    name: 'sensorlogger-accel',
    detect(header, _d, file) {
      const keys = header.map(headerKey).join(',');
      if (keys !== 'time,seconds_elapsed,z,y,x') return null;
      const base = basename(file).toLowerCase();
      if (!base.startsWith('totalacceleration')) {
        throw new Error(`${file}: Sensor Logger z,y,x file, but only TotalAcceleration.csv (acceleration including gravity, as a tracker measures it) maps to the catalogue; pass an explicit CSV mapping for other sensors`);
      }
      return {
        name: 'sensorlogger-accel',
        time: { column: 'time', unit: 'ns', absolute: true },
        columns: axes('accel', ['z', 'y', 'x'], 'zyx', 'm/s2'),
      };
    },
  },
];

/** Sensor Logger's Metadata.csv: recognised so it can be reported rather than refused. */
export function isSensorLoggerMetadata(header: readonly string[]): boolean {
  return headerKey(header[0] ?? '') === 'version' && has(header, 'device name') && has(header, 'sensors');
}

export function detectCsvPreset(header: readonly string[], delimiter: string, file: string): CsvMapping | null {
  for (const p of CSV_PRESETS) {
    const m = p.detect(header, delimiter, file);
    if (m) return m;
  }
  return null;
}

export function csvPresetByName(name: string, header: readonly string[], delimiter: string, file: string): CsvMapping {
  const p = CSV_PRESETS.find((x) => x.name === name);
  if (!p) throw new Error(`${file}: unknown CSV preset "${name}" (known: ${CSV_PRESETS.map((x) => x.name).join(', ')})`);
  const m = p.detect(header, delimiter, file);
  if (!m) throw new Error(`${file}: header does not match CSV preset "${name}"`);
  return m;
}
