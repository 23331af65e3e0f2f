// Flashing through the byte-mangling relay (hil/relay/) between the host and the virtual device's pty: bit flips
// at 1e-4 and 1e-3 per byte, lost and doubled bytes, and the link cut mid-upload. Allowed outcomes: the new bundle
// verified and running, or a clear failure with the old one running. The counts are printed.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDevice, signedLibrary, largeBundle } from '../harness/link.ts';
import { Relay } from '../hil/relay/relay.ts';
import { flash, type FlashResult } from '../hil/link/flash.ts';
import { openSerial } from '../hil/link/transport.ts';
import { LinkSession } from '../hil/link/session.ts';
import { helloReady, activeId } from '../hil/link/hello.ts';
import { bundleId } from '../hil/link/bundle-id.ts';
import { MSG_STATS, SR_CRC_ERRORS, SR_FRAMING_ERRORS } from '../runtime/link/constants.ts';
import type { VirtualDevice } from '../hil/virtual/device.ts';
import { NO_FAULTS, type Faults } from '../hil/relay/mangle.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
let d: VirtualDevice;
let big: Uint8Array;
let version = 0;
const relays: Relay[] = [];

beforeAll(async () => {
  d = await startDevice('node');
  big = await largeBundle(8000);
});
afterAll(async () => {
  for (const r of relays) await r.stop();
  await d.stop();
});

async function relay(faults: Faults, seed: number, extra: { cutAfter?: number; cutMs?: number } = {}): Promise<Relay> {
  for (const old of relays.splice(0)) await old.stop();
  const r = await Relay.start({ device: d.port, port: join(d.o.dir, `relay-${relays.length}`), faults, seed, ...extra });
  relays.push(r);
  return r;
}

/** What the device runs and its frame-error count, asked through the relay with its faults off for the moment. */
async function deviceView(r: Relay) {
  const faults = r.faults;
  r.faults = NO_FAULTS;
  const t = await openSerial(r.port, 115200, 5000);
  try {
    const s = new LinkSession(t, { tries: 10 });
    const h = await helloReady(s, false);
    const st = await s.request(MSG_STATS, new Map());
    return { running: activeId(h), errors: (st.get(SR_CRC_ERRORS) as number) + (st.get(SR_FRAMING_ERRORS) as number) };
  } finally {
    await t.close();
    r.faults = faults;
  }
}

/** Flashes the next version through `r`; checks the outcome is one of the two allowed ones. */
async function flashThrough(r: Relay, o: Parameters<typeof flash>[2] extends infer T ? Partial<T> : never = {}): Promise<FlashResult & { before: string | undefined }> {
  const before = (await deviceView(r)).running;
  const bytes = await signedLibrary({ version: ++version }, big);
  const res = await flash(`v${version}`, bytes, { port: r.port, reconnects: 20, ...o });
  r.uncut();
  const after = (await deviceView(r)).running;
  if (res.ok) expect(after).toBe(hex(bundleId(bytes)));
  else expect(after).toBe(before);
  return { ...res, before };
}

describe('through the relay', () => {
  test.each([
    ['bit flips at 1e-4 per byte', { flip: 1e-4, drop: 0, dup: 0 }, 3],
    ['bit flips at 1e-3 per byte', { flip: 1e-3, drop: 0, dup: 0 }, 3],
    ['lost and doubled bytes at 1e-3 per byte each', { flip: 0, drop: 1e-3, dup: 1e-3 }, 3],
  ])('%s: every flash ends with the new bundle verified and running', async (what, faults, runs) => {
    const counts = { ok: 0, failed: 0, flipped: 0, dropped: 0, duplicated: 0, deviceFrameErrors: 0, hostCrcErrors: 0, resentBytes: 0, gaps: 0, timeouts: 0, bytes: 0 };
    let errors0 = -1;
    let r!: Relay;
    for (let i = 0; i < runs; i++) {
      r = await relay(faults, 1000 + i);
      if (errors0 < 0) errors0 = (await deviceView(r)).errors;
      const res = await flashThrough(r);
      if (res.ok) counts.ok++;
      else counts.failed++;
      for (const k of ['flipped', 'dropped', 'duplicated'] as const) counts[k] += r.counts.toDevice[k] + r.counts.toHost[k];
      counts.bytes += r.counts.toDevice.bytes + r.counts.toHost.bytes;
      counts.hostCrcErrors += res.counts.crcErrors + res.counts.framingErrors;
      counts.resentBytes += res.counts.resentBytes;
      counts.gaps += res.counts.gaps;
      counts.timeouts += res.counts.timeouts;
    }
    counts.deviceFrameErrors = (await deviceView(r)).errors - errors0;
    console.log(`${what}: ${runs} flashes of ${big.length + 141} bytes: ${JSON.stringify(counts)}`);
    expect(counts.ok).toBe(runs);
    expect(counts.flipped + counts.dropped + counts.duplicated).toBeGreaterThan(0);
    expect(counts.deviceFrameErrors + counts.hostCrcErrors).toBeGreaterThan(0);
  });

  test('a link cut for good mid-upload fails with what was awaited and leaves the old bundle; the next flash resumes where it stopped', async () => {
    const r = await relay({ flip: 0, drop: 0, dup: 0 }, 1, { cutAfter: 12000 });
    const failed = await flashThrough(r, { reconnects: 0, tries: 3, timeoutMs: 300 });
    expect(failed.ok).toBe(false);
    expect(failed.verdict).toMatch(/^FAILED: no reply to UPLOAD offset \d+ after \d+ tries in \d+ ms$/);
    r.uncut();
    version--;
    const resumed = await flashThrough(r);
    expect(resumed.ok).toBe(true);
    expect(resumed.resumedAt).toBeGreaterThan(4000);
    expect(resumed.uploadedBytes).toBe(big.length + 141 - resumed.resumedAt);
    console.log(`cut after 12000 bytes: failed with "${failed.verdict}"; the next flash resumed at ${resumed.resumedAt}`);
  });

  test('a link cut for 2 s mid-upload: the flash reconnects by itself and resumes', async () => {
    const r = await relay({ flip: 0, drop: 0, dup: 0 }, 2, { cutAfter: 9000, cutMs: 2000 });
    const res = await flashThrough(r, { tries: 3, timeoutMs: 300 });
    expect(res.ok).toBe(true);
    expect(res.reconnects).toBeGreaterThanOrEqual(1);
    expect(r.counts.cutBytes).toBeGreaterThan(0);
    console.log(`cut for 2 s after 9000 bytes: ${res.verdict}`);
  });
});
