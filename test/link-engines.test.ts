// The device agent (dist/edgerule-link.js with the runtime and signing artifacts) on every engine: a fixed
// session of host frames on a fixed clock — upload, a resent and an overlapping chunk, verification, activation
// (signature check in slices), a refused rollback, an event signed and sent, clock, stats, a reserved message —
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
  expect(replies[18].map(status)).toEqual([C.ST_UNSUPPORTED]);
});

const others = engines().filter((e) => e.name !== 'node');
describe.each(others.map((e) => [e.name, e] as const))('%s', (name, info) => {
  test.skipIf(!info.available && !(process.env.CI === 'true' && name !== 'espruino'))(`prints the same bytes as Node${info.available ? '' : ` (SKIPPED: ${info.why})`}`, async () => {
    const out = await runScript(name as EngineName, script, { timeoutMs: 900_000 });
    expect(out.stdout).toBe(reference);
  }, 900_000);
});
