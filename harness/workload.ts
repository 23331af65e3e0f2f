/**
 * The rule-engine benchmark's workload: a deterministic synthetic drive, generated *inside* each engine from
 * ES5 source text so no sample data has to travel into the engine (and none is parsed from decimal text).
 *
 * One cycle is 6,000 s (100 min) of a tracker on the Auckland planned route (rules/geo/planned-route.geojson):
 * start in the origin depot, leave without the seal, a spoofed fix, external power cut while driving, GNSS
 * jamming with fix loss, a delivery stop with door opening, a 700 m detour off the route, a long stop outside
 * every zone with the door open (robbery/offload pattern, warm cargo), four short stops, a 47-minute dwell
 * with the engine off, towing, and the return to the depot. Every one of the 17 library rules fires at least
 * once per cycle; the first ~45 s (about 6,000 samples, what Espruino can run per round) already holds four
 * events (shock, light in the closed container, depot exit without seal, position jump). Cycles repeat.
 *
 * Rates: GNSS at 1 Hz (lat, lon, speed, course, hdop, sats, fix, fixAge, jamming; lat/lon/speed/course are
 * not reported while the fix is lost), accelerometer at 25 Hz (x, y, z, mag, tilt), battery, temperature and
 * cell RSSI every 10 s, cell id every 10 min, door/light/tamper/ignition/power/seal when they change.
 * About 134 samples per second of drive, 810,000 per cycle.
 *
 * Determinism on every engine: noise comes from the MINSTD Lehmer generator (seed × 48271 mod 2³¹−1; every
 * product stays below 2⁴⁷, so it is exact in doubles); positions and values are exact integers (1e-7 degree,
 * cm/s, milli-g, 1/100 °C, …) turned into numbers by one division each, which IEEE-754 rounds the same way on
 * Node, XS, Duktape and Espruino. The source contains no fractional decimal literal (Espruino parses those
 * inexactly). Values that rules compare with thresholds are kept off the thresholds (odd milli-g, odd
 * hundredths of a degree, odd lux, …), so an engine's inexact parse of a threshold literal in the
 * hand-written library cannot flip a comparison.
 *
 * API (ES5 globals):
 *   makeWorkload(n)            → { t: Float64Array(n), sig: Uint8Array(n), value: Float64Array(n), n: count }
 *                                 count ≤ n samples, whole 40 ms ticks only, in time order
 *   makeWorkloadGenerator()     → { fill(T, S, X, cap) → count, tick }  (continues where it stopped: the
 *                                 Espruino memory check streams 10,000 samples through small buffers)
 * Samples of one time stamp are contiguous; the replay loop groups them (advanceTo(t), set…, step(t)).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// The compiler's projection's metres per degree, so the workload's distances match the bundle's geometry.
import { M_PER_DEG } from '../runtime/engine/geodesy.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROUTE_FILE = resolve(HERE, '../rules/geo/planned-route.geojson');

/** Seconds of drive per cycle. */
export const WORKLOAD_CYCLE_S = 6000;
/** Milliseconds between accelerometer samples (25 Hz): the finest sampling period of the workload. */
export const WORKLOAD_TICK_MS = 40;

/**
 * Legs of one cycle: [from s, to s, from m, to m] along the route (progress in metres from its first point).
 * Constant speed within a leg; equal from/to metres is a stop.
 */
const LEGS: Array<[number, number, number, number]> = [
  [0, 18, 0, 0],            // in the depot
  [18, 118, 0, 1000],       // leave the depot (no seal), spoofed fix at 40 s, power cut at 60 s
  [118, 268, 1000, 2500],   // jamming 170–260 s, fix lost 175–255 s
  [268, 383, 2500, 3650],
  [383, 503, 3650, 3650],   // delivery point: door open 400–460 s, seal refitted at 470 s, tamper 420–423 s
  [503, 668, 3650, 2000],
  [668, 968, 2000, 1100],   // detour 700 m north of the route 680–920 s
  [968, 1058, 1100, 2600],
  [1058, 1858, 2600, 2600], // long stop outside every zone: seal cut 1100 s, door open 1150–1800 s, cargo warms
  [1858, 1928, 2600, 2000], // drive off
  [1928, 2003, 2000, 2000], // four short stops…
  [2003, 2093, 2000, 1700],
  [2093, 2168, 1700, 1700],
  [2168, 2258, 1700, 1400],
  [2258, 2333, 1400, 1400],
  [2333, 2423, 1400, 1100],
  [2423, 2498, 1100, 1100],
  [2498, 2588, 1100, 600],
  [2588, 2640, 600, 300],
  [2640, 5460, 300, 300],   // dwell with the ignition off (2660–5640 s)
  [5460, 5610, 300, 600],   // towed at 7.2 km/h
  [5610, 5640, 600, 600],
  [5640, 5700, 600, 0],     // back into the depot
  [5700, 6000, 0, 0],
];

