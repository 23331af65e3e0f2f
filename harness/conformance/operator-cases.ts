/**
 * Golden cases: one or more rules, a sample stream, and the exact events every engine must produce.
 * Each case names the operators it covers; test/conformance.test.ts checks that together they cover every
 * DSL operator and every opcode the compiler can emit. Expected lines: `<t> <rule> <severity> <values…>`,
 * `outN=<v>` for outputs and `interval=<ms>` for reporting changes, in the order the runtime raises them.
 */
import {
  rule, sig, kmh, minutes, seconds, meters, km, celsius, lux, gees, level, count, id, dbm,
  absence, sequence, place, inside, distanceTo, offRoute, impliedSpeed, type Rule,
} from '../../compiler/dsl/index.ts';
import type { SignalName } from '../../compiler/dsl/catalogue.ts';

export interface GoldenCase {
  name: string;
  covers: string[];
  rules: () => Rule[];
  samples: Array<[number, SignalName, number]>;
  until: number;
  expect: string[];
}

const ZONES = './geo/zones.geojson';
const at = (t: number, lat: number, lon: number): Array<[number, SignalName, number]> => [[t, 'gnss.lat', lat], [t, 'gnss.lon', lon]];

export const OPERATOR_CASES: GoldenCase[] = [
  {
    name: 'held-for restarts when the condition breaks',
    covers: ['HELD', 'AND', 'LT', 'LOAD', 'CONST', 'FIRE', 'JZ', 'EMIT', 'END'],
    rules: () => [rule({ name: 'held', description: 'door open at rest', severity: 'critical',
      when: sig('door').isTrue().and(sig('gnss.speed').below(kmh(1))).heldFor(minutes(10)), attach: { cell: sig('cell.id') } })],
    samples: [[0, 'door', 1], [0, 'gnss.speed', 0], [0, 'cell.id', 777], [300_000, 'door', 0], [400_000, 'door', 1]],
    until: 1_200_000,
    expect: ['1000000 held critical 777'],
  },
  {
    name: 'rising and falling edges',
    covers: ['RISE', 'FALL'],
    rules: () => [
      rule({ name: 'ign-on', description: 'ignition on', severity: 'info', when: sig('ignition').rising() }),
      rule({ name: 'ign-off', description: 'ignition off', severity: 'warning', when: sig('ignition').falling() }),
    ],
    samples: [[0, 'ignition', 0], [1000, 'ignition', 1], [2000, 'ignition', 0], [3000, 'ignition', 1]],
    until: 5000,
    expect: ['1000 ign-on info', '2000 ign-off warning', '3000 ign-on info'],
  },
  {
    name: 'debounce ignores a glitch and fires on a timer',
    covers: ['DEBOUNCE', 'NOT'],
    rules: () => [rule({ name: 'power-cut', description: 'power lost', severity: 'warning', when: sig('power.external').isFalse().debounce(seconds(10)) })],
    samples: [[0, 'power.external', 1], [5000, 'power.external', 0], [8000, 'power.external', 1], [20_000, 'power.external', 0]],
    until: 40_000,
    expect: ['30000 power-cut warning'],
  },
  {
    name: 'hysteresis switches on above 8 and off below 2',
    covers: ['HYST'],
    rules: () => [rule({ name: 'temp-high', description: 'too warm', severity: 'warning', when: sig('temperature').hysteresis(celsius(2), celsius(8)) })],
    samples: [[0, 'temperature', 5], [1000, 'temperature', 9], [2000, 'temperature', 7], [3000, 'temperature', 1], [4000, 'temperature', 9]],
    until: 5000,
    expect: ['1000 temp-high warning', '4000 temp-high warning'],
  },
  {
    name: 'latch holds until reset, reset wins',
    covers: ['LATCH'],
    rules: () => [rule({ name: 'tamper-latched', description: 'tamper until seal', severity: 'critical', when: sig('tamper').isTrue().latchUntil(sig('ble.seal').isTrue()) })],
    samples: [[0, 'ble.seal', 0], [0, 'tamper', 0], [1000, 'tamper', 1], [2000, 'tamper', 0], [3000, 'ble.seal', 1], [4000, 'tamper', 1], [5000, 'ble.seal', 0]],
    until: 6000,
    expect: ['1000 tamper-latched critical', '5000 tamper-latched critical'],
  },
  {
    name: 'rising-edge count in a sliding window wakes when an edge expires',
    covers: ['COUNT', 'GE'],
    rules: () => [rule({ name: 'door-flapping', description: 'door cycled', severity: 'warning', when: sig('door').isTrue().risingCount(seconds(60)).atLeast(count(3)) })],
    samples: [[0, 'door', 1], [1000, 'door', 0], [2000, 'door', 1], [3000, 'door', 0], [4000, 'door', 1], [5000, 'door', 0], [61_000, 'door', 1]],
    until: 70_000,
    expect: ['4000 door-flapping warning', '61000 door-flapping warning'],
  },
  {
    name: 'time since a condition stopped being true, and since start when never true',
    covers: ['SINCE'],
    rules: () => [
      rule({ name: 'parked-long', description: 'ignition off for a minute', severity: 'info', when: sig('ignition').isTrue().notTrueFor(minutes(1)) }),
      rule({ name: 'never-powered', description: 'no external power since start', severity: 'info', when: sig('power.external').isTrue().notTrueFor(seconds(30)) }),
    ],
    samples: [[0, 'ignition', 1], [10_000, 'ignition', 0]],
    until: 100_000,
    expect: ['30000 never-powered info', '70000 parked-long info'],
  },
  {
    name: 'sequence in order within a deadline',
    covers: ['SEQ', 'GT'],
    rules: () => [rule({ name: 'break-in', description: 'door, light, tamper', severity: 'critical',
      when: sequence([sig('door').isTrue(), sig('light').above(lux(50)), sig('tamper').isTrue()], minutes(5)) })],
    samples: [[1000, 'door', 1], [2000, 'light', 100], [3000, 'tamper', 1], [4000, 'door', 0], [4500, 'tamper', 0],
      [10_000, 'door', 1], [11_000, 'light', 120], [400_000, 'tamper', 1]],
    until: 500_000,
    expect: ['3000 break-in critical'],
  },
  {
    name: 'absence of an expected signal after a trigger',
    covers: ['ABSENT'],
    rules: () => [rule({ name: 'seal-missing', description: 'no seal after ignition', severity: 'warning',
      when: absence(sig('ignition').isTrue(), sig('ble.seal').isTrue(), seconds(30)) })],
    samples: [[1000, 'ignition', 1], [20_000, 'ble.seal', 1], [40_000, 'ignition', 0], [41_000, 'ble.seal', 0], [50_000, 'ignition', 1]],
    until: 100_000,
    expect: ['80000 seal-missing warning'],
  },
  {
    name: 'stale signal (GNSS loss) fires on a timer and again after a fresh sample',
    covers: ['STALE'],
    rules: () => [rule({ name: 'gnss-lost', description: 'no fix for a minute', severity: 'warning', when: sig('gnss.lat').stale(seconds(60)) })],
    samples: [[0, 'gnss.lat', 52], [30_000, 'gnss.lat', 52], [100_000, 'gnss.lat', 52]],
    until: 200_000,
    expect: ['90000 gnss-lost warning', '160000 gnss-lost warning'],
  },
  {
    name: 'polygon and circle geofences',
    covers: ['INSIDE'],
    rules: () => [
      rule({ name: 'left-yard', description: 'outside the yard', severity: 'warning', when: inside(place(ZONES, 'yard')).not() }),
      rule({ name: 'at-fuel-stop', description: 'at the fuel stop', severity: 'info', when: inside(place(ZONES, 'fuel-stop')) }),
    ],
    samples: [...at(0, 52.0, 4.0), ...at(1000, 52.0, 4.02), ...at(2000, 52.0, 4.05), ...at(3000, 52.0, 4.0), ...at(4000, 52.003, 4.0), ...at(5000, 52.006, 4.0)],
    until: 6000,
    expect: ['1000 left-yard warning', '2000 at-fuel-stop info', '5000 left-yard warning'],
  },
  {
    name: 'distance to a point and to a route corridor',
    covers: ['DIST2'],
    rules: () => [
      rule({ name: 'far-from-hq', description: 'more than 5 km from HQ', severity: 'info', when: distanceTo(place(ZONES, 'hq')).above(km(5)) }),
      rule({ name: 'off-route', description: 'more than 500 m off the route', severity: 'warning', when: offRoute(place(ZONES, 'route'), meters(500)) }),
    ],
    samples: [...at(0, 52.0, 4.0), ...at(1000, 52.0, 4.05), ...at(2000, 52.01, 4.05), ...at(3000, 52.0, 4.09)],
    until: 4000,
    expect: ['2000 off-route warning', '3000 far-from-hq info'],
  },
  {
    name: 'implied speed between fixes (position jump)',
    covers: ['IMPLIED_SPEED2'],
    rules: () => [rule({ name: 'position-jump', description: 'teleporting fix', severity: 'critical', when: impliedSpeed().above(kmh(250)), attach: { speed: sig('gnss.speed') } })],
    samples: [...at(0, 52.0, 4.0), [0, 'gnss.speed', 30], ...at(1000, 52.0, 4.0005), ...at(2000, 52.0, 4.1), ...at(3000, 52.0, 4.1005)],
    until: 4000,
    expect: ['2000 position-jump critical 30'],
  },
  {
    name: 'attachments: sample-and-hold and arithmetic are exact',
    covers: ['HOLD', 'ADD', 'SUB', 'ABS', 'MIN', 'MAX', 'SEL', 'DIV', 'NEG', 'STORE'],
    rules: () => {
      const x = sig('accel.x');
      const y = sig('accel.y');
      return [rule({ name: 'shock', description: 'hard impact', severity: 'critical', when: sig('accel.mag').times(2).above(gees(8)),
        attach: {
          lastLat: sig('gnss.lat').heldWhen(sig('gnss.fix').atLeast(level(1))), sum: x.plus(y), diff: x.minus(y), third: x.dividedBy(3),
          negAbs: sig('accel.z').abs().negate(), lo: x.min(y), hi: x.max(y), door: sig('door').choose(gees(1), gees(2)),
        } })];
    },
    samples: [[0, 'gnss.fix', 1], [0, 'gnss.lat', 52.1], [1000, 'gnss.fix', 0], [1000, 'gnss.lat', 53],
      [2000, 'accel.x', 1.5], [2000, 'accel.y', -0.5], [2000, 'accel.z', -3], [2000, 'door', 1], [2000, 'accel.mag', 5]],
    until: 3000,
    expect: [`2000 shock critical 52.1 1 2 ${1.5 / 3} -3 -0.5 1.5 1`],
  },
  {
    name: 'comparison and logic operators',
    covers: ['EQ', 'NE', 'LE', 'OR', 'KNOWN'],
    rules: () => {
      const cell = sig('cell.id');
      const rssi = sig('cell.rssi');
      return [
        rule({ name: 'cell-home', description: 'on a home cell', severity: 'info', when: cell.equals(id(100)).or(cell.equals(id(200))) }),
        rule({ name: 'cell-away', description: 'left the home cell', severity: 'warning', when: cell.differsFrom(id(100)).and(rssi.known()) }),
        rule({ name: 'rssi-window', description: 'usable signal', severity: 'info', when: rssi.between(dbm(-100), dbm(-50)) }),
      ];
    },
    samples: [[0, 'cell.id', 100], [1000, 'cell.id', 300], [2000, 'cell.rssi', -70], [3000, 'cell.rssi', -120], [4000, 'cell.id', 200]],
    until: 5000,
    expect: ['0 cell-home info', '2000 cell-away warning', '2000 rssi-window info', '4000 cell-home info'],
  },
  {
    name: 'actions: outputs, reporting interval and cooldown',
    covers: ['OUT', 'RATE'],
    rules: () => [rule({ name: 'unlock-block', description: 'door opened', severity: 'critical', when: sig('door').isTrue(), cooldown: seconds(10),
      setOutputs: { 'remote-unlock': 0, siren: 1 }, reportEvery: seconds(5) })],
    samples: [[0, 'door', 1], [1000, 'door', 0], [2000, 'door', 1], [3000, 'door', 0], [15_000, 'door', 1]],
    until: 16_000,
    expect: ['0 unlock-block critical', 'out0=0', 'out2=1', 'interval=5000', '15000 unlock-block critical', 'out0=0', 'out2=1', 'interval=5000'],
  },
  {
    name: 'a sub-expression shared by two rules is computed once and drives both',
    covers: ['STORE'],
    rules: () => {
      const stopped = sig('gnss.speed').below(kmh(1)).heldFor(minutes(5));
      return [
        rule({ name: 'stopped-a', description: 'stopped', severity: 'info', when: stopped }),
        rule({ name: 'stopped-b', description: 'stopped with door open', severity: 'warning', when: stopped.and(sig('door').isTrue()) }),
      ];
    },
    samples: [[0, 'gnss.speed', 0], [0, 'door', 1]],
    until: 400_000,
    expect: ['300000 stopped-a info', '300000 stopped-b warning'],
  },
];
