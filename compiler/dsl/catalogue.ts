/**
 * The signal catalogue: every input a tracker can feed the runtime, declared once.
 *
 * Each entry is a TypeBox schema carrying the signal's stable numeric id, unit, range and typical rate.
 * The same schemas validate native trace records (simulator), give the DSL its typed signal handles,
 * and are hashed into every bundle so a device refuses a bundle built against another catalogue.
 *
 * Ids are wire format: append new signals at the end, never renumber.
 * Values are SI-ish and always numbers: booleans are 0/1, ids are integers, unknown is NaN.
 */
import { Type, type TNumber } from 'typebox';

/** Physical units the type checker distinguishes. A quantity of one unit is not assignable to another. */
export type Unit =
  | 'deg'      // angle or geographic coordinate, degrees
  | 'm/s'      // speed
  | 'm'        // distance
  | 'ms'       // duration / time
  | 'g'        // acceleration, standard gravity (9.80665 m/s²)
  | 'V'        // voltage
  | 'degC'     // temperature
  | 'dBm'      // radio signal strength
  | 'lux'      // illuminance
  | 'ratio'    // dimensionless (hdop)
  | 'count'    // satellites, edges
  | 'level'    // ordinal level (fix quality, jamming indicator)
  | 'id'       // identifier: compare for equality only
  | 'bool';    // 0 / 1

export interface SignalMeta {
  readonly id: number;
  readonly unit: Unit;
  readonly rateHz: number;       // typical update rate on a tracker
  readonly description: string;
}

/** A catalogue entry. Its type keeps the unit as a literal (`'m/s'`, not `Unit`) so the DSL can type-check units. */
export type SignalSchema<U extends Unit> = TNumber & { readonly id: number; readonly unit: U; readonly rateHz: number; readonly description: string };

function signal<U extends Unit>(id: number, unit: U, minimum: number, maximum: number, rateHz: number, description: string): SignalSchema<U> {
  return Type.Number({ id, unit, minimum, maximum, rateHz, description }) as SignalSchema<U>;
}

export const Catalogue = {
  'gnss.lat':        signal(0, 'deg', -90, 90, 1, 'Latitude of the last fix (WGS-84)'),
  'gnss.lon':        signal(1, 'deg', -180, 180, 1, 'Longitude of the last fix (WGS-84)'),
  'gnss.speed':      signal(2, 'm/s', 0, 200, 1, 'Speed over ground'),
  'gnss.course':     signal(3, 'deg', 0, 360, 1, 'Course over ground, true north'),
  'gnss.hdop':       signal(4, 'ratio', 0, 99.99, 1, 'Horizontal dilution of precision'),
  'gnss.sats':       signal(5, 'count', 0, 255, 1, 'Satellites used in the fix'),
  'gnss.fix':        signal(6, 'level', 0, 8, 1, 'Fix quality as in NMEA GGA: 0 none, 1 GPS, 2 DGPS, 4 RTK fixed, 5 RTK float, 6 dead reckoning'),
  'gnss.fixAge':     signal(7, 'ms', 0, 1e10, 1, 'Time since the last valid fix, as the GNSS driver reports it'),
  'accel.x':         signal(8, 'g', -64, 64, 25, 'Acceleration, device X axis'),
  'accel.y':         signal(9, 'g', -64, 64, 25, 'Acceleration, device Y axis'),
  'accel.z':         signal(10, 'g', -64, 64, 25, 'Acceleration, device Z axis'),
  'accel.mag':       signal(11, 'g', 0, 111, 25, 'Magnitude of the acceleration vector'),
  'accel.tilt':      signal(12, 'deg', 0, 180, 25, 'Angle between the device Z axis and its mounting reference'),
  'door':            signal(13, 'bool', 0, 1, 0, 'Door contact: 1 open, 0 closed'),
  'light':           signal(14, 'lux', 0, 200000, 1, 'Light sensor inside the container'),
  'tamper':          signal(15, 'bool', 0, 1, 0, 'Enclosure tamper switch: 1 opened'),
  'ignition':        signal(16, 'bool', 0, 1, 0, 'Ignition line: 1 on'),
  'power.external':  signal(17, 'bool', 0, 1, 0, 'External power present: 1 yes'),
  'battery':         signal(18, 'V', 0, 60, 0.1, 'Backup battery voltage'),
  'temperature':     signal(19, 'degC', -60, 120, 0.1, 'Cargo temperature'),
  'cell.id':         signal(20, 'id', 0, 4294967295, 0.1, 'Serving cell id'),
  'cell.rssi':       signal(21, 'dBm', -150, 0, 0.1, 'Serving cell signal strength'),
  'ble.seal':        signal(22, 'bool', 0, 1, 0.2, 'BLE seal beacon present: 1 seen recently'),
  'gnss.jamming':    signal(23, 'level', 0, 255, 1, 'GNSS jamming indicator (0 none … 255 strong), as u-blox MON-HW jamInd'),
} as const;

export type SignalName = keyof typeof Catalogue;
export const SIGNAL_NAMES = Object.keys(Catalogue) as SignalName[];
export const SIGNAL_COUNT = SIGNAL_NAMES.length;

export function signalMeta(name: SignalName): SignalMeta {
  const s = Catalogue[name] as TNumber & SignalMeta;
  return { id: s.id, unit: s.unit, rateHz: s.rateHz, description: s.description };
}

/** Signal id → name, for disassembly and reports. */
export const SIGNAL_BY_ID: readonly SignalName[] = (() => {
  const byId: SignalName[] = [];
  for (const name of SIGNAL_NAMES) byId[signalMeta(name).id] = name;
  return byId;
})();
