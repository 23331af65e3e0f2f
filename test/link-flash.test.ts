// Flashing over a real pseudo-terminal (Debian socat) with serialport, to the virtual device running the three
// artifacts on Node and on Moddable XS: activation confirmed by HELLO, refusals with the device's reason and the
// old bundle still active, trial revert after a kill, and the CLI's verdict, exit code and JSON.
import { execFile, spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { startDevice, signedLibrary, bundleForProfile, OTHER_BUILD_KEY, BUILD_KEY } from '../harness/link.ts';
import { engines } from '../harness/engines/engines.ts';
import { flash } from '../hil/link/flash.ts';
import { openSerial } from '../hil/link/transport.ts';
import { LinkSession } from '../hil/link/session.ts';
import { helloReady, activeId } from '../hil/link/hello.ts';
import { bundleId } from '../hil/link/bundle-id.ts';
import { formatKey } from '../signing/keys.ts';
import type { VirtualDevice } from '../hil/virtual/device.ts';
import { EXIT } from '../cli/exit-codes.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const running: VirtualDevice[] = [];
afterAll(async () => { for (const d of running) await d.stop(); });

async function helloOf(d: VirtualDevice) {
  const t = await openSerial(d.port, 115200, 5000);
  try {
    return await helloReady(new LinkSession(t), false);
  } finally {
    await t.close();
  }
}

const xs = engines().find((e) => e.name === 'xs')!;
if (!xs.available) console.warn(`\n>>> link tests on XS are SKIPPED: ${xs.why} <<<\n`);

for (const engine of ['node', 'xs'] as const) {
  describe.skipIf(engine === 'xs' && !xs.available && process.env.CI !== 'true')(`virtual device on ${engine}`, () => {
    let d: VirtualDevice;

    test('flashes the signed library, activates it and reads HELLO back with the new bundle id', async () => {
      d = await startDevice(engine);
      running.push(d);
      const v1 = await signedLibrary({ version: 1 });
      const r = await flash('lib-v1.signed', v1, { port: d.port });
      expect(r.verdict).toMatch(new RegExp(`^OK: device 7 runs [0-9a-f]{32} \\(version 1\\); ${v1.length} bytes in `));
      expect([r.ok, r.resumedAt, r.uploadedBytes]).toEqual([true, 0, v1.length]);
      const h = await helloOf(d);
      expect([activeId(h), h.engine.split(' ')[0], h.profile, h.trial]).toEqual([hex(bundleId(v1)), engine, 'full', false]);
      const again = await flash('lib-v1.signed', v1, { port: d.port });
      expect(again.verdict).toMatch(/already runs/);
    });

    test('a bad signature, a rollback, a wrong profile and a foreign key are each refused with the reason, the old bundle still active', async () => {
      const v1 = hex(bundleId(await signedLibrary({ version: 1 })));
      const v2 = await signedLibrary({ version: 2 });
      const badSig = v2.slice();
      badSig[badSig.length - 10] ^= 0x01;
      const cases: Array<[string, Uint8Array, RegExp]> = [
        ['bad signature', badSig, /fault 47 SIGNATURE: the signature does not verify/],
        ['wrong profile', await signedLibrary({ version: 2, profile: 'container-tracker' }, await bundleForProfile('container-tracker')), /fault 49 PROFILE: the bundle targets another device profile/],
        ['foreign key', await signedLibrary({ version: 2, key: OTHER_BUILD_KEY }), /fault 46 WRONG_KEY/],
      ];
      for (const [what, bytes, reason] of cases) {
        const r = await flash(`${what}.signed`, bytes, { port: d.port });
        expect(r.ok, what).toBe(false);
        expect(r.verdict, what).toMatch(reason);
        expect(r.verdict, what).toContain(`the device still runs ${v1} (version 1)`);
        expect(activeId(await helloOf(d)), what).toBe(v1);
      }
      expect((await flash('v3.signed', await signedLibrary({ version: 3 }), { port: d.port })).ok).toBe(true);
      const back = await flash('v2.signed', v2, { port: d.port });
      expect(back.verdict).toMatch(/fault 48 ROLLBACK: .*\(bundle version 2, the device accepts 4 or above\); the device still runs [0-9a-f]{32} \(version 3\)/);
      expect(back.refused?.fault).toBe(48);
    });

    test('a trial activation that is not confirmed is reverted when the device is killed and restarts', async () => {
      const v3 = hex(bundleId(await signedLibrary({ version: 3 })));
      const v4 = await signedLibrary({ version: 4 });
      const r = await flash('v4.signed', v4, { port: d.port, trial: true, noConfirm: true });
      expect(r.verdict).toContain('on trial: reverts at the next restart unless confirmed');
      expect((await helloOf(d)).trial).toBe(true);
      const starts = d.processes;
      d.kill();
      await d.waitBoot();
      expect(d.processes).toBe(starts + 1);
      const h = await helloOf(d);
      expect([activeId(h), h.trial]).toEqual([v3, false]);
      const ok = await flash('v4.signed', v4, { port: d.port, trial: true });
      expect([ok.ok, ok.confirmed, ok.uploadedBytes]).toEqual([true, true, 0]);
    });
  });
}

describe('the CLI', () => {
  const BIN = resolve('bin/edgerule.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-flash-cli-'));
  const cli = (...args: string[]) => new Promise<{ code: number; out: string; err: string }>((res) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir }, (e, out, err) => res({ code: e ? (e as { code?: number }).code ?? 1 : 0, out, err }));
  });

  test('edgerule device --pty prints its port; edgerule flash prints one verdict line, --json the details; exit codes say which', async () => {
    writeFileSync(join(dir, 'build.key.pub'), formatKey(BUILD_KEY, 'public'));
    const v1 = await signedLibrary({ version: 1 });
    writeFileSync(join(dir, 'v1.signed'), v1);
    writeFileSync(join(dir, 'other.signed'), await signedLibrary({ version: 2, profile: 'truck-telematics' }, await bundleForProfile('truck-telematics')));
    writeFileSync(join(dir, 'not-signed.bin'), new Uint8Array([1, 2, 3]));
    const dev = spawn(process.execPath, [BIN, 'device', '--pty', '--store', 'dev', '--trust', 'build.key.pub', '--device', '12'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((res, rej) => {
        let out = '';
        dev.stdout.on('data', (b: Buffer) => { out += b; if (out.includes('\n')) res(out.split('\n')[0]); });
        dev.on('exit', (c) => rej(new Error(`edgerule device exited ${c}`)));
      });
      expect(line).toMatch(/^virtual device 12 \(node v[0-9.]+, profile full\) on .*\/dev\/tty; store .*\/dev; Ctrl-C stops it$/);
      const port = join(dir, 'dev/tty');
      const ok = await cli('flash', '--port', port, 'v1.signed');
      expect([ok.code, ok.err]).toEqual([0, '']);
      expect(ok.out).toMatch(new RegExp(`^OK: device 12 runs [0-9a-f]{32} \\(version 1\\); ${v1.length} bytes in [0-9.]+ s \\([0-9]+ B/s\\)\n$`));
      const bad = await cli('flash', '--port', port, 'other.signed', '--json');
      expect(bad.code).toBe(1);
      const j = JSON.parse(bad.out);
      expect([j.ok, j.refused.fault, j.bundle.version, j.device.runs]).toEqual([false, 49, 2, JSON.parse((await cli('flash', '--port', port, 'v1.signed', '--json')).out).bundle.id]);
      const notSigned = await cli('flash', '--port', port, 'not-signed.bin');
      // a file of the wrong kind cannot be checked (exit 3), unlike a signed bundle the device refuses (exit 1)
      expect([notSigned.code, notSigned.out]).toEqual([EXIT.CANNOT_CHECK, '']);
      expect(notSigned.err).toMatch(/not-signed.bin is not a signed bundle: byte 0: field 'COSE_Sign1 tag'/);
      const noDevice = await cli('flash', '--port', join(dir, 'nothing-here'), 'v1.signed', '--reconnects', '0');
      expect(noDevice.code).toBe(EXIT.CANNOT_CHECK);
      expect(noDevice.out).toMatch(/^FAILED: cannot open .*nothing-here/);
      expect((await cli('flash', 'v1.signed')).code).toBe(2);
    } finally {
      dev.kill('SIGINT');
      await new Promise((r) => dev.once('exit', r));
    }
  });
});
