/**
 * Hostile times on every engine: one ES5 script feeds each bundle a fixed sequence of calls whose times are
 * Infinity, NaN, 1e300, negative, −Infinity and going backwards, and prints what each call returned and every
 * event and output it raised (numbers as IEEE-754 hex, as the conformance driver does). Every call must return —
 * a runtime whose advanceTo() follows a chain of wake-ups to Infinity never prints DONE — and every engine must
 * print exactly what Node prints.
 *
 * Output lines:  C <case>   F <fault> <offset>   A <t> (advanceTo(t) starts)   R <1 or 0> (what it returned)
 *                S (the step after it returned)
 *                E … / O … as in driver.ts
 */
import { runtimeArtifactSource } from '../../simulator/artifact.ts';
import { assemble } from '../hostile/assemble.ts';
import { DRIVER_PRELUDE, f64hex } from './driver.ts';

/** The times, in call order: each is given to advanceTo(t), then set(door, …, t) and step(t). */
export const HOSTILE_TIMES = [0, 1000, Infinity, NaN, 1e300, -1e300, -5, 5000, 2000, -Infinity, 1e300 * 10];

/**
 * Timers that restart each other in a verified bundle (distinct state, no trickery): two SEQ ops of two steps flip
 * their output at every evaluation, and two COUNT windows (n = 4, w = 1000 ms) see an edge of one or the other at
 * every pass, so every pass asks for the next one 1000 ms later. `advanceTo(Infinity)` would follow it forever;
 * the budget (1 + 4 per COUNT = 10 passes) stops it. It outputs the two counts' sum on every pass (output 0).
 */
export const RESTARTING_TIMERS = assemble({
  units: [{
    code: [
      ['CONST', 0], ['CONST', 0], ['CONST', 1], ['SEQ', 0, 2], ['CONST', 2], ['COUNT', 2, 4],
      ['CONST', 0], ['CONST', 0], ['CONST', 1], ['SEQ', 8, 2], ['NOT'], ['CONST', 2], ['COUNT', 10, 4],
      ['ADD'], ['OUT', 0], ['END'],
    ],
  }],
  consts: [1, 1e300, 1000],
  nState: 16,
});

const DRIVER = DRIVER_PRELUDE + `
function hostileTimes(index, bundleHex, timesHex) {
  print('C ' + index);
  var rt = EdgeRule.load(unhex(bundleHex), host);
  if (rt.fault) { print('F ' + rt.fault + ' ' + rt.faultAt); return; }
  for (var i = 0; i < timesHex.length / 16; i++) {
    var t = rd(timesHex, i * 16);
    print('A ' + hx(t));
    print('R ' + (rt.advanceTo(t) ? 1 : 0));
    rt.set(13, i % 2, t);
    rt.set(2, i, t);
    rt.step(t);
    print('S');
  }
}
`;

export function hostileTimesScript(bundles: Uint8Array[]): string {
  const times = HOSTILE_TIMES.map(f64hex).join('');
  const calls = bundles.map((b, i) => `hostileTimes(${i}, '${Buffer.from(b).toString('hex')}', '${times}');`);
  return runtimeArtifactSource() + '\n' + DRIVER + '\n' + calls.join('\n') + '\nprint("DONE");\n';
}

export interface HostileTimesCall { t: number; advanced: boolean; raised: string[] }

/**
 * Per case: the advanceTo calls in order, each with what it raised, 'returned', what the step after it raised and
 * 'step' (lines as printed).
 */
export function parseHostileTimes(stdout: string): HostileTimesCall[][] {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines[lines.length - 1] !== 'DONE') throw new Error(`engine output did not finish (last line: ${lines[lines.length - 1]})`);
  const cases: HostileTimesCall[][] = [];
  for (const line of lines.slice(0, -1)) {
    const [tag, ...f] = line.split(' ');
    const calls = cases[cases.length - 1];
    if (tag === 'C') cases.push([]);
    else if (tag === 'A') calls.push({ t: new Float64Array(new Uint8Array(Buffer.from(f[0], 'hex')).buffer)[0], advanced: false, raised: [] });
    else if (tag === 'R') {
      calls[calls.length - 1].advanced = f[0] === '1';
      calls[calls.length - 1].raised.push('returned');
    }
    else if (tag === 'S') calls[calls.length - 1].raised.push('step');
    else if (tag === 'F') throw new Error(`hostile-times case ${cases.length - 1} was refused: fault ${f[0]} at ${f[1]}`);
    else calls[calls.length - 1].raised.push(line);
  }
  return cases;
}
