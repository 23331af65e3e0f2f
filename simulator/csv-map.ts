/**
 * `--csv-map`: a column mapping for CSV recordings no preset recognises (simulator/trace/csv-mapping.ts has the type),
 * given inline or as a JSON file. Mistakes are usage errors that name the option, the part and what is allowed.
 *
 *   --csv-map time=ts:epoch-ms,gnss.lat=lat,gnss.lon=lon,gnss.speed=speed:km/h
 *   --csv-map mapping.json        {"time": {"column": "ts", "unit": "ms", "absolute": true}, "columns": [{"column": "lat", "signal": "gnss.lat"}]}
 *
 * Inline time units: s, ms, us, ns (time since the recording started), epoch-s, epoch-ms, epoch-us, epoch-ns (Unix
 * time: the file has a date), iso (ISO 8601 date-times). Value units: CSV_VALUE_UNITS of simulator/trace/csv.ts; without one the column is
 * already in the signal's catalogue unit.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../cli/errors.ts';
import { readJsonInput } from '../cli/input.ts';
import { SIGNAL_NAME_BY_ID } from '../compiler/signals.generated.ts';
import { CSV_TIME_UNITS as TIME_UNITS, CSV_VALUE_UNITS, type CsvColumn, type CsvMapping, type CsvTimeUnit, type CsvValueUnit } from './trace/index.ts';

function fail(message: string): never {
  throw new UsageError(`--csv-map: ${message}`);
}

function checkSignal(signal: string, where: string): void {
  if (!SIGNAL_NAME_BY_ID.includes(signal)) fail(`${where}: "${signal}" is not a catalogue signal (signals: ${SIGNAL_NAME_BY_ID.join(', ')})`);
}

function timeOf(column: string, unit: string | undefined): CsvMapping['time'] {
  const u = unit ?? 'iso';
  const epoch = /^epoch-(s|ms|us|ns)$/.exec(u);
  if (epoch) return { column, unit: epoch[1] as CsvTimeUnit, absolute: true };
  if (!(TIME_UNITS as readonly string[]).includes(u)) fail(`time=${column}:${u}: unknown time unit "${u}"; use ${TIME_UNITS.join(', ')}, or epoch-s, epoch-ms, epoch-us, epoch-ns for Unix time`);
  return { column, unit: u as CsvTimeUnit, absolute: u === 'iso' };
}

/** `time=ts:epoch-ms,gnss.lat=lat,…` → a mapping. */
export function parseCsvMap(text: string): CsvMapping {
  let time: CsvMapping['time'] | undefined;
  const columns: CsvColumn[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=]+)=([^:]+)(?::(.+))?$/.exec(part);
    if (!m) fail(`"${part}" is not <signal>=<column>[:<unit>] (or time=<column>:<unit>)`);
    const [, key, column, unit] = m;
    if (key === 'time') {
      if (time) fail('time is mapped twice');
      time = timeOf(column, unit);
      continue;
    }
    checkSignal(key, part);
    if (unit !== undefined && !(CSV_VALUE_UNITS as readonly string[]).includes(unit)) fail(`${part}: unknown unit "${unit}"; use one of ${CSV_VALUE_UNITS.join(', ')}`);
    columns.push({ column, signal: key as CsvColumn['signal'], ...(unit ? { unit: unit as CsvValueUnit } : {}) });
  }
  if (!time) fail('no time column: start with time=<column>:<unit>, e.g. time=ts:epoch-ms');
  if (!columns.length) fail('no signal columns: add <signal>=<column>, e.g. gnss.lat=lat');
  return { name: '--csv-map', time, columns };
}

/** A mapping file: the CsvMapping shape as JSON, checked field by field with its JSON path. */
export function readCsvMapFile(path: string): CsvMapping {
  const doc = readJsonInput(path, 'CSV column mapping') as Partial<CsvMapping> | null;
  const at = (where: string, message: string): never => fail(`${path}: ${where}: ${message}`);
  if (!doc || typeof doc !== 'object') at('$', 'expected an object with time and columns');
  const t = doc!.time;
  if (!t || typeof t !== 'object' || (typeof t.column !== 'string' && typeof t.column !== 'number')) at('$.time', 'expected {"column": <name or index>, "unit": "s|ms|us|ns|iso", "absolute": true|false}');
  if (!(TIME_UNITS as readonly string[]).includes(t!.unit)) at('$.time.unit', `expected one of ${TIME_UNITS.join(', ')}`);
  if (!Array.isArray(doc!.columns) || !doc!.columns.length) at('$.columns', 'expected a non-empty array of {"column", "signal", "unit"?}');
  doc!.columns!.forEach((c, i) => {
    if (!c || (typeof c.column !== 'string' && typeof c.column !== 'number')) at(`$.columns[${i}].column`, 'expected a header name or a 0-based index');
    if (typeof c.signal !== 'string') at(`$.columns[${i}].signal`, 'expected a catalogue signal name');
    checkSignal(c.signal, `$.columns[${i}].signal`);
    if (c.unit !== undefined && !CSV_VALUE_UNITS.includes(c.unit)) at(`$.columns[${i}].unit`, `expected one of ${CSV_VALUE_UNITS.join(', ')}`);
  });
  return { name: path, ...doc } as CsvMapping;
}

/** The --csv-map value: a JSON file when it names one, else the inline form. */
export function csvMapOption(value: string | undefined): CsvMapping | undefined {
  if (value === undefined) return undefined;
  return /\.json$/i.test(value) || existsSync(value) ? readCsvMapFile(value) : parseCsvMap(value);
}