/** Lateral detour: [from s, to s, from m, to m] north of the route position. */
const DETOUR: Array<[number, number, number, number]> = [
  [680, 740, 0, 700],
  [740, 860, 700, 700],
  [860, 920, 700, 0],
];

/** Discrete changes: [cycle second, signal id, integer value] (light in lux, booleans 0/1). */
const EVENTS: Array<[number, number, number]> = [
  [0, 13, 0], [0, 14, 1], [0, 15, 0], [0, 16, 1], [0, 17, 1], [0, 22, 1],
  [6, 14, 51], [13, 14, 1],          // light in the closed container for 7 s
  [15, 22, 0],                       // seal removed before leaving the depot
  [60, 17, 0], [140, 17, 1],         // external power cut while driving
  [400, 13, 1], [400, 14, 301], [420, 15, 1], [423, 15, 0], [459, 14, 1], [460, 13, 0], [470, 22, 1],
  [1100, 22, 0], [1150, 13, 1], [1150, 14, 301], [1799, 14, 1], [1800, 13, 0],
  [2660, 16, 0], [5640, 16, 1], [5800, 22, 1],
];

interface Route { lat: number[]; lon: number[]; cumMm: number[] }

/** Route points as exact integers in 1e-5 degree, and cumulative segment lengths in whole millimetres. */
function routeIntegers(): Route {
  const json = JSON.parse(readFileSync(ROUTE_FILE, 'utf8')) as { features: Array<{ geometry: { coordinates: number[][] } }> };
  const coords = json.features[0].geometry.coordinates;
  const toInt = (v: number): number => {
    const i = Math.round(v * 1e5);
    if (Math.abs(i - v * 1e5) > 1e-6) throw new Error(`${ROUTE_FILE}: coordinate ${v} has more than 5 decimals; the workload keeps route points as integers of 1e-5 degree`);
    return i;
  };
  const lat = coords.map((c) => toInt(c[1]));
  const lon = coords.map((c) => toInt(c[0]));
  const cumMm = [0];
  for (let i = 1; i < coords.length; i++) {
    const dy = (coords[i][1] - coords[i - 1][1]) * M_PER_DEG;
    const dx = (coords[i][0] - coords[i - 1][0]) * M_PER_DEG * Math.cos(coords[i][1] * Math.PI / 180);
    cumMm.push(cumMm[i - 1] + Math.max(1, Math.round(Math.hypot(dx, dy) * 1000)));
  }
  return { lat, lon, cumMm };
}

const flat = (rows: number[][]): string => rows.map((r) => r.join(',')).join(',');

