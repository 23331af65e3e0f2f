/**
 * Golden cases for the rule library: each rule file compiled alone, fed a stream built so that the firing time
 * follows from the rule's thresholds (written next to each case), with every attached value known.
 * Positions: DEPOT inside the origin depot, ROUTE on the planned route outside every zone, FAR 2 km off the
 * route outside every zone (rules/geo/).
 */
import type { SignalName } from '../../compiler/dsl/catalogue.ts';

export interface LibraryCase { rule: string; samples: Array<[number, SignalName, number]>; until: number; expect: string[] }

const DEPOT: [number, number] = [-36.8594, 174.7828];
const ROUTE: [number, number] = [-36.86193, 174.7822];
const FAR: [number, number] = [-36.85, 174.76];

/** Every signal a known value at t = 0 (a parked, powered, sealed truck with a fix), then the case's own samples. */
function stream(at: [number, number], rest: Array<[number, SignalName, number]>): Array<[number, SignalName, number]> {
  const base: Array<[SignalName, number]> = [
    ['gnss.lat', at[0]], ['gnss.lon', at[1]], ['gnss.fix', 1], ['gnss.hdop', 1], ['gnss.sats', 9], ['gnss.fixAge', 0],
    ['gnss.speed', 0], ['gnss.course', 90], ['gnss.jamming', 0], ['accel.mag', 1], ['accel.tilt', 3], ['door', 0],
    ['light', 0], ['tamper', 0], ['ignition', 1], ['power.external', 1], ['battery', 12.5], ['temperature', 5],
    ['cell.id', 4242], ['cell.rssi', -80], ['ble.seal', 1],
  ];
  return [...base.map(([s, v]): [number, SignalName, number] => [0, s, v]), ...rest];
}
const move = (t: number, p: [number, number]): Array<[number, SignalName, number]> => [[t, 'gnss.lat', p[0]], [t, 'gnss.lon', p[1]]];

