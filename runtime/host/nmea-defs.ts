/**
 * Facts of NMEA 0183 that both NMEA readers share — the device's (nmea.ts, on a UART) and the simulator's
 * (simulator/trace/nmea-sentences.ts, on recorded files): where each field of RMC, GGA and VTG lies, what an FAA
 * mode letter says about the fix, which sentence's fix quality wins within an epoch, and the knot.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */

/** Metres per second in one knot (1852 m per hour). */
export var KNOT = 1852 / 3600;

/** Sentence type bits (an epoch remembers which types it has seen). */
export var T_RMC = 1;
export var T_GGA = 2;
export var T_GLL = 4;
export var T_VTG = 8;
export var T_GNS = 16;
export var T_GSA = 32;
export var T_ZDA = 64;
/** Types whose repetition without a time ends an epoch. */
export var T_SPLIT = T_RMC | T_GGA | T_GLL | T_VTG | T_GNS;

/** Field positions (field 0 is the address, e.g. GPRMC). A position is two fields: ddmm.mmmm, then N/S or E/W. */
export enum Rmc { TIME = 1, STATUS = 2, LAT = 3, LON = 5, SPEED_KNOTS = 7, COURSE = 8, DATE = 9, MODE = 12 }
export enum Gga { TIME = 1, LAT = 2, LON = 4, QUALITY = 6, SATS = 7, HDOP = 8 }
/**
 * VTG: NMEA 2.x and later write value, unit pairs (course T, course M, speed N, speed K, then the mode); NMEA 1.x
 * wrote the values only (course true, course magnetic, knots, km/h). The unit letters tell them apart.
 */
export enum Vtg { COURSE = 1, UNIT_T = 2, UNIT_M = 4, UNIT_N = 6, UNIT_K = 8, KNOTS = 5, KMH = 7, MODE = 9, KNOTS_V1 = 3, KMH_V1 = 4 }

/** Priority of each source for an epoch's fix quality: the highest rank that states one wins. */
export enum FixRank { GSA = 0, GLL = 1, RMC = 2, GNS = 3, GGA = 4 }

/** FAA mode indicator (NMEA 2.3+ RMC/GLL/VTG/GNS) → fix level as GGA numbers them; −1 for an unknown letter. */
export function modeFix(c: number): number {
  if (c === 78) return 0; // N not valid
  if (c === 65 || c === 80) return 1; // A autonomous, P precise
  if (c === 68) return 2; // D differential
  if (c === 82) return 4; // R RTK fixed
  if (c === 70) return 5; // F RTK float
  if (c === 69) return 6; // E estimated / dead reckoning
  if (c === 77) return 7; // M manual
  if (c === 83) return 8; // S simulator
  return -1;
}
