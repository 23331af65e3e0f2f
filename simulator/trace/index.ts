/** Trace readers: real recordings → one time-ordered sample stream (see read.ts, merge.ts). */
export type { SampleColumns } from './samples.ts';
export { SampleBuffer, emptySamples, trimSamples, countSignal, seriesOf } from './samples.ts';
export type { TraceIssue, TraceResult, ReadOptions } from './issues.ts';
export { readTrace, detectFormat, type TraceFormat } from './read.ts';
export { mergeTraces, type MergeResult } from './merge.ts';
export { DEFAULT_POLICY, type MergePolicy } from './policy.ts';
export { readNmea } from './nmea.ts';
export { readGpx } from './gpx.ts';
export { readCsv, axes, CSV_VALUE_UNITS, CSV_TIME_UNITS } from './csv.ts';
export type { CsvMapping, CsvColumn, CsvTimeUnit, CsvValueUnit } from './csv-mapping.ts';
export { CSV_PRESETS, detectCsvPreset } from './csv-presets.ts';
export { readNativeJsonl, readNativeCbor, writeNativeJsonl, writeNativeCbor } from './native.ts';
export { NativeRecord, NativeHeader } from './native-schema.ts';
