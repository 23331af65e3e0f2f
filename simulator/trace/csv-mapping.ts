/**
 * How the columns of a CSV recording map to catalogue signals: the type of a mapping (built-in presets are in
 * csv-presets.ts, the reader that applies one in csv.ts). On its own so that ReadOptions (issues.ts) can name it.
 */
import type { SignalName } from '../../compiler/dsl/catalogue.ts';

export type CsvTimeUnit = 's' | 'ms' | 'us' | 'ns' | 'iso';
export type CsvValueUnit = 'g' | 'm/s2' | 'm/s' | 'km/h' | 'knots' | 'mph' | 'deg' | 'rad' | 'ms' | 's' | 'as-is';

export interface CsvColumn {
  /** Header name (case-insensitive; also matches on the part before any "(" or ":") or 0-based index. */
  column: string | number;
  signal: SignalName;
  /** Unit of the raw value; converted to the catalogue unit of `signal`. Default: already in catalogue units. */
  unit?: CsvValueUnit;
  scale?: number;
  offset?: number;
}

export interface CsvMapping {
  name?: string;
  /** ',', ';' or '\t'; default: the most frequent of them in the header line. */
  delimiter?: string;
  /** Numbers use ',' as decimal separator (only possible when the delimiter is not ','). Default false. */
  decimalComma?: boolean;
  /** First non-comment line is a header (default true); false: columns are indexes. */
  header?: boolean;
  time: {
    column: string | number;
    unit: CsvTimeUnit;
    /** Unix-epoch times (a real date, hasDate = true) rather than time since the recording started. Default: unit 'iso'. */
    absolute?: boolean;
  };
  columns: CsvColumn[];
  /** Emit accel.mag; default true when accel.x/y/z are mapped and accel.mag is not. */
  accelMag?: boolean;
  /** Signals whose cells repeat the last known value on every row (AndroSensor): pushed only when changed. */
  held?: SignalName[];
  /** Push gnss.fix = 1 with each position; default true when lat and lon are mapped and gnss.fix is not. */
  impliedFix?: boolean;
}
