/**
 * Board files: what is wired where on a tracker, in JSON (firmware/boards/*.json are examples; docs/HOSTS.md
 * describes every field). The build checks a board file against the device profile and turns it into the
 * device's configuration (runtime/host/config.ts): signal names become catalogue ids, and a signal the profile
 * lacks, a digital input on a non-boolean signal or an unknown driver is refused with the JSON path that says it.
 * Platform fields (pins, UART names, paths, setup options) pass through to the board adapter.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Catalogue, signalMeta, type SignalName } from '../compiler/dsl/catalogue.ts';
import type { Profile } from '../compiler/dsl/rule.ts';
import type { HostConfig } from '../runtime/host/config.ts';

export type Target = 'espruino' | 'moddable' | 'node';
export const TARGETS: Target[] = ['espruino', 'moddable', 'node'];

type Json = Record<string, unknown>;

/** A board file as written by a person: signals by name. */
export interface BoardFile {
  target?: Target;
  name?: string;
  link?: Json;
  gnss?: Json;
  accel?: Json & { driver?: string };
  inputs?: Array<Json & { signal?: string }>;
  analog?: Array<Json & { signal?: string }>;
  modem?: Json;
  [k: string]: unknown;
}

/** The example board of a target (firmware/boards/<target>.json). */
export function defaultBoardPath(target: Target): string {
  return fileURLToPath(new URL(`./boards/${target}.json`, import.meta.url));
}

export function readBoard(path: string): BoardFile {
  if (!existsSync(path)) throw new Error(`${path}: no such board file`);
  let b: unknown;
  try {
    b = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not JSON: ${(e as Error).message}`);
  }
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new Error(`${path}: a board file is a JSON object`);
  return b as BoardFile;
}

const DRIVERS = ['lis3dh'];

/** The device configuration for a board and profile; throws naming the JSON path of the first problem. */
export function deviceConfig(board: BoardFile, profile: Profile, file: string): HostConfig & Json {
  const has = new Set<string>(profile.signals);
  const sigOf = (name: unknown, at: string, bool: boolean): number => {
    if (typeof name !== 'string' || !(name in Catalogue)) throw new Error(`${file}: ${at}: '${String(name)}' is not a catalogue signal`);
    if (!has.has(name)) throw new Error(`${file}: ${at}: profile '${profile.name}' has no signal '${name}'`);
    if (bool && signalMeta(name as SignalName).unit !== 'bool') throw new Error(`${file}: ${at}: '${name}' is not a boolean signal (a digital input needs one)`);
    return signalMeta(name as SignalName).id;
  };
  const { target: _t, name: _n, inputs, analog, ...rest } = board;
  const cfg = { ...rest, profile: profile.name } as HostConfig & Json;
  if (board.accel) {
    if (!DRIVERS.includes(String(board.accel.driver))) throw new Error(`${file}: accel.driver: '${String(board.accel.driver)}' is not a driver (have: ${DRIVERS.join(', ')})`);
    for (const s of ['accel.x', 'accel.y', 'accel.z', 'accel.mag', 'accel.tilt']) sigOf(s, 'accel', false);
  }
  if (board.gnss) for (const s of ['gnss.lat', 'gnss.lon', 'gnss.fix']) sigOf(s, 'gnss', false);
  if (board.modem) for (const s of ['cell.id', 'cell.rssi']) sigOf(s, 'modem', false);
  if (inputs !== undefined) {
    if (!Array.isArray(inputs)) throw new Error(`${file}: inputs: a list of {signal, pin, …}`);
    cfg.inputs = inputs.map(({ signal, ...o }, i) => ({ ...o, sig: sigOf(signal, `inputs[${i}].signal`, true) }));
  }
  if (analog !== undefined) {
    if (!Array.isArray(analog)) throw new Error(`${file}: analog: a list of {signal, pin, …}`);
    cfg.analog = analog.map(({ signal, ...o }, i) => ({ ...o, sig: sigOf(signal, `analog[${i}].signal`, false) }));
  }
  for (const [at, v] of Object.entries({ 'link.maxFrame': board.link?.maxFrame, 'accel.hz': board.accel?.hz })) {
    if (v !== undefined && !(typeof v === 'number' && v > 0)) throw new Error(`${file}: ${at}: a positive number`);
  }
  return cfg;
}
