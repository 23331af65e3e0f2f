// Provisioning over a real pseudo-terminal with the Node and XS virtual devices, through the commands a person runs:
// `edgerule provision` on an unprovisioned device (it makes its own key), `flash` a bundle signed by the anchor,
// a replay of a real recording, `verify` through the registry without --key; an event-key rotation mid-stream,
// verified across; a trust-anchor rotation after which a bundle signed by the old key is refused. Every output, log
// and file is then searched for the device's secrets (they live only in the device's own secret records). Then a
// factory reset signed by the anchor erases them (no file holds them any more) and the device is provisioned afresh.
import { until as waitUntil } from '../harness/until.ts';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signedLibrary, BUILD_KEY, OTHER_BUILD_KEY } from '../harness/link.ts';
import { runCli, type CliResult } from '../harness/cli.ts';
import { engines } from '../harness/engines/engines.ts';
import { writeIdentity } from '../hil/virtual/config.ts';
import { VirtualDevice, type DeviceEngine } from '../hil/virtual/device.ts';
import { EventCollector } from '../hil/link/events-in.ts';
import { watchEvents } from '../hil/monitor.ts';
import { openSerial } from '../hil/link/transport.ts';
import { LinkSession } from '../hil/link/session.ts';
import { MSG_STATS, SR_NEXT_SEQ, SR_SAMPLES, SR_QUEUE, SECRET_KEYS, SK_SEED, SK_SEAL } from '../runtime/link/constants.ts';
import { formatKey } from '../signing/keys.ts';
import { readRegistry, findDevice, keySchedule } from '../signing/registry.ts';
import { exampleDrive, later } from '../harness/drive.ts';
import type { SampleColumns } from '../simulator/trace/samples.ts';

let drive: SampleColumns;

beforeAll(async () => {
  drive = await exampleDrive();
});

/** Provisioning and flashing over a pty take longer than the shared default allows on a loaded machine. */
const until = (what: string, ok: () => boolean | Promise<boolean>, ms = 120_000) => waitUntil(what, ok, ms);

async function stats(port: string) {
  const t = await openSerial(port, 115200, 10000);
  try {
    return await new LinkSession(t, { tries: 10 }).request(MSG_STATS, new Map());
  } finally {
    await t.close();
  }
}

/** The secrets a device holds in its own secret records (the only place they may be). */
function secretsIn(dir: string): Buffer[] {
  const out: Buffer[] = [];
  for (const k of SECRET_KEYS) {
    try {
      const b = readFileSync(join(dir, 'rec', k));
      out.push(b.subarray(SK_SEED, SK_SEED + 32), b.subarray(SK_SEAL, SK_SEAL + 32));
    } catch {
      // not written (yet)
    }
  }
  return out;
}

/** Every regular file under dir, recursively (not the pty links: reading one would wait for the device). */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    const st = lstatSync(p);
    return st.isDirectory() ? files(p) : st.isFile() ? [p] : [];
  });
}

/** Where a secret appears: raw, as hex (either case) or base64. */
function leaks(haystack: Buffer, secret: Buffer): boolean {
  const forms = [secret, Buffer.from(secret.toString('hex')), Buffer.from(secret.toString('hex').toUpperCase()), Buffer.from(secret.toString('base64'))];
  return forms.some((f) => haystack.includes(f));
}

const running: VirtualDevice[] = [];
afterAll(async () => { for (const d of running) await d.stop(); });

const xs = engines().find((e) => e.name === 'xs')!;
const ENGINES: Array<[DeviceEngine, boolean]> = [['node', true], ['xs', xs.available || process.env.CI === 'true']];

