// The device agent (dist/edgerule-link.js with the runtime and signing artifacts) on every engine: a fixed
// session of host frames on a fixed clock — upload, a resent and an overlapping chunk, verification, activation
// (signature check in slices), a refused rollback, an event signed and sent, clock, stats, a reserved message, an
// injected run (samples with fractional times, a resent frame, the run's signed records, END_RUN's counts) —
// must produce the same bytes on Node, XS, Duktape and (with ESPRUINO set) Espruino.
import { beforeAll, describe, expect, test } from 'vitest';
import { engines, describeEngines, missingRequiredEngines, runScript, type EngineName } from '../harness/engines/engines.ts';
import { linkEngineScript, replyFrames } from '../harness/link-engine-script.ts';
import type { Frame } from '../hil/link/codec.ts';
import * as C from '../runtime/link/constants.ts';

let script: string;
let reference: string;

beforeAll(async () => {
  console.log(describeEngines());
  if (process.env.CI === 'true') expect(missingRequiredEngines()).toEqual([]);
  script = await linkEngineScript();
  reference = (await runScript('node', script)).stdout;
});

test('on Node the session answers every frame as the protocol says', () => {
  const replies = replyFrames(reference);
  const status = (f: Frame) => f.body.get(C.K_STATUS);
  const types = replies.map((fs) => fs.map((f) => f.type));
  expect(types[0]).toEqual([C.MSG_HELLO | C.REPLY]);
  expect(replies[2].map((f) => f.body.get(C.CR_NEXT))).toEqual([1000]);
  expect(replies[3].map((f) => f.body.get(C.CR_NEXT))).toEqual([1000]); // resent part: nothing written again
  expect(replies[5].map(status)).toEqual([C.ST_OK]); // VERIFY
  expect(replies[6].map(status)).toEqual([C.ST_PENDING]); // ACTIVATE v1: the signature check runs in slices
  expect(replies[7].map(status)).toEqual([C.ST_OK]); // … and is done when asked again
  expect(replies[13].map(status)).toEqual([C.ST_REFUSED]); // ACTIVATE v0: rollback, refused before the signature check
  expect(replies[13][0].body.get(C.AR_FAULT)).toBe(48);
  expect(replies[15].map((f) => f.type)).toEqual([C.MSG_HELLO | C.REPLY, C.MSG_EVENT]); // the impact's record follows the HELLO
  expect(replies[18].map(status)).toEqual([C.ST_MALFORMED]); // a PROVISION without its fields (on a provisioned device)
  // the injected run: BEGIN, 14 samples, the same frame again (nothing taken twice), the other 23
  expect(replies[19].map((f) => [status(f), f.body.get(C.IR_RUN), f.body.get(C.IR_NEXT), f.body.get(C.IR_BUFFER)])).toEqual([[C.ST_OK, 77, 0, 1024]]);
  expect(replies[20].map((f) => f.body.get(C.IR_NEXT))).toEqual([14]);
  expect(replies[21].map((f) => [f.body.get(C.IR_NEXT), f.body.get(C.IR_FREE)])).toEqual([[14, 1024]]);
  const events = [...replies[22], ...replies[23]].filter((f) => f.type === C.MSG_EVENT);
  const end = replies[23].find((f) => f.type === (C.MSG_END_RUN | C.REPLY))!;
  expect([status(end), end.body.get(C.NR_NEXT), end.body.get(C.NR_DONE), end.body.get(C.NR_RECORDS), end.body.get(C.NR_DROPPED)]).toEqual([C.ST_OK, 37, 37, events.length, 0]);
  expect(events.length).toBeGreaterThanOrEqual(3); // impact, power cut, door open at rest (a timer, at the end of the run)
  expect(replies[26][0].body.has(C.HR_RUN)).toBe(false); // acknowledged: the run is over, the sensors are back
});

const others = engines().filter((e) => e.name !== 'node');
describe.each(others.map((e) => [e.name, e] as const))('%s', (name, info) => {
  test.skipIf(!info.available && !(process.env.CI === 'true' && name !== 'espruino'))(`prints the same bytes as Node${info.available ? '' : ` (SKIPPED: ${info.why})`}`, async () => {
    const out = await runScript(name as EngineName, script, { timeoutMs: 900_000 });
    expect(out.stdout).toBe(reference);
  }, 900_000);
});
