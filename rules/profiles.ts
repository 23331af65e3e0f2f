/**
 * Device profiles: the signals and outputs each kind of tracker really has. `edgerule compile --profile <name>`
 * checks every rule against one of these (ER103: a signal the device lacks, ER104: an output it lacks); the
 * compiler's built-in `full` profile has every signal.
 *
 * Outputs are numbered by their position in the list, so `remote-unlock` comes first everywhere: output 0 means
 * the same relay on every device.
 */
import { profile, type SignalName } from '../compiler/dsl/index.ts';

const GNSS: SignalName[] = ['gnss.lat', 'gnss.lon', 'gnss.speed', 'gnss.course', 'gnss.hdop', 'gnss.sats', 'gnss.fix', 'gnss.fixAge', 'gnss.jamming'];
const ACCEL: SignalName[] = ['accel.x', 'accel.y', 'accel.z', 'accel.mag', 'accel.tilt'];
const CELL: SignalName[] = ['cell.id', 'cell.rssi'];

/** Battery-powered tracker bolted inside a dry container: no vehicle wiring, a door contact, light, BLE seal. */
export const containerTracker = profile({
  name: 'container-tracker',
  description: 'Dry-container tracker: GNSS with jamming indicator, accelerometer, door contact, light, tamper switch, backup battery, cargo temperature, cellular, BLE seal; remote-unlock and siren outputs',
  signals: [...GNSS, ...ACCEL, 'door', 'light', 'tamper', 'battery', 'temperature', ...CELL, 'ble.seal'],
  outputs: ['remote-unlock', 'siren'],
  signing: 'checkpoint',
});

/** Tractor-unit telematics box on the vehicle's wiring: ignition and supply lines, one door contact. */
export const truckTelematics = profile({
  name: 'truck-telematics',
  description: 'Truck telematics unit: GNSS with jamming indicator, accelerometer, ignition, external power, backup battery, cellular, door contact; immobiliser and remote-unlock outputs',
  signals: [...GNSS, ...ACCEL, 'ignition', 'power.external', 'battery', ...CELL, 'door'],
  outputs: ['remote-unlock', 'immobiliser'],
  signing: 'per-event',
});

/** Refrigerated container: the container tracker plus the reefer unit's supply line (genset or shore power). */
export const reeferContainer = profile({
  name: 'reefer-container',
  description: 'Reefer-container tracker: as container-tracker plus the reefer unit\'s external power; remote-unlock and siren outputs',
  signals: [...GNSS, ...ACCEL, 'door', 'light', 'tamper', 'power.external', 'battery', 'temperature', ...CELL, 'ble.seal'],
  outputs: ['remote-unlock', 'siren'],
  signing: 'checkpoint',
});

export const PROFILES = [containerTracker, truckTelematics, reeferContainer];
