// Provisioning on every engine (harness/link-engine-script.ts, 'provisioning'): a device with no keys and a fixed
// random source is provisioned, refuses another anchor, rotates its event key and its trust anchor on commands the
// anchor signed, refuses a forged and a stale one, is factory-reset (refused while a record is unsent, without the
// anchor's signature, and replayed once it is provisioned again) and provisioned afresh — and Node, XS, Duktape and (with ESPRUINO set) Espruino print the
// same bytes: the same key made from the same random bytes, the same proofs, the same refusals.
import { beforeAll, describe, expect, test } from 'vitest';
import { engines, runScript, type EngineName } from '../harness/engines/engines.ts';
import { linkEngineScript, replyFrames } from '../harness/link-engine-script.ts';
import * as C from '../runtime/link/constants.ts';

let script: string;
let reference: string;

beforeAll(async () => {
  script = await linkEngineScript('provisioning');
  reference = (await runScript('node', script)).stdout;
});

test('on Node the provisioning session answers as the protocol says', () => {
  const replies = replyFrames(reference);
  const st = replies.map((fs) => fs.map((f) => f.body.get(C.K_STATUS)));
  expect(st).toEqual([[C.ST_OK], [C.ST_OK], [C.ST_OK], [C.ST_PROVISIONED], [C.ST_OK], [C.ST_SIGNATURE], [C.ST_OK], [C.ST_OK], [C.ST_OK],
    [C.ST_UNSENT], [C.ST_SIGNATURE], [C.ST_OK], [C.ST_OK], [C.ST_OK], [C.ST_OK], [C.ST_STALE], [C.ST_OK]]);
  expect(replies[0][0].body.has(C.HR_EVENT_KEY)).toBe(false); // no key before provisioning
  expect(replies[2][0].body.get(C.PR_ALREADY)).toBe(1);
  expect(Buffer.from(replies[2][0].body.get(C.PR_EVENT_KEY) as Uint8Array)).toEqual(Buffer.from(replies[1][0].body.get(C.PR_EVENT_KEY) as Uint8Array));
  expect(replies[4][0].body.get(C.XR_EPOCH)).toBe(1);
  expect(replies[7][0].body.get(C.TR_ALREADY)).toBe(1);
  const h = replies[8][0].body;
  expect([h.get(C.HR_ANCHOR_VERSION), h.get(C.HR_KEY_EPOCH)]).toEqual([1, 1]);
  expect(Buffer.from(h.get(C.HR_EVENT_KEY) as Uint8Array)).toEqual(Buffer.from(replies[4][0].body.get(C.XR_EVENT_KEY) as Uint8Array));
  // the factory reset: the rotation record was unsent; with the discard flag it goes; the same command again: already
  expect(replies[9][0].body.get(C.ZR_QUEUED)).toBe(1);
  expect([replies[11][0].body.get(C.ZR_QUEUED), replies[11][0].body.has(C.ZR_ALREADY)]).toEqual([1, false]);
  expect(replies[12][0].body.get(C.ZR_ALREADY)).toBe(1);
  const reset = replies[13][0].body;
  expect([reset.has(C.HR_KEY_ID), reset.has(C.HR_EVENT_KEY), reset.get(C.HR_RESET_FROM)]).toEqual([false, false, 7]);
  // provisioned afresh: a new key from the board's random source, and no trace of the reset in HELLO
  expect(Buffer.from(replies[14][0].body.get(C.PR_EVENT_KEY) as Uint8Array)).not.toEqual(Buffer.from(replies[1][0].body.get(C.PR_EVENT_KEY) as Uint8Array));
  expect([replies[16][0].body.get(C.HR_ANCHOR_VERSION), replies[16][0].body.get(C.HR_KEY_EPOCH), replies[16][0].body.has(C.HR_RESET_FROM)]).toEqual([0, 0, false]);
});

const others = engines().filter((e) => e.name !== 'node');
describe.each(others.map((e) => [e.name, e] as const))('%s', (name, info) => {
  test.skipIf(!info.available && !(process.env.CI === 'true' && name !== 'espruino'))(`prints the same bytes as Node${info.available ? '' : ` (SKIPPED: ${info.why})`}`, async () => {
    const out = await runScript(name as EngineName, script, { timeoutMs: 900_000 });
    expect(out.stdout).toBe(reference);
  }, 900_000);
});
