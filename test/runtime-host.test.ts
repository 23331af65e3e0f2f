/**
 * The optional host hooks, through the runtime artifact: Host.state reports when a rule's condition becomes true
 * or false (for the simulator's active spans), and a host without it gets no such calls compiled in.
 */
import { expect, test } from 'vitest';
import { compileRules } from '../compiler/compile.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { rule, sig, kmh, minutes } from '../compiler/dsl/index.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';

const bundle = compileRules([rule({ name: 'held', description: 'door open at rest', severity: 'critical', cooldown: minutes(30),
  when: sig('door').isTrue().and(sig('gnss.speed').below(kmh(1))).heldFor(minutes(10)) })], FULL_PROFILE).bytes;

test('state() marks when a condition becomes true and false, fired or not', () => {
  const calls: string[] = [];
  const rt = loadRuntimeArtifact().load(bundle, {
    emit(r, sev, t) { calls.push(`emit ${r} ${t}`); }, output() {}, interval() {},
    state(r, active, t) { calls.push(`state ${r} ${active} ${t}`); },
  });
  const feed = (t: number, s: number, v: number) => { rt.advanceTo(t); rt.set(s, v, t); rt.step(t); };
  feed(0, 2, 0);            // stopped
  feed(0, 13, 1);           // door open → held 10 min at 600 000
  feed(700_000, 13, 0);     // closed
  feed(800_000, 13, 1);     // open again → true at 1 400 000, inside the 30 min cooldown: no event
  rt.advanceTo(2_000_000);
  expect(calls).toEqual(['state 0 1 600000', 'emit 0 600000', 'state 0 0 700000', 'state 0 1 1400000']);
});

test('without state() the translated code has no state calls', () => {
  const api = loadRuntimeArtifact();
  expect(api.translated(bundle)).not.toContain('H.state');
  expect(api.translated(bundle)).toContain('H.emit(0,2,t,E,0)');
});
