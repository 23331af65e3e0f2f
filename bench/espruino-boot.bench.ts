/**
 * Boot and flash time of the Espruino virtual device (hil/espruino/, the Linux build of Espruino named by env
 * ESPRUINO, its Serial1 on a real pty): the signed rule library flashed over the link (HELLO to the confirming
 * HELLO: upload, the activation's whole check with the ed25519 signature, translation), then the process killed
 * (a power cut) and started again, timed from the kill to the boot line the rig prints once the host has started,
 * and to the first HELLO the agent answers as ready (its boot check done, the bundle running). Medians over
 * `--runs` restarts (default 3). Without ESPRUINO the section says loudly that it is skipped.
 *
 *   ESPRUINO=/path/to/espruino npm run bench
 *   (this section alone: npm run build && ESPRUINO=/path/to/espruino node --import ./cli/register-ts.mjs bench/espruino-boot.bench.ts [--runs N])
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EspruinoDevice, espruinoBinary } from '../hil/espruino/device.ts';
import { BUILD_KEY, DEVICE_KEY, signedLibrary } from '../harness/link.ts';
import { flash } from '../hil/link/flash.ts';
import { openSerial } from '../hil/link/transport.ts';
import { LinkSession } from '../hil/link/session.ts';
import { helloReady } from '../hil/link/hello.ts';
import { median } from './stats.ts';

export interface BootRow {
  bench: string;
  runs: number;
  seconds: number;
  note: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
// generous per-request limits: a slow boot must be measured, not cut short
const SLOW = { timeoutMs: 20000, tries: 6, reconnects: 6, activateMs: 900_000 };

async function ready(port: string): Promise<void> {
  const t = await openSerial(port, 115200, 10000);
  try {
    await helloReady(new LinkSession(t, { timeoutMs: SLOW.timeoutMs, tries: SLOW.tries }), false, SLOW.activateMs);
  } finally {
    await t.close();
  }
}

export async function benchEspruinoBoot(o: { runs?: number } = {}): Promise<BootRow[]> {
  const esp = espruinoBinary();
  if (!esp.bin) {
    console.log(`!!! SKIPPED, not measured: ${esp.why}`);
    return [{ bench: 'Espruino virtual device boot', runs: 0, seconds: NaN, note: `SKIPPED: ${esp.why}` }];
  }
  const runs = o.runs ?? 3;
  const d = await EspruinoDevice.start({
    dir: mkdtempSync(join(tmpdir(), 'edgerule-espruino-boot-')), clock: 'real',
    identity: { device: 7, trust: hex(BUILD_KEY.publicKey), seed: hex(DEVICE_KEY.seed!) },
  });
  try {
    const lib = await signedLibrary({ version: 1 });
    const t0 = performance.now();
    const r = await flash('lib', lib, { port: d.port, ...SLOW });
    const flashS = (performance.now() - t0) / 1000;
    if (!r.ok) throw new Error(`flash failed: ${r.verdict}`);
    const booted: number[] = [];
    const answered: number[] = [];
    for (let i = 0; i < runs; i++) {
      const boots = d.boots;
      const k = performance.now();
      d.kill();
      await d.waitBoot(boots + 1, 600_000);
      booted.push((performance.now() - k) / 1000);
      await ready(d.port);
      answered.push((performance.now() - k) / 1000);
    }
    const bin = esp.bin.split('/').pop();
    return [
      { bench: 'flash the rule library (1.6 KB)', runs: 1, seconds: flashS, note: `HELLO to the confirming HELLO; ${bin}` },
      { bench: 'restart: kill to the host started', runs, seconds: median(booted), note: 'the rig\'s boot line: files checked, code evaluated, host started' },
      { bench: 'restart: kill to HELLO answered ready', runs, seconds: median(answered), note: 'the boot check done and the library running' },
    ];
  } finally {
    await d.stop();
  }
}

export function formatRows(rows: BootRow[]): string {
  const head = ['bench', 'runs', 'seconds (median)', 'what'];
  const body = rows.map((r) => [r.bench, String(r.runs), Number.isNaN(r.seconds) ? '—' : r.seconds.toFixed(2), r.note]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--runs');
  console.log(formatRows(await benchEspruinoBoot({ runs: at > 0 ? Number(process.argv[at + 1]) : undefined })));
  process.exit(0);
}
