/**
 * The device host's configuration as the device reads it (er.cfg on Espruino, a module on Moddable, a JSON file
 * on Node): what is wired where, per board, with signals already numbered (the build, firmware/board-config.ts,
 * turns a board file's signal names into ids and checks them against the profile). Every field but `profile` is
 * optional; a part that is not configured is not started. Platform fields (pins, UART names, paths) are the
 * board adapter's business and pass through untouched.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import type { ModemConfig } from './modem.ts';

export interface HostConfig {
  /** The device profile bundles must target. */
  profile: string;
  /** The device link: on a UART (the board's), or over the modem's TCP connection (`modem: true`). */
  link?: { modem?: boolean; maxFrame?: number; slotMax?: number; checkUnits?: number; injectBuffer?: number; [k: string]: unknown };
  /** GNSS receiver's UART; `quietMs` > 0 completes an epoch after that long without a byte (0: at the next epoch). */
  gnss?: { quietMs?: number; [k: string]: unknown };
  /** Accelerometer: sampled every 1000/hz ms; tilt against `reference` (default [0, 0, 1]). */
  accel?: { driver: string; hz?: number; range?: number; reference?: number[]; [k: string]: unknown };
  /** Digital inputs: signal id, inverted (active low), debounce ms. */
  inputs?: Array<{ sig: number; invert?: boolean; debounce?: number; [k: string]: unknown }>;
  /** Analog inputs: signal id, read every `every` ms, value = reading × scale ÷ div + offset. */
  analog?: Array<{ sig: number; every?: number; scale?: number; div?: number; offset?: number; [k: string]: unknown }>;
  /** Cellular modem on a UART (cell id, RSSI; TCP for the link when link.modem). */
  modem?: ModemConfig & { [k: string]: unknown };
  /** Event queue slots (default the event writer's). */
  queue?: number;
}

/** Who the device is: written once per device by the installer (er.id on Espruino). Keys as hex. */
export interface HostIdentity {
  device: number;
  /** Build public key bundles must be signed with (64 hex digits); absent: not provisioned. */
  trust?: string;
  /** The device's event key seed (64 hex digits); absent: no signed events. */
  seed?: string;
}

/** 64 hex digits → 32 bytes; null when absent or malformed. */
export function hexKey(h: string | undefined): Uint8Array | null {
  var b, i, v;
  if (!h || h.length !== 64) return null;
  b = new Uint8Array(32);
  for (i = 0; i < 32; i++) {
    v = parseInt(h.substr(2 * i, 2), 16);
    if (!(v >= 0 && v <= 255)) return null;
    b[i] = v;
  }
  return b;
}