describe.each(ENGINES)('%s virtual device', (engine, available) => {
  test.skipIf(!available)(`provision, flash, replay, verify through the registry; rotate the event key and the anchor${available ? '' : ' (SKIPPED: XS is not available)'}`, async () => {
    const work = mkdtempSync(join(tmpdir(), 'edgerule-provision-'));
    const dir = join(work, 'device');
    writeIdentity(dir, { device: 0, profile: 'full', queue: 64 }); // unprovisioned: no anchor, no key
    const logs: string[] = [];
    const d = await VirtualDevice.start({ dir, engine, log: (l) => logs.push(l) });
    running.push(d);
    writeFileSync(join(work, 'build.pub'), formatKey(BUILD_KEY, 'public'));
    writeFileSync(join(work, 'build.key'), formatKey(BUILD_KEY, 'secret'), { mode: 0o600 });
    writeFileSync(join(work, 'next-build.pub'), formatKey(OTHER_BUILD_KEY, 'public'));
    writeFileSync(join(work, 'next-build.key'), formatKey(OTHER_BUILD_KEY, 'secret'), { mode: 0o600 });
    writeFileSync(join(work, 'v1.signed'), await signedLibrary({ version: 1 }));
    writeFileSync(join(work, 'v2-old-key.signed'), await signedLibrary({ version: 2 }));
    writeFileSync(join(work, 'v2.signed'), await signedLibrary({ version: 2, key: OTHER_BUILD_KEY }));
    const outputs: CliResult[] = [];
    const cli = async (...args: string[]) => {
      if (process.env.DEBUG_PROVISION) process.stderr.write(`edgerule ${args.join(' ')}\n`);
      const r = await runCli(args, work);
      outputs.push(r);
      return r;
    };
    const reg = ['--registry', 'devices.json'];

    const p = await cli('provision', '--port', d.port, '--trust', 'build.pub', '--device', '7', ...reg);
    expect(p.code, p.out + p.err).toBe(0);
    expect(p.out).toMatch(/^OK: device 7 provisioned: trust anchor key id [0-9a-f]{16} \(version 0\); event key id [0-9a-f]{16} made on the device, its proof of possession verified/);
    const secrets = secretsIn(dir);
    expect(secrets).toHaveLength(2); // the event key seed and the seal secret of epoch 0
    const again = await cli('provision', '--port', d.port, '--trust', 'next-build.pub', '--device', '7', ...reg);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/^FAILED: the device is already provisioned: device 7, trust anchor key id/);

    const f = await cli('flash', '--port', d.port, 'v1.signed', '--json', ...reg);
    expect(f.code, f.out).toBe(0);
    expect(findDevice(readRegistry(join(work, 'devices.json')), 7)!.bundle?.version).toBe(1);

    // replay, with a watch that acknowledges; the event key is rotated between two drives
    const host = new EventCollector();
    const registryKeys = (id: number) => { const e = findDevice(readRegistry(join(work, 'devices.json')), id); return e && keySchedule(e); };
    let w = await watchEvents(d.port, 115200, host, { registryKeys });
    await d.sensors(drive);
    await until('the first drive\'s records', async () => (await w.request(MSG_STATS, new Map())).get(SR_SAMPLES) === drive.length && host.bySeq.size >= 7);
    await w.stop();
    const rot = await cli('provision', '--port', d.port, '--rotate-event-key', '--signed-by', 'build.key', ...reg);
    expect(rot.code, rot.out + rot.err).toBe(0);
    const rotatedAt = Number(/signing from seq (\d+)/.exec(rot.out)![1]);
    secrets.push(...secretsIn(dir)); // the new epoch's secret
    w = await watchEvents(d.port, 115200, host, { registryKeys });
    await d.sensors(later(drive, 1));
    let made = 0;
    await until('every record acknowledged', async () => {
      const st = await w.request(MSG_STATS, new Map());
      made = (st.get(SR_NEXT_SEQ) as number) - 1;
      return st.get(SR_SAMPLES) === 2 * drive.length && st.get(SR_QUEUE) === 0 && host.bySeq.size === made;
    });
    await w.stop();
    expect(rotatedAt).toBeGreaterThan(7);
    expect(made).toBeGreaterThan(rotatedAt + 6);
    writeFileSync(join(work, 'events.cbor'), host.stream());
    const v = await cli('verify', 'events.cbor', ...reg);
    expect(v.code, v.out + v.err).toBe(0);
    expect(v.out).toContain(`seq ${rotatedAt - 1}: event key rotated`);
    expect(v.out).toMatch(/OK: every record authentic, chained and in sequence/);
    expect(findDevice(readRegistry(join(work, 'devices.json')), 7)!.verified).toBe(made);
    // the same file with the first key alone follows the rotation the stream announces
    writeFileSync(join(work, 'device7-first.pub'), formatKey({ kind: 'public', role: 'device', device: 7, publicKey: keySchedule(findDevice(readRegistry(join(work, 'devices.json')), 7)!)[0].publicKey }, 'public'));
    expect((await cli('verify', 'events.cbor', '--key', 'device7-first.pub')).code).toBe(0);

    // trust-anchor rotation: then a bundle signed by the old key is refused, one by the new key runs
    const t = await cli('provision', '--port', d.port, '--rotate-trust', 'next-build.pub', '--anchor-version', '1', '--signed-by', 'build.key', ...reg);
    expect(t.code, t.out + t.err).toBe(0);
    const old = await cli('flash', '--port', d.port, 'v2-old-key.signed', '--json');
    expect(old.code).toBe(1);
    expect(JSON.parse(old.out).verdict).toMatch(/WRONG_KEY/);
    expect((await cli('flash', '--port', d.port, 'v2.signed', '--json', ...reg)).code).toBe(0);
    const list = await cli('devices', ...reg);
    expect(list.out).toMatch(/device 7 {2}profile full {2}anchor [0-9a-f]{16} v1 {2}event key [0-9a-f]{16} \(epoch 1\) {2}bundle [0-9a-f]{32} v2 {2}verified up to seq \d+/);

    // no secret anywhere but in the device's own secret records
    expect(secrets.length).toBe(4);
    const haystacks: Array<[string, Buffer]> = [
      ...outputs.map((o, i) => [`command ${i} output`, Buffer.from(o.out + o.err)] as [string, Buffer]),
      ['device log', Buffer.from(logs.join('\n'))],
      ...files(work).filter((p) => !SECRET_KEYS.some((k) => p.endsWith(join('rec', k)))).map((p) => [p, readFileSync(p)] as [string, Buffer]),
    ];
    expect(haystacks.length).toBeGreaterThan(15);
    for (const s of secrets) for (const [where, h] of haystacks) expect(leaks(h, s), `a device secret in ${where}`).toBe(false);
    // …and the search finds one where it is
    expect(leaks(readFileSync(join(dir, 'rec', SECRET_KEYS[1])), secrets[2])).toBe(true);

    // factory reset, signed by the anchor now in force: the device's secrets are gone from every file
    const wrong = await cli('provision', '--port', d.port, '--factory-reset', '--device', '7', '--signed-by', 'build.key', ...reg);
    expect([wrong.code, wrong.out]).toEqual([1, expect.stringMatching(/^FAILED: device 7 trusts anchor key id [0-9a-f]{16}, not/)]);
    const z = await cli('provision', '--port', d.port, '--factory-reset', '--device', '7', '--signed-by', 'next-build.key', ...reg);
    expect(z.code, z.out + z.err).toBe(0);
    expect(z.out).toMatch(/^OK: device 7 reset: its identity, keys and event queue erased, the bundle slots kept; .*moved to retired/);
    for (const s of secrets) for (const p of files(work)) expect(leaks(readFileSync(p), s), `a device secret in ${p} after the reset`).toBe(false);
    expect(readdirSync(join(dir, 'rec')).filter((k) => /^(pk|es|eq)/.test(k))).toEqual([]);
    // provisioned afresh: a new event key made on the device, the old entry retired in the registry
    const fresh = await cli('provision', '--port', d.port, '--trust', 'build.pub', '--device', '7', '--json', ...reg);
    expect(fresh.code, fresh.out + fresh.err).toBe(0);
    const registry = readRegistry(join(work, 'devices.json'));
    expect(JSON.parse(fresh.out).eventKey).not.toBe(registry.retired![0].keys[0].public);
    expect(findDevice(registry, 7)!.keys).toEqual([{ epoch: 0, public: JSON.parse(fresh.out).eventKey, from: 1 }]);
    // the records signed before the reset still verify through the registry: with the retired device's keys
    const before = await cli('verify', 'events.cbor', ...reg);
    expect(before.code, before.out + before.err).toBe(0);
    expect(before.out).toMatch(/^keys of device 7 from the registry devices.json \(retired by the factory reset of 20\d\d-/);
    expect((await cli('devices', ...reg)).out).toMatch(/\nretired: device 7 reset \S+ {2}event keys [0-9a-f]{16} \(epoch 0, from seq 1\), [0-9a-f]{16} \(epoch 1, from seq \d+\)/);
  }, 600_000);
});