export const LIBRARY_CASES: LibraryCase[] = [
  // Door opens at 60 s while stopped: 10 min later.
  { rule: 'door-open-at-rest', samples: stream(DEPOT, [[60_000, 'door', 1]]), until: 900_000,
    expect: ['660000 door-open-at-rest critical 4242 -36.8594 174.7828'] },
  // Leaves the depot at 10 s with no seal; the 5 s debounce makes the exit final at 15 s.
  { rule: 'depot-exit-without-seal', samples: stream(DEPOT, [[0, 'ble.seal', 0], ...move(10_000, ROUTE)]), until: 60_000,
    expect: ['15000 depot-exit-without-seal critical -36.86193 174.7822 0 4242', 'interval=10000'] },
  // Door opened 2 km from any approved stop.
  { rule: 'door-opened-away-from-stops', samples: stream(FAR, [[5000, 'door', 1]]), until: 10_000,
    expect: ['5000 door-opened-away-from-stops critical -36.85 174.76 0 4242', 'out0=0'] },
  // Power cut at 20 s, debounced 10 s.
  { rule: 'external-power-cut', samples: stream(DEPOT, [[20_000, 'power.external', 0]]), until: 60_000,
    expect: ['30000 external-power-cut critical 12.5 -36.8594 174.7828 4242', 'interval=30000'] },
  // Driving at 20 m/s, then no GNSS sample after t = 0: the fix is stale at 60 s.
  { rule: 'gnss-loss-while-moving', samples: stream(ROUTE, [[0, 'gnss.speed', 20]]), until: 120_000,
    expect: ['60000 gnss-loss-while-moving critical 4242 -80 -36.86193 174.7822 0 0'] },
  // Light 50 lux with the door closed from 1 s: held 5 s.
  { rule: 'light-in-closed-container', samples: stream(DEPOT, [[1000, 'light', 50]]), until: 20_000,
    expect: ['6000 light-in-closed-container critical 50 -36.8594 174.7828 4242', 'out2=1'] },
  // Power cut at 20 s (final at 30 s); driving at 5 m/s from 40 s: held 30 s.
  { rule: 'moving-after-power-cut', samples: stream(ROUTE, [[20_000, 'power.external', 0], [40_000, 'gnss.speed', 5]]), until: 120_000,
    expect: ['70000 moving-after-power-cut critical 5 12.5 -36.86193 174.7822 4242', 'out1=1', 'interval=15000'] },
  // Stopped off-zone (1 min → 60 s), door at 120 s, drives off at 36 km/h at 180 s.
  { rule: 'offload-at-unapproved-stop', samples: stream(FAR, [[120_000, 'door', 1], [180_000, 'gnss.speed', 10]]), until: 200_000,
    expect: ['180000 offload-at-unapproved-stop critical -36.85 174.76 10 4242', 'out0=0', 'interval=15000'] },
  // The fix jumps ~2 km in one second.
  { rule: 'position-jump', samples: stream(ROUTE, [...move(1000, FAR)]), until: 5000,
    expect: ['1000 position-jump critical -36.85 174.76 0 1 9 4242 -80', 'interval=10000'] },
  // Engine off at 60 s outside every zone: 45 min.
  { rule: 'prolonged-dwell', samples: stream(FAR, [[60_000, 'ignition', 0]]), until: 3_000_000,
    expect: ['2760000 prolonged-dwell critical -36.85 174.76 4242 12.5'] },
  // Four debounced (60 s) stops at 160, 360, 560, 760 s.
  { rule: 'repeated-stop-start', samples: stream(FAR, [[0, 'gnss.speed', 10],
    [100_000, 'gnss.speed', 0], [200_000, 'gnss.speed', 10], [300_000, 'gnss.speed', 0], [400_000, 'gnss.speed', 10],
    [500_000, 'gnss.speed', 0], [600_000, 'gnss.speed', 10], [700_000, 'gnss.speed', 0]]), until: 800_000,
    expect: ['760000 repeated-stop-start warning 4 -36.85 174.76 4242'] },
  // Seal lost while the door is open; door closes at 20 s and no seal follows: 10 min.
  { rule: 'reseal-missing-after-door', samples: stream(DEPOT, [[10_000, 'door', 1], [15_000, 'ble.seal', 0], [20_000, 'door', 0]]), until: 700_000,
    expect: ['620000 reseal-missing-after-door warning -36.8594 174.7828 4242'] },
  // 2 km off the route from 10 s: held 2 min.
  { rule: 'route-deviation', samples: stream(ROUTE, [...move(10_000, FAR)]), until: 200_000,
    expect: ['130000 route-deviation warning -36.85 174.76 0 90 4242', 'interval=30000'] },
  // A 6 g shock.
  { rule: 'shock-or-tamper', samples: stream(DEPOT, [[5000, 'accel.mag', 6]]), until: 10_000,
    expect: ['5000 shock-or-tamper critical 6 0 3 -36.8594 174.7828 4242'] },
  // 9 °C from 60 s: held 15 min.
  { rule: 'temperature-excursion', samples: stream(DEPOT, [[60_000, 'temperature', 9]]), until: 1_000_000,
    expect: ['960000 temperature-excursion critical 9 -36.8594 174.7828 4242'] },
  // Ignition off throughout, moving at 3 m/s from 10 s: held 30 s.
  { rule: 'towing', samples: stream(ROUTE, [[0, 'ignition', 0], [10_000, 'gnss.speed', 3]]), until: 60_000,
    expect: ['40000 towing critical 3 1 3 -36.86193 174.7822 4242', 'interval=10000'] },
  // Driving, then stopped off-zone from 60 s: 5 min.
  { rule: 'unauthorised-stop', samples: stream(FAR, [[0, 'gnss.speed', 10], [60_000, 'gnss.speed', 0]]), until: 400_000,
    expect: ['360000 unauthorised-stop warning -36.85 174.76 0 4242', 'interval=60000'] },
];