function buildSource(): string {
  const r = routeIntegers();
  const lastM = Math.max(...LEGS.map((l) => Math.max(l[2], l[3])));
  if (lastM * 1000 >= r.cumMm[r.cumMm.length - 1]) throw new Error(`workload legs reach ${lastM} m but the route is ${r.cumMm[r.cumMm.length - 1] / 1000} m long`);
  return `
var WL_RLAT = [${r.lat.join(',')}];
var WL_RLON = [${r.lon.join(',')}];
var WL_RCUM = [${r.cumMm.join(',')}];
var WL_LEGS = [${flat(LEGS)}];
var WL_DETOUR = [${flat(DETOUR)}];
var WL_EVENTS = [${flat(EVENTS)}];
function makeWorkloadGenerator() {
  var seed = 20240601;
  var tick = 0;
  var BT = new Float64Array(40), BS = new Uint8Array(40), BX = new Float64Array(40);
  var bn = 0, pending = false;
  var speedCm = 0, towing = false, ignition = 1;
  function rand(m) { seed = seed * 48271 % 2147483647; return seed % m; }
  function put(t, s, x) { BT[bn] = t; BS[bn] = s; BX[bn] = x; bn++; }
  function second(sec, t) {
    var c = sec % ${WORKLOAD_CYCLE_S};
    var i, p = 0, lat, lon, off = 0, offRate = 0, L;
    for (i = 0; i < WL_LEGS.length; i += 4) {
      if (c >= WL_LEGS[i] && c < WL_LEGS[i + 1]) {
        L = WL_LEGS[i + 1] - WL_LEGS[i];
        p = WL_LEGS[i + 2] * 1000 + Math.floor((WL_LEGS[i + 3] - WL_LEGS[i + 2]) * 1000 * (c - WL_LEGS[i]) / L);
        speedCm = Math.floor((WL_LEGS[i + 3] > WL_LEGS[i + 2] ? WL_LEGS[i + 3] - WL_LEGS[i + 2] : WL_LEGS[i + 2] - WL_LEGS[i + 3]) * 100 / L);
        break;
      }
    }
    for (i = 0; i < WL_DETOUR.length; i += 4) {
      if (c >= WL_DETOUR[i] && c < WL_DETOUR[i + 1]) {
        L = WL_DETOUR[i + 1] - WL_DETOUR[i];
        off = WL_DETOUR[i + 2] + Math.floor((WL_DETOUR[i + 3] - WL_DETOUR[i + 2]) * (c - WL_DETOUR[i]) / L);
        offRate = Math.floor((WL_DETOUR[i + 3] > WL_DETOUR[i + 2] ? WL_DETOUR[i + 3] - WL_DETOUR[i + 2] : WL_DETOUR[i + 2] - WL_DETOUR[i + 3]) * 100 / L);
        break;
      }
    }
    speedCm += offRate;
    towing = c >= 5460 && c < 5610;
    var lost = c >= 175 && c < 255;
    // GNSS (1 Hz)
    if (!lost) {
      for (i = 0; i + 2 < WL_RCUM.length && WL_RCUM[i + 1] <= p; i++) {}
      var m = p - WL_RCUM[i], seg = WL_RCUM[i + 1] - WL_RCUM[i];
      var latI = WL_RLAT[i] * 100 + Math.floor((WL_RLAT[i + 1] - WL_RLAT[i]) * 100 * m / seg) + off * 90 + rand(61) - 30;
      var lonI = WL_RLON[i] * 100 + Math.floor((WL_RLON[i + 1] - WL_RLON[i]) * 100 * m / seg) + rand(61) - 30;
      if (c === 40) latI += 120000; // spoofed fix: 1.3 km north for one second
      put(t, 0, latI / 10000000);
      put(t, 1, lonI / 10000000);
      var sp = speedCm > 0 ? speedCm + rand(41) - 20 : rand(20);
      put(t, 2, (sp < 0 ? 0 : sp) / 100);
      put(t, 3, rand(360));
    }
    put(t, 4, lost ? 999 / 10 : c === 40 ? 7 / 10 : (9 + 2 * rand(6)) / 10);
    put(t, 5, lost ? 0 : 8 + rand(5));
    put(t, 6, lost ? 0 : 1);
    put(t, 7, lost ? (c - 174) * 1000 : 200 + rand(600));
    put(t, 23, c >= 170 && c < 260 ? 151 + 2 * rand(10) : 1 + 2 * rand(8));
    // discrete changes
    for (i = 0; i < WL_EVENTS.length; i += 3) {
      if (WL_EVENTS[i] === c) {
        put(t, WL_EVENTS[i + 1], WL_EVENTS[i + 2]);
        if (WL_EVENTS[i + 1] === 16) ignition = WL_EVENTS[i + 2];
      }
    }
    // slow signals
    if (c % 10 === 0) {
      put(t, 18, (405 - Math.floor(c / 600)) / 100);
      var temp = 451;
      if (c >= 1150 && c < 1450) temp = 451 + 2 * Math.floor(350 * (c - 1150) / 300);
      else if (c >= 1450 && c < 2300) temp = 1151;
      else if (c >= 2300 && c < 2700) temp = 1151 - 2 * Math.floor(350 * (c - 2300) / 400);
      put(t, 19, (temp + 2 * rand(5) - 4) / 100);
      put(t, 21, -71 - rand(10));
    }
    if (c % 600 === 0) put(t, 20, 53001 + Math.floor(c / 600));
  }
  function accel(t) {
    var k = speedCm === 0 && !towing ? 29 : towing ? 349 : 199;
    var mag = 1000 + 2 * rand(k + 1) - k;
    if (t % ${WORKLOAD_CYCLE_S * 1000} === 3040) mag = 5201; // a shock
    put(t, 8, (rand(101) - 50) / 1000);
    put(t, 9, (rand(101) - 50) / 1000);
    put(t, 10, (mag - 20 + rand(41)) / 1000);
    put(t, 11, mag / 1000);
    put(t, 12, (20 + rand(11)) / 10);
  }
  function fill(T, S, X, cap) {
    var n = 0, j;
    for (;;) {
      if (!pending) {
        bn = 0;
        var t = tick * ${WORKLOAD_TICK_MS};
        if (tick % ${1000 / WORKLOAD_TICK_MS} === 0) second(tick / ${1000 / WORKLOAD_TICK_MS}, t);
        accel(t);
        tick++;
        pending = true;
      }
      if (n + bn > cap) return n;
      for (j = 0; j < bn; j++) { T[n] = BT[j]; S[n] = BS[j]; X[n] = BX[j]; n++; }
      pending = false;
    }
  }
  return { fill: fill };
}
function makeWorkload(n) {
  var w = { t: new Float64Array(n), sig: new Uint8Array(n), value: new Float64Array(n), n: 0 };
  w.n = makeWorkloadGenerator().fill(w.t, w.sig, w.value, n);
  return w;
}
`;
}

/** ES5 source defining makeWorkload(n) and makeWorkloadGenerator(). */
export const WORKLOAD_SOURCE: string = buildSource();

export interface Workload { t: Float64Array; sig: Uint8Array; value: Float64Array; n: number }

/** The same generator, instantiated in this process (tests and Node-side checks). */
export function makeWorkload(n: number): Workload {
  return new Function(WORKLOAD_SOURCE + '\nreturn makeWorkload;')()(n) as Workload;
}
